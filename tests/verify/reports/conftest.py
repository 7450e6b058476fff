"""A fresh reports database per test, and one with an article, its claims and a run recorded."""

from pathlib import Path

import pytest

from tests.verify.reports.factories import make_article, make_claims
from verify.reports import ReportStore
from verify.types import Article, Claim


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reports.duckdb"


@pytest.fixture
def store(db_path: Path) -> ReportStore:
    return ReportStore(db_path)


@pytest.fixture
def recorded(store: ReportStore) -> tuple[Article, list[Claim], str]:
    """(article, claims, running run id) already in ``store``."""
    article = make_article()
    claims = make_claims(article)
    run_id = store.start_run("verify-article", {"url": article.url, "top_k": 5})
    store.record_article(article)
    store.record_claims(claims)
    return article, claims, run_id
