"""The review step of verify-article: pause after scoring with a form on the run's page, then record what the
reviewer decided exactly as ``sanad review`` does.

The form (a Prefect ``RunInput``) has one rating and one note per claim, the reviewer's name and "approve the rest";
its description lists each claim with the machine's verdict, confidence and top citation. A claim left undecided,
or a decision that cannot be recorded, stays in the review queue; so do all of them when the pause times out.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, cast

import pydantic
from prefect import get_run_logger
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import apause_flow_run
from prefect.input import RunInput
from pydantic import Field

from evidence_store.text.clip import one_line
from flows import runtime
from flows.params import ReviewStep
from verify.reports.markdown import BADGES, review_brief, top_citation_text
from verify.reports.ratings import PLAIN_RATING, SCALE, ReviewRating
from verify.reports.types import ReportFilter
from verify.types import Claim, Verdict

CLAIM_TITLE_CHARS = 140
POLL_SECONDS = 2  # how soon after Resume the run goes on


class Decision(StrEnum):
    """A rating from the reviewers' scale (``verify.reports.ratings``), or none yet."""

    undecided = "undecided"
    true = "true"
    mostly_true = "mostly-true"
    misleading = "misleading"
    false = "false"
    unproven = "unproven"
    not_checkable = "not-checkable"


class ReviewForm(RunInput):
    """What the reviewer fills in; ``rating_N`` and ``note_N`` fields are added for each claim."""

    reviewer: str = Field(title="Your name", min_length=1, description="Recorded with each review.")
    approve_rest: bool = Field(
        False,
        title="Approve every undecided verdict",
        description="Record the machine's verdict as your rating for each claim left undecided.",
    )


class Recorded(pydantic.BaseModel):
    """What the review step recorded, and the one-line reasons for what it did not."""

    model_config = pydantic.ConfigDict(frozen=True)

    reviews: int
    problems: tuple[str, ...]


def review_form(scored: Sequence[tuple[Claim, Verdict]]) -> type[ReviewForm]:
    """The form for these claims: ``rating_N`` titled with claim N and described by its machine verdict, ``note_N``."""
    fields: dict[str, Any] = {}
    for number, (claim, verdict) in enumerate(scored, start=1):
        machine = f"Machine: {BADGES[verdict.label]}, {verdict.confidence:.0%}. {top_citation_text(verdict)}"
        fields[f"rating_{number}"] = (
            Decision,
            Field(
                Decision.undecided, title=f"{number}. {one_line(claim.text, CLAIM_TITLE_CHARS)}", description=machine
            ),
        )
        fields[f"note_{number}"] = (
            str,
            Field(
                "",
                title=f"Note on claim {number}",
                description="Why: published as the ClaimReview explanation. Needed to change the machine's verdict.",
            ),
        )
    form = pydantic.create_model(ReviewForm.__name__, __base__=ReviewForm, **fields)
    return form.with_initial_data(description=review_brief(scored))


def decisions(
    answer: ReviewForm, scored: Sequence[tuple[Claim, Verdict]]
) -> tuple[list[tuple[str, ReviewRating, str]], list[str]]:
    """(claim id, rating, note) for each decided claim, and one line for each decision that cannot be recorded."""
    values = answer.model_dump()
    if not answer.reviewer.strip():
        return [], ["the review form had no reviewer name: nothing was recorded"]
    decided, problems = [], []
    for number, (claim, verdict) in enumerate(scored, start=1):
        choice, note = Decision(values[f"rating_{number}"]), values[f"note_{number}"].strip()
        if choice is Decision.undecided and not answer.approve_rest:
            continue
        rating = PLAIN_RATING[verdict.label] if choice is Decision.undecided else cast(ReviewRating, choice.value)
        if SCALE[rating].label != verdict.label and not note:
            problems.append(f"claim {number} rated {rating} against the machine's {verdict.label} without a note")
            continue
        decided.append((claim.claim_id, rating, note or f"Confirmed Sanad's verdict: {verdict.justification}"))
    return decided, problems


async def review_in_run(run_id: str, step: ReviewStep) -> Recorded:
    """Pause until a reviewer submits the form for the claims this run scored (or ``step.timeout_minutes``
    pass), then record their reviews."""
    logger = get_run_logger()
    rows = runtime.reports().report(ReportFilter(run_id=run_id))
    scored = [(row.claim, row.verdict.verdict) for row in rows if row.verdict]
    if not scored:
        return Recorded(reviews=0, problems=())
    logger.info("waiting up to %g minutes for a reviewer: press Resume on this run's page", step.timeout_minutes)
    try:
        answer = await apause_flow_run(
            wait_for_input=review_form(scored),
            timeout=max(1, round(step.timeout_minutes * 60)),
            poll_interval=POLL_SECONDS,
            key="review",
        )
    except FlowPauseTimeout:
        logger.warning(
            "no review within %g minutes: the %d claims stay in the review queue (sanad report --needs-review)",
            step.timeout_minutes,
            len(scored),
        )
        return Recorded(reviews=0, problems=("no review before the timeout",))
    decided, problems = decisions(answer, scored)
    reports = runtime.reports()
    for claim_id, rating, note in decided:
        reports.add_review(claim_id, rating, note, answer.reviewer.strip())
    for problem in problems:
        logger.warning("%s; left in the review queue", problem)
    logger.info("recorded %d review(s) by %s", len(decided), answer.reviewer.strip())
    return Recorded(reviews=len(decided), problems=tuple(problems))
