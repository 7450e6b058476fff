"""Paths the tests share: the repository root and the ../shared data and samples beside it."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SHARED_DATA = SHARED / "data"
SAMPLE_ARTICLE = SHARED / "samples" / "haftar_delegation_damascus_ar.txt"


def shared_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test with a message when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data file {path} is not available on this machine")
    return path
