"""Schema migrations: ordered, transactional, upgrading old databases without losing rows."""

from datetime import UTC, datetime

import duckdb
import pytest

from evidence_store.duck import DuckFile
from tests.support.report_factories import (
    make_article,
    make_claims,
    make_prior_verdict,
    make_verdict,
    record_one_verdict,
)
from verify.reports import ReportFilter, ReportsError, ReportStore, rows
from verify.reports.rows import EVIDENCE_COLUMNS
from verify.reports.schema import LATEST_VERSION, MIGRATIONS, Migration, migrate, schema_version

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_migrations_are_numbered_in_order():
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert len(MIGRATIONS) == LATEST_VERSION


def test_a_version_1_database_is_upgraded_without_losing_rows(db_path):
    article = make_article()
    claim = make_claims(article)[0]
    with duckdb.connect(str(db_path)) as con:
        con.execute("BEGIN")
        assert migrate(con, MIGRATIONS[:1]) == 1
        con.execute("INSERT INTO runs VALUES ('r1', 'verify-article', '{}', 'completed', ?, ?, NULL, 'h', 1)", [T0, T0])
        con.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [article.article_id, None, None, None, None, "ar", article.text, T0],
        )
        con.execute(
            "INSERT INTO claims VALUES (?, ?, ?, ?, ?, 'ar', 0.7, 'factual', NULL, NULL, NULL, NULL, ?)",
            [claim.claim_id, article.article_id, claim.text, claim.start, claim.end, T0],
        )
        con.execute(
            "INSERT INTO verdicts (claim_id, run_id, label, confidence, conflicting, justification, claim_text, "
            "stance_model, embedding_model, store_generation, created_at, recorded_at) "
            "VALUES (?, 'r1', 'unverified', 0.3, false, 'no evidence', ?, 's', 'e5', 1, ?, ?)",
            [claim.claim_id, claim.text, T0, T0],
        )
        con.execute("COMMIT")

    store = ReportStore(db_path, read_only=True)  # even a reader upgrades, with one short write
    rows = store.report()

    assert [(r.claim.claim_id, r.verdict.verdict.label) for r in rows] == [(claim.claim_id, "unverified")]
    assert rows[0].review_reasons == ("low confidence",)
    assert store.run("r1").status == "completed"
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert schema_version(con) == LATEST_VERSION
        assert con.execute("SELECT count(*) FROM claims_needing_review").fetchall() == [(1,)]


def test_a_version_2_database_gains_prior_fact_checks_and_keeps_its_evidence(db_path):
    article = make_article()
    claims = make_claims(article)
    old = make_verdict(claims[0], "supported", 0.9, (1, 2))
    with duckdb.connect(str(db_path)) as con:
        con.execute("BEGIN")
        assert migrate(con, MIGRATIONS[:2]) == 2
        con.execute("INSERT INTO runs VALUES ('r1', 'verify-article', '{}', 'completed', ?, ?, NULL, 'h', 1)", [T0, T0])
        con.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.article_values(article, T0))
        con.execute(f"INSERT INTO claims VALUES ({', '.join(['?'] * 13)})", rows.claim_values(claims[0], T0))
        con.execute(
            "INSERT INTO verdicts (claim_id, run_id, label, confidence, conflicting, justification, claim_text, "
            "stance_model, embedding_model, store_generation, created_at, recorded_at) "
            "VALUES (?, 'r1', 'supported', 0.9, false, ?, ?, 'test/stance', 'e5', 1, ?, ?)",
            [claims[0].claim_id, old.justification, old.claim_text, old.created_at, T0],
        )
        assert EVIDENCE_COLUMNS[-1] == "prior_fact_check"  # added last, by migration 3
        for rank, citation in enumerate(old.citations, 1):  # a version 2 row: every column but prior_fact_check
            con.execute(
                f"INSERT INTO verdict_evidence VALUES ({', '.join(['?'] * (len(EVIDENCE_COLUMNS) + 1))})",
                rows.evidence_values(1, rank, citation)[:-1],
            )
        con.execute("COMMIT")

    store = ReportStore(db_path)
    (row,) = [r for r in store.report() if r.verdict]
    assert row.verdict.verdict == old  # every citation, read as ordinary evidence (prior_fact_check False)
    assert [c.prior_fact_check for c in row.verdict.verdict.citations] == [False, False]
    assert store.report(ReportFilter(prior_checked=True)) == []
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert schema_version(con) == LATEST_VERSION
        assert con.execute("SELECT list(prior_fact_check) FROM verdict_evidence").fetchall() == [([False, False],)]

    # and the upgraded database records prior fact-checks like a new one
    run_id = store.start_run("reverify-claims")
    store.record_verdicts(
        run_id, [(claims[0], make_prior_verdict(claims[0]))], embedding_model="e5", store_generation=2
    )
    (checked,) = store.report(ReportFilter(prior_checked=True))
    assert checked.verdict.verdict.prior_fact_check.passage.publisher == "مسبار"
    (change,) = store.changes()
    assert [c.prior_fact_check for c in change.evidence_added] == [True]


def test_a_failing_migration_changes_nothing(db_path, store):
    record_one_verdict(store, make_article())
    broken = (
        *MIGRATIONS,
        Migration(
            LATEST_VERSION + 1, "half-done", ("ALTER TABLE claims ADD COLUMN note VARCHAR", "SELECT * FROM nowhere")
        ),
    )
    file = DuckFile(db_path, idle_release_s=0)
    with pytest.raises(duckdb.CatalogException), file.transaction() as con:
        migrate(con, broken)

    with duckdb.connect(str(db_path), read_only=True) as con:
        assert schema_version(con) == LATEST_VERSION
        assert "note" not in [row[0] for row in con.execute("DESCRIBE claims").fetchall()]
    assert len(store.report()) == 3


def test_newer_or_foreign_databases_are_refused(tmp_path, store, db_path):
    store.record_article(make_article())
    with duckdb.connect(str(db_path)) as con:
        con.execute("INSERT INTO schema_version VALUES (99, 'from the future', now())")
    with pytest.raises(ReportsError, match="schema version 99, newer than this Sanad knows"):
        ReportStore(db_path).report()

    foreign = tmp_path / "evidence.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE documents (doc_id VARCHAR)")
    with pytest.raises(ReportsError, match="not a Sanad reports database"):
        ReportStore(foreign).record_article(make_article())
