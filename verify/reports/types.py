"""What the report store gives back: runs, stored verdicts, reviews, report rows and changes."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from evidence_store.errors import InvalidInput
from verify.reports.ratings import SCALE, ReviewRating
from verify.types import Citation, Claim, Verdict, VerdictLabel

RunStatus = Literal["running", "completed", "failed"]
# an unreviewed verdict: "low confidence", "conflicting" or "changed"; a reviewed one: what changed since the review
# ("machine label changed from X to Y since the review on DATE", "new evidence disagrees with the review: SOURCE")
ReviewReason = str


class ReportsError(InvalidInput):
    """Bad input to, or an unusable state of, the reports database; nothing was written."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunRecord(_Frozen):
    """One flow run as the reports database knows it."""

    run_id: str
    kind: str
    parameters: dict[str, Any]
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    host: str
    pid: int


class ArticleInfo(_Frozen):
    """Where a claim appeared (the article without its text)."""

    article_id: str
    url: str | None
    title: str | None
    publisher: str | None
    published_at: datetime | None
    language: str | None


class StoredVerdict(_Frozen):
    """A verdict as recorded: one row of the append-only history, with the versions that made it."""

    verdict_id: int
    claim_id: str
    run_id: str
    verdict: Verdict
    embedding_model: str
    store_generation: int
    recorded_at: datetime


class Review(_Frozen):
    """A fact-checker's verdict on a claim, kept beside the machine's: a rating of ``verify.reports.ratings``."""

    review_id: int
    claim_id: str
    verdict_id: int | None  # the latest machine verdict when the review was made
    rating: ReviewRating
    note: str
    reviewer: str
    created_at: datetime

    @property
    def label(self) -> VerdictLabel:
        """The machine label the rating falls under (what the review queue compares new evidence with)."""
        return SCALE[self.rating].label


class ReportRow(_Frozen):
    """One claim of a report with its verdict (None when never scored) and its latest review."""

    claim: Claim
    article: ArticleInfo
    verdict: StoredVerdict | None
    previous_label: VerdictLabel | None
    review: Review | None
    review_reasons: tuple[ReviewReason, ...]  # empty when fine, or reviewed and nothing disagrees since

    @property
    def needs_review(self) -> bool:
        """Whether a fact-checker should look at this verdict."""
        return bool(self.review_reasons)

    @property
    def final_label(self) -> VerdictLabel | None:
        """The reviewer's label when there is one, else the machine's."""
        if self.review is not None:
            return self.review.label
        return self.verdict.verdict.label if self.verdict else None


class ReportFilter(_Frozen):
    """Which claims a report shows; unset fields do not filter."""

    run_id: str | None = None  # the verdicts of this run, even if later ones superseded them
    article_id: str | None = None
    label: VerdictLabel | None = None  # the machine's label
    since: datetime | None = None  # verdicts recorded at or after this time
    needs_review: bool = False
    prior_checked: bool = False  # only claims whose verdict follows a published fact-check of the claim


class VerdictChange(_Frozen):
    """A claim whose label changed between two consecutive verdicts, with the evidence that differs."""

    claim_id: str
    claim_text: str
    run_id: str
    changed_at: datetime
    old_verdict_id: int
    new_verdict_id: int
    old_label: VerdictLabel
    new_label: VerdictLabel
    old_confidence: float = Field(ge=0.0, le=1.0)
    new_confidence: float = Field(ge=0.0, le=1.0)
    evidence_added: tuple[Citation, ...]  # cited now, not before
    evidence_removed: tuple[Citation, ...]  # cited before, not now
