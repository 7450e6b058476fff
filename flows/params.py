"""Parameters and results of Sanad's flows: pydantic models and enums, so the Prefect UI renders a form.

Kept apart from the flows so that each flow, the deployments and the command line import them without
importing one another. (No ``from __future__ import annotations`` here: served flows would then fail
with "not fully defined".)
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from verify.settings import Settings

_DEFAULTS = Settings.model_fields


# verify-article


class Language(StrEnum):
    auto = "auto"
    ar = "ar"
    en = "en"


class ArticleInput(BaseModel):
    """The article to verify: a URL to fetch, its text (or HTML) pasted, or a stored article's digest.

    Prefect refuses flow parameters over 512 KiB, so large text travels as a file in ``SANAD_HOME/articles``
    (``flows.verify_article.by_reference``) and the flow reads it.
    """

    url: str = Field("", title="Article URL", description="Fetched and cleaned. Leave empty to paste the text.")
    text: str = Field("", title="Article text", description="The article's text or HTML, if no URL is given.")
    stored: str = Field(
        "",
        title="Stored article",
        description="The SHA-256 of an article stored in SANAD_HOME/articles (how `sanad demo` passes large ones).",
        pattern=r"^([0-9a-f]{64})?$",
    )
    title: str = Field("", title="Title")
    publisher: str = Field("", title="Publisher")
    published_on: date | None = Field(None, title="Published on")
    language: Language = Field(Language.auto, title="Language", description="auto: detected per article")


class VerdictThresholds(BaseModel):
    """How strong and relevant evidence must be to decide a verdict."""

    relevance_floor: float = Field(
        _DEFAULTS["verdict_relevance_floor"].default,
        ge=0,
        le=1,
        title="Relevance floor",
        description="Passages less similar to the claim than this cannot decide its verdict.",
    )
    relevance_full: float = Field(
        _DEFAULTS["verdict_relevance_full"].default, ge=0, le=1, title="Relevance for full weight"
    )
    relevance_margin: float = Field(
        _DEFAULTS["verdict_relevance_margin"].default,
        gt=0,
        le=1,
        title="Relevance margin",
        description="Passages this much less similar than the claim's best passage cannot decide its verdict.",
    )
    min_strength: float = Field(
        _DEFAULTS["verdict_min_strength"].default,
        ge=0,
        le=1,
        title="Minimum stance strength",
        description="Weaker support or refutation leaves the claim unverified.",
    )
    conflict_strength: float = Field(
        _DEFAULTS["verdict_conflict_strength"].default,
        ge=0,
        le=1,
        title="Conflict strength",
        description="Support and refutation both this strong: disputed, flagged conflicting.",
    )


class VerifyOptions(BaseModel):
    """How much to check and how strict to be."""

    max_claims: int = Field(15, ge=1, le=100, title="Max claims", description="The most check-worthy first.")
    top_k: int = Field(_DEFAULTS["verdict_top_k"].default, ge=1, le=20, title="Evidence passages per claim")
    thresholds: VerdictThresholds = Field(default_factory=VerdictThresholds, title="Verdict thresholds")
    prior_checks: bool = Field(
        _DEFAULTS["prior_checks"].default,
        title="Use prior fact-checks",
        description="A claim matched to a published fact-check of the same claim takes its rating.",
    )

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with this run's thresholds."""
        return settings.model_copy(
            update={
                "verdict_relevance_floor": self.thresholds.relevance_floor,
                "verdict_relevance_full": self.thresholds.relevance_full,
                "verdict_relevance_margin": self.thresholds.relevance_margin,
                "verdict_min_strength": self.thresholds.min_strength,
                "verdict_conflict_strength": self.thresholds.conflict_strength,
                "verdict_top_k": self.top_k,
                "prior_checks": self.prior_checks,
            }
        )


class ReviewStep(BaseModel):
    """Whether the run pauses after scoring for a fact-checker to rate its claims on the run's page."""

    pause: bool = Field(
        False,
        title="Pause for review",
        description="After scoring, wait for a reviewer: press Resume on the run's page and rate each claim.",
    )
    timeout_minutes: float = Field(
        60,
        gt=0,
        le=7 * 24 * 60,
        title="Wait at most (minutes)",
        description="Then the run ends and its claims stay in the review queue.",
    )


class VerifySummary(BaseModel):
    """What a verify-article run found."""

    run_id: str
    article_id: str
    title: str | None
    claims: int
    previously_fact_checked: int = 0
    supported: int
    disputed: int
    unverified: int
    changed: int
    reviewed: int = 0  # claims rated in the run's review step


# verify-batch


class BatchRequest(BaseModel):
    """Articles to verify."""

    urls: list[str] = Field(default_factory=list, title="Article URLs", min_length=1)
    options: VerifyOptions = Field(default_factory=VerifyOptions, title="Verification options")


# ingest-evidence


class OnError(StrEnum):
    skip = "skip"
    reject = "reject"


class IngestRequest(BaseModel):
    """What to ingest. Feeds only contribute items not seen before."""

    sources: list[str] = Field(
        default_factory=list,
        title="Files, folders or URLs",
        description="Web pages, or paths on the worker inside SANAD_INGEST_ROOTS (default SANAD_HOME/inbox): "
        ".jsonl, .csv, .json ClaimReview, .txt, .md, .html, folders.",
    )
    feeds: list[str] = Field(default_factory=list, title="RSS/Atom feeds", description="Only new items are ingested.")
    on_error: OnError = Field(
        OnError.skip, title="Bad records", description="skip: add the good ones; reject: add nothing from the sources."
    )


class IngestSummary(BaseModel):
    """What one ingest run added."""

    documents_added: int
    documents_replaced: int
    duplicates: int
    passages_added: int
    feed_items_new: int
    issues: list[str]


# reverify-claims


class Scope(StrEnum):
    stale = "stale"
    all = "all"
    unverified = "unverified"
    article = "article"


class ReverifyRequest(BaseModel):
    """Which stored claims to score again."""

    scope: Scope = Field(
        Scope.stale,
        title="Claims",
        description=(
            "stale: unverified, older than the age below, or matched to a fact-check published since; "
            "all; unverified; or one article's claims."
        ),
    )
    older_than_days: int = Field(7, ge=0, title="Older than (days)", description="For 'stale'.")
    article_id: str = Field("", title="Article id", description="For 'article'.")
    options: VerifyOptions = Field(default_factory=VerifyOptions, title="Verification options")


class ReverifySummary(BaseModel):
    """What a re-verification run did."""

    run_id: str
    claims: int
    changed: int
