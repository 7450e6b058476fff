"""Shared fixtures: an isolated SANAD_HOME with the real e5 model built once per session."""

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Tests serve pages on loopback; every other private, link-local or metadata address stays refused.
os.environ.setdefault("SANAD_FETCH_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]')

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"
SAMPLE_ARTICLE = SHARED / "samples" / "haftar_delegation_damascus_ar.txt"


def shared_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test with a message when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data file {path} is not available on this machine")
    return path


@pytest.fixture(scope="session")
def sanad_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SANAD_HOME for the whole session; the e5 model is built into it once."""
    home = tmp_path_factory.mktemp("sanad-home")
    return home


@pytest.fixture(scope="session")
def settings(sanad_home: Path):
    from verify.settings import Settings

    return Settings(home=sanad_home)


@pytest.fixture(scope="session")
def e5(settings):
    """The real multilingual-e5-small embedder, rebuilt from the PyPI wheels."""
    from evidence_store.embedding.embedder import load_embedder

    embedder = load_embedder(settings)
    embedder.warm_up()
    return embedder


class HashEmbedder:
    """A tiny deterministic bag-of-words embedder for fast store tests (not a real model)."""

    def __init__(self, name: str = "test/hash-embedder", dimension: int = 64) -> None:
        self.name = name
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    def warm_up(self) -> None:
        pass

    def embed(self, texts, role, on_progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self._dimension
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        if on_progress:
            on_progress(len(texts), len(texts))
        return out


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()
