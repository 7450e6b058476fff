"""Flow tests run against a temporary Prefect server (``prefect_test_harness``) and an isolated SANAD_HOME."""

import pytest

from flows import runtime


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_home(prefect_server, sanad_home, tmp_path, monkeypatch):
    """A fresh SANAD_HOME for one test, sharing the session's built models."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(sanad_home / "models")
    monkeypatch.setenv("SANAD_HOME", str(home))
    runtime.reset()
    yield home
    runtime.reset()
