"""verify-article's review step: the form, the decisions it records, and a real pause resumed on a real server."""

import asyncio
import contextlib
import threading
import time

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError
from prefect.flow_runs import resume_flow_run

from evidence_store.demo import DEMO_CORPUS
from evidence_store.ingest.sources import load_jsonl_corpus
from flows import runtime
from flows.params import ArticleInput, ReviewStep, VerifyOptions
from flows.review_step import Decision, decisions, review_form
from flows.verify_article import run_verify_article
from tests.support.report_factories import make_article, make_claims, make_verdict
from tests.support.shared import SAMPLE_ARTICLE
from verify.reports.ratings import RATINGS
from verify.reports.types import ReportFilter


def scored():
    claims = make_claims(make_article())
    labels = ("supported", "disputed", "unverified")
    pairs = zip(claims, labels, strict=True)
    return [(claim, make_verdict(claim, label, 0.8, (n + 1,))) for n, (claim, label) in enumerate(pairs)]


def test_the_form_shows_each_claim_with_its_verdict_confidence_and_top_citation():
    pairs = scored()
    form = review_form(pairs)
    schema = form.model_json_schema()
    assert [name for name in schema["properties"]] == [
        "reviewer", "approve_rest", "rating_1", "note_1", "rating_2", "note_2", "rating_3", "note_3",
    ]  # fmt: skip
    first = schema["properties"]["rating_1"]
    assert first["title"].startswith("1. ") and pairs[0][0].text[:40] in first["title"]
    assert first["description"].startswith("Machine: SUPPORTED, 80%. Top citation (supports):")
    assert pairs[0][1].citations[0].passage.publisher in first["description"]
    assert [decision.value for decision in Decision] == ["undecided", *RATINGS]
    brief = form._description  # shown above the form in the UI
    assert "**2. DISPUTED · 80%**" in brief and pairs[1][1].citations[0].passage.publisher in brief


def answer(pairs, **values):
    return review_form(pairs)(**values)


def test_decisions_record_ratings_approvals_and_refuse_unexplained_overrides():
    pairs = scored()
    ids = [claim.claim_id for claim, _ in pairs]

    chosen, problems = decisions(
        answer(pairs, reviewer="Rania", rating_1="mostly-true", note_1="Ministry record."), pairs
    )
    assert (chosen, problems) == ([(ids[0], "mostly-true", "Ministry record.")], [])  # 2 and 3 stay undecided

    chosen, problems = decisions(answer(pairs, reviewer="Rania", rating_2="true", approve_rest=True), pairs)
    assert problems == ["claim 2 rated true against the machine's disputed without a note"]
    assert [(claim_id, rating) for claim_id, rating, _ in chosen] == [(ids[0], "true"), (ids[2], "unproven")]
    assert chosen[0][2].startswith("Confirmed Sanad's verdict: ")  # an approval needs no note of its own

    chosen, problems = decisions(answer(pairs, reviewer="  ", approve_rest=True), pairs)
    assert chosen == [] and problems == ["the review form had no reviewer name: nothing was recorded"]


@pytest.fixture
def demo_home(flow_home, e5):
    documents, _ = load_jsonl_corpus(DEMO_CORPUS)
    runtime.evidence_store().add(documents)
    return flow_home


def _in_thread(step: ReviewStep) -> tuple[threading.Thread, dict]:
    """verify-article on the sample article in a thread, as a served run would be; its result lands in the dict."""
    result: dict = {}

    def run():
        try:
            article = ArticleInput(text=SAMPLE_ARTICLE.read_text(encoding="utf-8"))
            result["summary"] = run_verify_article(article, VerifyOptions(max_claims=4), step)
        except BaseException as exc:  # reported by the test
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def _paused_run(after: float) -> str:
    """The id of the verify-article run started after ``after`` once it waits with its form saved (the test server
    is shared by the session)."""

    async def waiting() -> str | None:
        async with get_client() as client:
            paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
            for run in await client.read_flow_runs(flow_run_filter=paused):
                keyset = run.state.state_details.run_input_keyset if run.state else None
                if run.created and run.created.timestamp() >= after and keyset:
                    with contextlib.suppress(ObjectNotFound, PrefectHTTPStatusError):  # saved just after the pause
                        await client.read_flow_run_input(run.id, keyset["schema"])
                        return str(run.id)
        return None

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if found := asyncio.run(waiting()):
            return found
        time.sleep(1)
    raise AssertionError("verify-article never paused for review")


@pytest.mark.skipif(not SAMPLE_ARTICLE.exists(), reason="sample article not available")
def test_a_paused_run_resumed_with_the_form_records_the_reviews(demo_home):
    started = time.time() - 1
    thread, result = _in_thread(ReviewStep(pause=True, timeout_minutes=10))
    run_id = _paused_run(started)
    rows = runtime.reports().report(ReportFilter(run_id=run_id))
    assert rows and all(row.review is None for row in rows)  # scored and stored before the pause
    resume_flow_run(
        run_id,
        run_input={
            "reviewer": "Rania",
            "rating_1": "misleading",
            "note_1": "It was in 2019.",
            "rating_2": "true",
        },
    )
    thread.join(120)
    assert "error" not in result, result
    summary = result["summary"]
    assert summary.run_id == run_id and summary.reviewed == 2  # claim 2's approval of its machine label needs no note
    reviewed = {row.claim.claim_id: row.review for row in runtime.reports().report(ReportFilter(run_id=run_id))}
    first, second = (reviewed[row.claim.claim_id] for row in rows[:2])
    assert (first.rating, first.note, first.reviewer) == ("misleading", "It was in 2019.", "Rania")
    assert second.rating == "true" and second.label == rows[1].verdict.verdict.label == "supported"
    assert runtime.reports().run(run_id).status == "completed"


@pytest.mark.skipif(not SAMPLE_ARTICLE.exists(), reason="sample article not available")
def test_a_pause_nobody_answers_ends_the_run_and_leaves_the_claims_in_the_queue(demo_home):
    thread, result = _in_thread(ReviewStep(pause=True, timeout_minutes=0.05))  # three seconds
    thread.join(180)
    assert "error" not in result, result
    summary = result["summary"]
    assert summary.reviewed == 0 and runtime.reports().run(summary.run_id).status == "completed"
    rows = runtime.reports().report(ReportFilter(run_id=summary.run_id))
    assert rows and all(row.review is None for row in rows)
