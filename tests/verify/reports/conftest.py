"""A fresh reports database per test, and one with an article, its claims and a run recorded."""

from pathlib import Path

import pytest

from tests.support.report_factories import make_article, make_claims, make_verdict
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


@pytest.fixture
def scored(store: ReportStore, recorded: tuple[Article, list[Claim], str]) -> tuple[list[Claim], str]:
    """``recorded`` with a supported, a disputed (reviewed as mostly true) and an unverified verdict."""
    _, claims, run_id = recorded
    labels = ("supported", "disputed", "unverified")
    verdicts = [
        make_verdict(claim, label, 0.9 - n * 0.3, (n + 1, n + 2))
        for n, (claim, label) in enumerate(zip(claims, labels, strict=True))
    ]
    store.record_verdicts(run_id, list(zip(claims, verdicts, strict=True)), embedding_model="e5", store_generation=3)
    store.finish_run(run_id, "completed")
    store.add_review(claims[1].claim_id, "mostly-true", "The ministry's own statement confirms it.", "Rania")
    return claims, run_id
