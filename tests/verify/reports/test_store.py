"""ReportStore writes and reads against a real DuckDB file."""

import subprocess
import sys
from datetime import UTC, timedelta

import duckdb
import pytest

from evidence_store.types import Passage
from tests.support.report_factories import (
    NOW,
    make_article,
    make_claims,
    make_passage,
    make_prior_verdict,
    make_verdict,
)
from verify.reports import ReportFilter, ReportsError, ReportStore
from verify.reports.rows import EVIDENCE_COLUMNS
from verify.types import Verdict

INJECTION = "x'); DROP TABLE claims; --"


def count(db_path, table: str) -> int:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def test_round_trip_keeps_claims_verdicts_and_provenance(store, recorded):
    article, claims, run_id = recorded
    verdicts = [
        make_verdict(claims[0], "supported", 0.9, (1, 2)),
        make_verdict(claims[1], "disputed", 0.7, (3,)),
        make_verdict(claims[2], "unverified", 0.4),
    ]
    changes = store.record_verdicts(
        run_id, list(zip(claims, verdicts, strict=True)), embedding_model="e5", store_generation=7
    )
    store.finish_run(run_id, "completed")

    assert changes == []  # first verdicts change nothing
    rows = store.report()
    assert [row.claim for row in rows] == claims
    assert [row.verdict.verdict for row in rows] == verdicts
    assert {row.verdict.run_id for row in rows} == {run_id}
    assert {(row.verdict.embedding_model, row.verdict.store_generation) for row in rows} == {("e5", 7)}
    assert rows[0].article.publisher == article.publisher and rows[0].article.url == article.url
    run = store.run(run_id)
    assert (run.status, run.kind, run.parameters) == ("completed", "verify-article", {"url": article.url, "top_k": 5})
    assert run.finished_at is not None and run.error is None


def test_evidence_snapshot_stores_every_passage_field(store, recorded, db_path):
    renamed = {"order": "passage_order", "text": "passage_text"}
    assert {renamed.get(name, name) for name in Passage.model_fields} <= set(EVIDENCE_COLUMNS)

    _, claims, run_id = recorded
    passage = make_passage(4).model_copy(update={"claim_reviewed": "Cham Wings flew fighters", "rating": "False"})
    verdict = make_verdict(claims[0], "disputed", 0.8, (4,))
    verdict = verdict.model_copy(update={"citations": (verdict.citations[0].model_copy(update={"passage": passage}),)})
    store.record_verdicts(run_id, [(claims[0], verdict)], embedding_model="e5", store_generation=1)

    with duckdb.connect(str(db_path), read_only=True) as con:
        stored = con.execute(
            "SELECT publisher, url, published_at, passage_text, rating FROM verdict_evidence"
        ).fetchall()
    assert stored == [(passage.publisher, passage.url, passage.published_at, passage.text, "False")]
    assert store.report()[0].verdict.verdict.citations[0].passage == passage


def test_reverification_appends_and_reports_the_evidence_that_changed(store, recorded, db_path):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id,
        [(claims[0], make_verdict(claims[0], "supported", 0.9, (1, 2)))],
        embedding_model="e5",
        store_generation=1,
    )
    store.finish_run(run_id, "completed")
    again = store.start_run("reverify-claims", {"scope": "all"})
    same = store.record_verdicts(
        again,
        [(claims[0], make_verdict(claims[0], "supported", 0.8, (1, 2)))],
        embedding_model="e5",
        store_generation=2,
    )
    changed = store.record_verdicts(
        again,
        [(claims[0], make_verdict(claims[0], "disputed", 0.75, (2, 3)))],
        embedding_model="e5",
        store_generation=3,
    )

    assert same == []
    assert len(changed) == 1
    change = changed[0]
    assert (change.claim_id, change.old_label, change.new_label, change.run_id) == (
        claims[0].claim_id,
        "supported",
        "disputed",
        again,
    )
    assert (change.old_confidence, change.new_confidence) == (0.8, 0.75)
    assert [c.passage.passage_id for c in change.evidence_added] == [3]
    assert [c.passage.passage_id for c in change.evidence_removed] == [1]
    assert change.evidence_removed[0].passage.publisher == make_passage(1).publisher
    assert count(db_path, "verdicts") == 3  # history, never overwritten
    assert store.changes() == changed
    assert store.changes(since=change.changed_at + timedelta(seconds=1)) == []
    assert store.changes(run_id=run_id) == []
    latest = store.report()[0]
    assert (latest.verdict.verdict.label, latest.previous_label) == ("disputed", "supported")


def test_report_of_a_run_shows_its_verdicts_even_when_superseded(store, recorded):
    _, claims, first = recorded
    store.record_verdicts(
        first, [(claims[0], make_verdict(claims[0], "supported"))], embedding_model="e5", store_generation=1
    )
    second = store.start_run("reverify-claims")
    store.record_verdicts(
        second, [(claims[0], make_verdict(claims[0], "unverified", 0.3))], embedding_model="e5", store_generation=2
    )

    assert [r.verdict.verdict.label for r in store.report(ReportFilter(run_id=first))] == ["supported"]
    assert [r.verdict.verdict.label for r in store.report(ReportFilter(run_id=second))] == ["unverified"]
    latest = store.report()
    assert len(latest) == 3  # every claim, scored or not
    assert [r.verdict.verdict.label if r.verdict else None for r in latest] == ["unverified", None, None]
    assert [r.claim.claim_id for r in store.report(ReportFilter(label="unverified"))] == [claims[0].claim_id]
    assert store.report(ReportFilter(label="supported")) == []
    assert len(store.report(ReportFilter(article_id=claims[0].article_id))) == 3
    assert len(store.report(ReportFilter(since=NOW - timedelta(days=1)))) == 1  # only scored claims have a time
    with pytest.raises(ReportsError, match="no run 'nope'"):
        store.report(ReportFilter(run_id="nope"))
    with pytest.raises(ReportsError, match="no article"):
        store.report(ReportFilter(article_id=INJECTION))


def test_needing_review_until_reviewed_then_again_when_the_machine_label_changes(store, recorded):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id,
        [
            (claims[0], make_verdict(claims[0], "supported", 0.95)),
            (claims[1], make_verdict(claims[1], "disputed", 0.4)),
            (claims[2], make_verdict(claims[2], "disputed", 0.9, (1, 2), conflicting=True)),
        ],
        embedding_model="e5",
        store_generation=1,
    )
    needing = {row.claim.claim_id: row.review_reasons for row in store.needing_review()}
    assert needing == {claims[1].claim_id: ("low confidence",), claims[2].claim_id: ("conflicting",)}

    review = store.add_review(claims[1].claim_id, "supported", "  The ministry confirmed it.  ", "Rania")
    assert (review.label, review.note, review.reviewer) == ("supported", "The ministry confirmed it.", "Rania")
    assert [row.claim.claim_id for row in store.needing_review()] == [claims[2].claim_id]
    reviewed = store.report(ReportFilter(article_id=claims[1].article_id))[1]
    assert (reviewed.review.label, reviewed.verdict.verdict.label, reviewed.final_label) == (
        "supported",
        "disputed",
        "supported",
    )

    store.record_verdicts(
        run_id, [(claims[1], make_verdict(claims[1], "supported", 0.9))], embedding_model="e5", store_generation=2
    )
    row = next(r for r in store.needing_review() if r.claim.claim_id == claims[1].claim_id)
    reviewed_on = review.created_at.astimezone(UTC).date().isoformat()
    assert row.review_reasons == (
        f"machine label changed from disputed to supported since the review on {reviewed_on}",
    )
    assert row.review == review  # the review survives re-verification


def test_claims_for_reverification(store, recorded):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id,
        [(claims[0], make_verdict(claims[0], "supported")), (claims[1], make_verdict(claims[1], "unverified", 0.2))],
        embedding_model="e5",
        store_generation=1,
    )
    other = make_article("article-2")
    store.record_article(other)
    store.record_claims(make_claims(other)[:1])

    def ids(**kwargs) -> list[str]:
        return [claim.claim_id for claim in store.claims_for_reverification(**kwargs)]

    assert ids() == [c.claim_id for c in claims] + ["article-2:c0"]
    assert store.claims_for_reverification(article_id=claims[0].article_id) == claims
    assert ids(unverified_only=True) == [claims[1].claim_id, claims[2].claim_id, "article-2:c0"]
    assert ids(older_than=timedelta(days=1)) == [claims[2].claim_id, "article-2:c0"]  # never scored
    assert len(ids(older_than=timedelta(days=1), now=NOW + timedelta(days=365 * 10))) == 4
    assert ids(article_id=INJECTION) == []


def test_a_decisive_verdict_without_citations_is_refused_and_nothing_written(store, recorded, db_path):
    _, claims, run_id = recorded
    good = make_verdict(claims[0], "supported")
    uncited = Verdict.model_construct(**{**dict(good), "citations": ()})  # bypasses the type's own check
    with pytest.raises(ReportsError, match="supported verdict must cite"):
        store.record_verdicts(
            run_id, [(claims[0], good), (claims[1], uncited)], embedding_model="e5", store_generation=1
        )
    assert count(db_path, "verdicts") == 0


def test_bad_input_is_named_and_loses_nothing(store, recorded, db_path):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id, [(claims[0], make_verdict(claims[0], "supported"))], embedding_model="e5", store_generation=1
    )
    stranger = claims[1].model_copy(update={"claim_id": INJECTION})
    with pytest.raises(ReportsError, match="claims not recorded"):
        store.record_verdicts(
            run_id,
            [(claims[1], make_verdict(claims[1], "supported")), (stranger, make_verdict(stranger, "supported"))],
            embedding_model="e5",
            store_generation=1,
        )
    with pytest.raises(ReportsError, match="span 0:5 is not its text"):
        store.record_claims([claims[2].model_copy(update={"claim_id": "new", "start": 0, "end": 5})])
    with pytest.raises(ReportsError, match="is not recorded"):
        store.record_claims([claims[2].model_copy(update={"claim_id": "new", "article_id": INJECTION})])
    with pytest.raises(ReportsError, match="given twice"):
        store.record_claims([claims[0], claims[0]])
    with pytest.raises(ReportsError, match="no claim"):
        store.add_review(INJECTION, "supported", "note", "Rania")
    with pytest.raises(ReportsError, match="needs a note"):
        store.add_review(claims[0].claim_id, "supported", "   ", "Rania")
    with pytest.raises(ReportsError, match="not one of"):
        store.add_review(claims[0].claim_id, "half-true", "note", "Rania")
    with pytest.raises(ReportsError, match="lowercase slug"):
        store.start_run(INJECTION)
    with pytest.raises(ReportsError, match="already exists"):
        store.start_run("verify-article", run_id=run_id)
    store.finish_run(run_id, "failed", error="stance model crashed")
    with pytest.raises(ReportsError, match="already finished"):
        store.finish_run(run_id, "completed")
    with pytest.raises(ReportsError, match="takes no more verdicts"):
        store.record_verdicts(
            run_id, [(claims[0], make_verdict(claims[0], "supported"))], embedding_model="e5", store_generation=1
        )
    with pytest.raises(ReportsError, match="no run"):
        store.finish_run(INJECTION, "completed")

    assert (count(db_path, "claims"), count(db_path, "verdicts"), count(db_path, "reviews")) == (3, 1, 0)
    assert store.run(run_id).error == "stance model crashed"


def test_quotes_in_ids_and_text_are_stored_verbatim(store):
    sentences = ("He said 'it''s done'; DROP TABLE verdicts; --.", 'Another "quoted" claim.')
    article = make_article(INJECTION, sentences)
    claims = make_claims(article, sentences)
    run_id = store.start_run("verify-article", {"text": INJECTION}, run_id=f"run {INJECTION}")
    store.record_article(article)
    store.record_claims(claims)
    store.record_verdicts(
        run_id, [(claims[0], make_verdict(claims[0], "supported"))], embedding_model="e5", store_generation=1
    )
    store.add_review(claims[0].claim_id, "disputed", INJECTION, INJECTION)

    rows = store.report(ReportFilter(article_id=INJECTION, run_id=run_id))
    assert [row.claim for row in rows] == claims[:1]
    assert rows[0].review.note == INJECTION
    assert store.run(run_id).parameters == {"text": INJECTION}


def test_record_article_again_keeps_first_seen_and_known_metadata(store, db_path):
    article = make_article()
    store.record_article(article)
    store.record_article(article.model_copy(update={"publisher": None, "title": "Updated title"}))
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("SELECT publisher, title, first_seen FROM articles").fetchall()
    assert len(rows) == 1
    assert rows[0][:2] == (article.publisher, "Updated title")


def test_a_run_whose_process_died_is_marked_failed_on_next_open(db_path):
    script = (
        "import sys; from pathlib import Path; from verify.reports import ReportStore; "
        "print(ReportStore(Path(sys.argv[1])).start_run('verify-batch'))"
    )
    child = subprocess.run([sys.executable, "-c", script, str(db_path)], capture_output=True, text=True, check=True)
    run_id = child.stdout.strip()
    alive = ReportStore(db_path).start_run("verify-article")

    reader = ReportStore(db_path, read_only=True)
    orphan = reader.run(run_id)
    assert orphan.status == "failed"
    assert "ended without finishing the run" in orphan.error and orphan.finished_at is not None
    assert reader.run(alive).status == "running"


def test_read_only_store(db_path, store):
    with pytest.raises(ReportsError, match="no reports database"):
        ReportStore(db_path, read_only=True).report()
    store.record_article(make_article())
    reader = ReportStore(db_path, read_only=True)
    assert reader.report() == []
    with pytest.raises(ReportsError, match="read-only"):
        reader.record_article(make_article("other"))


def test_one_call_may_score_a_claim_twice_and_each_follows_the_last(store, recorded):
    _, claims, run_id = recorded
    changes = store.record_verdicts(
        run_id,
        [
            (claims[0], make_verdict(claims[0], "supported", 0.9, (1,))),
            (claims[0], make_verdict(claims[0], "disputed", 0.8, (2,))),
            (claims[0], make_verdict(claims[0], "disputed", 0.7, (2, 3))),
        ],
        embedding_model="e5",
        store_generation=1,
    )
    assert [(c.old_label, c.new_label, c.old_verdict_id, c.new_verdict_id) for c in changes] == [
        ("supported", "disputed", 1, 2)
    ]
    (row,) = store.report(ReportFilter(label="disputed"))
    assert (row.verdict.verdict_id, row.previous_label) == (3, "disputed")


def test_a_prior_fact_check_round_trips_and_filters_the_report(store, recorded, db_path):
    _, claims, run_id = recorded
    prior = make_prior_verdict(claims[0], (2,))
    store.record_verdicts(
        run_id,
        [(claims[0], prior), (claims[1], make_verdict(claims[1], "supported", 0.9, (3,)))],
        embedding_model="e5",
        store_generation=1,
    )

    with duckdb.connect(str(db_path), read_only=True) as con:
        flags = con.execute("SELECT rank, prior_fact_check FROM verdict_evidence ORDER BY verdict_id, rank").fetchall()
    assert flags == [(1, True), (2, False), (1, False)]
    rows = store.report()
    assert rows[0].verdict.verdict == prior  # the flag, the rating and the claim reviewed all come back
    assert rows[0].verdict.verdict.prior_fact_check.passage.rating == "زائف"
    assert rows[1].verdict.verdict.prior_fact_check is None

    checked = store.report(ReportFilter(prior_checked=True))
    assert [row.claim.claim_id for row in checked] == [claims[0].claim_id]  # never the unscored claim
    assert store.report(ReportFilter(prior_checked=True, label="supported")) == []

    # re-verified without the match: the claim's shown verdict no longer follows a fact-check
    again = store.start_run("reverify-claims")
    (change,) = store.record_verdicts(
        again, [(claims[0], make_verdict(claims[0], "supported", 0.8, (2,)))], embedding_model="e5", store_generation=2
    )
    assert [c.prior_fact_check for c in change.evidence_removed] == [True]
    assert store.report(ReportFilter(prior_checked=True)) == []
    assert [r.claim.claim_id for r in store.report(ReportFilter(prior_checked=True, run_id=run_id))] == [
        claims[0].claim_id
    ]
