"""Fixtures of the command-line tests."""

import pytest


@pytest.fixture
def home(tmp_path, monkeypatch):
    """SANAD_HOME in ``tmp_path``, with a newsroom to publish as and the default review addresses (test modules
    that need another home define their own)."""
    monkeypatch.setenv("SANAD_HOME", str(tmp_path))
    monkeypatch.setenv("SANAD_ORGANISATION_NAME", "Misbar")
    monkeypatch.setenv("SANAD_ORGANISATION_URL", "https://misbar.example")
    for name in ("SANAD_ORGANISATION_LOGO_URL", "SANAD_CLAIMREVIEW_URL_TEMPLATE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path
