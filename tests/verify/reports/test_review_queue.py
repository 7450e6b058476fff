"""The review queue respects reviews: a reviewed claim asks again only for a changed machine label or new
evidence against the reviewer, and says which; an unreviewed claim asks for its own reasons."""

import json
from datetime import UTC

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from tests.support.report_factories import make_article, make_citation, make_claims, make_passage, make_verdict
from verify.reports import ReportStore, rows
from verify.reports.schema import MIGRATIONS, migrate
from verify.reports.types import Review
from verify.types import Citation, Claim, StanceScore, Verdict, VerdictLabel

REFUTES = {"supports": 0.1, "refutes": 0.8}
SUPPORTS = {"supports": 0.8, "refutes": 0.1}
NEUTRAL = {"supports": 0.15, "refutes": 0.1}


def verdict(
    claim: Claim, label: VerdictLabel, confidence: float, *citations: Citation, conflicting: bool = False
) -> Verdict:
    """A verdict on ``claim`` citing exactly ``citations``."""
    return make_verdict(claim, label, confidence, conflicting=conflicting).model_copy(update={"citations": citations})


def cite(passage_id: int, stance: dict[str, float]) -> Citation:
    return make_citation(make_passage(passage_id), **stance)


def reverify(store: ReportStore, claim: Claim, scored: Verdict) -> None:
    """A nightly re-verification run that scores ``claim`` again."""
    run_id = store.start_run("reverify-claims")
    store.record_verdicts(run_id, [(claim, scored)], embedding_model="e5", store_generation=2)
    store.finish_run(run_id, "completed")


def reasons(store: ReportStore) -> dict[str, tuple[str, ...]]:
    return {row.claim.claim_id: row.review_reasons for row in store.needing_review()}


def day(review: Review) -> str:
    return review.created_at.astimezone(UTC).date().isoformat()


@pytest.fixture
def claim(recorded) -> Claim:
    return recorded[1][0]


@pytest.fixture
def first_run(store, recorded) -> str:
    """The verifying run, still running."""
    return recorded[2]


def record(store: ReportStore, run_id: str, claim: Claim, scored: Verdict) -> None:
    store.record_verdicts(run_id, [(claim, scored)], embedding_model="e5", store_generation=1)


def test_a_reviewed_claim_stays_out_after_re_verifications_that_change_nothing(store, first_run, claim):
    unverified = verdict(claim, "unverified", 0.2, cite(1, NEUTRAL))
    record(store, first_run, claim, unverified)
    assert reasons(store) == {claim.claim_id: ("low confidence",)}
    store.add_review(claim.claim_id, "unverified", "No record of the visit anywhere.", "Rania")
    assert reasons(store) == {}

    for _night in range(3):
        reverify(store, claim, unverified)

    assert reasons(store) == {}
    row = next(row for row in store.report() if row.claim.claim_id == claim.claim_id)
    assert (row.verdict.verdict.label, row.review.label, row.needs_review) == ("unverified", "unverified", False)


def test_a_changed_machine_label_brings_a_reviewed_claim_back_until_reviewed_again(store, first_run, claim):
    record(store, first_run, claim, verdict(claim, "disputed", 0.5, cite(1, REFUTES)))
    review = store.add_review(claim.claim_id, "disputed", "The photos are from 2019.", "Rania")

    reverify(store, claim, verdict(claim, "supported", 0.7, cite(1, REFUTES)))  # the same evidence, read anew
    expected = f"machine label changed from disputed to supported since the review on {day(review)}"
    assert reasons(store) == {claim.claim_id: (expected,)}
    reverify(store, claim, verdict(claim, "supported", 0.7, cite(1, REFUTES)))
    assert reasons(store) == {claim.claim_id: (expected,)}  # still waiting: nobody has looked since

    store.add_review(claim.claim_id, "disputed", "Still false: passage 2 quotes the rumour.", "Omar")
    assert reasons(store) == {}


def test_new_evidence_against_the_reviewer_brings_a_reviewed_claim_back(store, first_run, claim):
    record(store, first_run, claim, verdict(claim, "supported", 0.55, cite(1, SUPPORTS), cite(2, REFUTES)))
    store.add_review(claim.claim_id, "supported", "Confirmed by the ministry.", "Rania")

    # passage 2 refuted it before the review (the reviewer saw it); 3 is new and refutes; 4 is new and supports
    reverify(
        store,
        claim,
        verdict(claim, "supported", 0.55, cite(1, SUPPORTS), cite(4, SUPPORTS), cite(2, REFUTES), cite(3, REFUTES)),
    )

    new = make_passage(3)
    assert reasons(store) == {claim.claim_id: (f"new evidence disagrees with the review: {new.publisher} {new.url}",)}


def test_new_evidence_that_agrees_with_the_reviewer_leaves_the_claim_out(store, first_run, claim):
    record(store, first_run, claim, verdict(claim, "disputed", 0.4, cite(1, REFUTES), conflicting=True))
    store.add_review(claim.claim_id, "disputed", "The photos are from 2019.", "Rania")

    reverify(store, claim, verdict(claim, "disputed", 0.4, cite(1, REFUTES), cite(5, REFUTES), cite(6, NEUTRAL)))

    assert reasons(store) == {}


AGAINST = {"supported": {"refutes"}, "disputed": {"supports"}, "unverified": {"supports", "refutes"}}
_fresh_passages = iter(range(1000, 10**6))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    review_label=st.sampled_from(sorted(AGAINST)),
    twentieths=st.tuples(st.integers(0, 20), st.integers(0, 20)).filter(lambda pair: sum(pair) <= 20),
)
def test_new_evidence_counts_against_the_review_by_its_most_probable_stance(
    store, first_run, claim, review_label, twentieths
):
    """The queue's SQL and ``StanceScore.label`` agree, ties included (they go to supports, then refutes)."""
    supports, refutes = (n / 20 for n in twentieths)
    stance = StanceScore(supports=supports, refutes=refutes, neutral=(20 - sum(twentieths)) / 20)
    record(store, first_run, claim, verdict(claim, "supported", 0.9, cite(1, SUPPORTS)))
    store.add_review(claim.claim_id, review_label, "Checked.", "Rania")

    new = make_citation(make_passage(next(_fresh_passages))).model_copy(update={"stance": stance})
    reverify(store, claim, verdict(claim, "supported", 0.9, cite(1, SUPPORTS), new))

    expected = {claim.claim_id} if stance.label in AGAINST[review_label] else set()
    assert set(reasons(store)) == expected


def test_a_re_ingested_passage_is_not_new_evidence(store, first_run, claim):
    seen = make_passage(2)
    record(store, first_run, claim, verdict(claim, "supported", 0.9, cite(1, SUPPORTS), make_citation(seen, **REFUTES)))
    store.add_review(claim.claim_id, "supported", "Confirmed by the ministry.", "Rania")

    renumbered = seen.model_copy(update={"passage_id": 902})  # the same document and text, ingested again
    reverify(store, claim, verdict(claim, "supported", 0.9, cite(1, SUPPORTS), make_citation(renumbered, **REFUTES)))

    assert reasons(store) == {}


def test_a_claim_reviewed_as_unverified_returns_for_a_new_passage_that_takes_a_side(store, first_run, claim):
    record(store, first_run, claim, verdict(claim, "unverified", 0.2, cite(1, NEUTRAL)))
    review = store.add_review(claim.claim_id, "unverified", "Nothing settles it yet.", "Rania")

    reverify(store, claim, verdict(claim, "unverified", 0.25, cite(1, NEUTRAL), cite(7, NEUTRAL)))
    assert reasons(store) == {}

    reverify(store, claim, verdict(claim, "disputed", 0.7, cite(8, REFUTES), cite(1, NEUTRAL)))
    refuting = make_passage(8)
    assert reasons(store) == {
        claim.claim_id: (
            f"machine label changed from unverified to disputed since the review on {day(review)}",
            f"new evidence disagrees with the review: {refuting.publisher} {refuting.url}",
        )
    }


def test_a_review_made_before_any_verdict_is_compared_with_no_label(store, first_run, claim):
    review = store.add_review(claim.claim_id, "supported", "Known from the ministry's statement.", "Rania")
    record(store, first_run, claim, verdict(claim, "supported", 0.4, cite(1, SUPPORTS)))

    assert reasons(store) == {
        claim.claim_id: (f"machine label changed from none to supported since the review on {day(review)}",)
    }


def test_unreviewed_claims_keep_their_reasons(store, recorded):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id,
        [
            (claims[0], verdict(claims[0], "unverified", 0.2)),
            (claims[1], verdict(claims[1], "disputed", 0.9, cite(1, REFUTES), cite(2, SUPPORTS), conflicting=True)),
            (claims[2], verdict(claims[2], "supported", 0.9, cite(3, SUPPORTS))),
        ],
        embedding_model="e5",
        store_generation=1,
    )
    reverify(store, claims[2], verdict(claims[2], "disputed", 0.9, cite(3, REFUTES)))

    assert reasons(store) == {
        claims[0].claim_id: ("low confidence",),
        claims[1].claim_id: ("conflicting",),
        claims[2].claim_id: ("changed",),
    }


def test_the_queue_view_and_the_store_agree(store, db_path, recorded):
    _, claims, run_id = recorded
    store.record_verdicts(
        run_id,
        [(claim, verdict(claim, "unverified", 0.2)) for claim in claims],
        embedding_model="e5",
        store_generation=1,
    )
    store.add_review(claims[0].claim_id, "unverified", "Nothing settles it.", "Rania")
    store.add_review(claims[1].claim_id, "supported", "Confirmed by the ministry.", "Rania")
    reverify(store, claims[0], verdict(claims[0], "unverified", 0.2))
    reverify(store, claims[1], verdict(claims[1], "disputed", 0.8, cite(4, REFUTES)))

    with duckdb.connect(str(db_path), read_only=True) as con:
        viewed = dict(con.execute("SELECT claim_id, review_reasons FROM claims_needing_review").fetchall())
    assert {claim_id: tuple(found) for claim_id, found in viewed.items()} == reasons(store)
    assert sorted(viewed) == [claims[1].claim_id, claims[2].claim_id]


def test_a_version_3_database_stops_asking_about_reviewed_claims_once_upgraded(db_path):
    article = make_article()
    claim = make_claims(article)[0]
    scored = verdict(claim, "unverified", 0.2)
    with duckdb.connect(str(db_path)) as con:
        con.execute("BEGIN")
        assert migrate(con, MIGRATIONS[:3]) == 3
        con.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.article_values(article, scored.created_at)
        )
        con.execute(f"INSERT INTO claims VALUES ({', '.join(['?'] * 13)})", rows.claim_values(claim, scored.created_at))
        for verdict_id in (1, 2):
            con.execute(
                "INSERT INTO verdicts VALUES (?, ?, 'r1', 'unverified', 0.2, false, 'none', ?, 's', 'e5', 1, ?, ?, ?)",
                [verdict_id, claim.claim_id, claim.text, scored.created_at, scored.created_at, verdict_id - 1 or None],
            )
            if verdict_id == 1:
                con.execute(
                    "INSERT INTO reviews VALUES (1, ?, 1, 'unverified', 'nothing settles it', 'Rania', ?)",
                    [claim.claim_id, scored.created_at],
                )
        assert con.execute("SELECT review_reasons FROM claims_needing_review").fetchall() == [(["low confidence"],)]
        con.execute("COMMIT")

    assert ReportStore(db_path).needing_review() == []
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM claims_needing_review").fetchall() == [(0,)]


def test_sanad_report_needs_review_says_why_a_reviewed_claim_is_back(tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")
    store = ReportStore(tmp_path / "reports.duckdb")
    article = make_article()
    claim = make_claims(article)[0]
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims([claim])
    record(store, run_id, claim, verdict(claim, "supported", 0.9, cite(1, SUPPORTS)))
    store.finish_run(run_id, "completed")
    review = store.add_review(claim.claim_id, "supported", "Confirmed by the ministry.", "Rania")
    reverify(store, claim, verdict(claim, "disputed", 0.8, cite(1, SUPPORTS), cite(3, REFUTES)))
    changed = f"machine label changed from supported to disputed since the review on {day(review)}"
    new = f"new evidence disagrees with the review: {make_passage(3).publisher} {make_passage(3).url}"

    runner = CliRunner()
    table = runner.invoke(app, ["report", "--needs-review"], catch_exceptions=False)
    assert table.exit_code == 0, table.output
    review_column = " ".join(line.split("│")[-2].strip() for line in table.output.splitlines() if line.startswith("│"))
    assert f"SUPPORTED true, Rania needs review: {changed}, {new}" in " ".join(review_column.split())

    listed = runner.invoke(app, ["report", "--needs-review", "--format", "json"], catch_exceptions=False)
    (record_,) = json.loads(listed.stdout)
    assert record_["review_reasons"] == [changed, new]
