"""Shared fixtures: an isolated SANAD_HOME with the real e5 model built once per session, a hash embedder
and a feed server."""

import contextlib
import os
import sys
from pathlib import Path

import pytest

from evidence_store.embedding import gemma_rebuild
from tests.support.embedders import HashEmbedder
from tests.support.feeds import Handler
from tests.support.local_http import serving

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Tests serve pages on loopback; every other private, link-local or metadata address stays refused.
os.environ.setdefault("SANAD_FETCH_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]')


@pytest.fixture(scope="session", autouse=True)
def prefect_logging_on_the_processs_stderr() -> None:
    """Set up Prefect's logging once, on the process's own stderr: its console handler keeps the stream it finds
    then, and a stream of a test's CliRunner (or of pytest's capture) is closed while Prefect still logs to it."""
    from prefect.logging.configuration import setup_logging

    with contextlib.redirect_stderr(sys.__stderr__):
        setup_logging()


REPO_GEMMA = Path(__file__).resolve().parent.parent / ".sanad" / "models" / "embeddinggemma-300m"


@pytest.fixture(scope="session")
def sanad_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SANAD_HOME for the whole session; the e5 model is built into it once, and EmbeddingGemma (which claim
    matching uses) is the one ``make models`` built in the checkout, where there is one (else it is built too)."""
    home = tmp_path_factory.mktemp("sanad-home")
    if gemma_rebuild.is_built(REPO_GEMMA):
        (home / "models").mkdir()
        (home / "models" / REPO_GEMMA.name).symlink_to(REPO_GEMMA, target_is_directory=True)
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


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def feed_server():
    """The base URL of a real HTTP server with an RSS feed (``/feed.xml``) and the articles it links to."""
    with serving(Handler) as url:
        yield url
    Handler.extra = ""
