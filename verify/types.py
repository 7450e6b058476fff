"""Domain types of verification: frozen pydantic models passed between stages."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evidence_store.types import Passage

ClaimType = Literal["factual", "quote", "statistic", "opinion"]
StanceLabel = Literal["supports", "refutes", "neutral"]
VerdictLabel = Literal["supported", "disputed", "unverified"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(_Frozen):
    """An article after intake and cleaning: ``text`` is what claim spans point into."""

    article_id: str
    text: str
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    removed_lines: tuple[str, ...] = ()  # page furniture dropped by cleaning, for reviewers


class Claim(_Frozen):
    """A check-worthy statement of an article, standing on its own."""

    claim_id: str
    article_id: str
    text: str  # the sentence (or clause) as it appears in the article
    start: int  # Article.text[start:end] == text
    end: int
    language: str | None
    checkworthiness: float = Field(ge=0.0, le=1.0)
    claim_type: ClaimType
    speaker: str | None = None  # who the article says made it
    attributed_content: str | None = None  # what the speaker is reported to have said
    title: str | None = None  # the article's title, for context
    previous_sentence: str | None = None

    @property
    def check_text(self) -> str:
        """What to verify against evidence: the attributed content when there is one."""
        return self.attributed_content or self.text


class StanceScore(_Frozen):
    """P(supports), P(refutes), P(neutral) of one (claim, passage) pair; they sum to 1."""

    supports: float = Field(ge=0.0, le=1.0)
    refutes: float = Field(ge=0.0, le=1.0)
    neutral: float = Field(ge=0.0, le=1.0)

    @property
    def label(self) -> StanceLabel:
        """The most probable stance."""
        return max(("supports", "refutes", "neutral"), key=lambda name: getattr(self, name))


class Citation(_Frozen):
    """A passage a verdict relies on, with its stance and how relevant retrieval found it."""

    passage: Passage
    stance: StanceScore
    relevance: float  # retrieval similarity of claim and passage, in [0, 1] where known
    weight: float  # this passage's share in the aggregated decision
    # a published fact-check of this very claim (``verify.prior``): its stance is its rating, to the
    # matching probability, and the verdict follows it
    prior_fact_check: bool = False

    @property
    def cited_as(self) -> Literal["supports", "refutes"]:
        """The side this passage counts for: the larger of P(supports) and P(refutes). A cited passage's
        most probable stance can still be neutral (refutes 0.39, neutral 0.60 is cited as refuting)."""
        return "supports" if self.stance.supports >= self.stance.refutes else "refutes"


class Verdict(_Frozen):
    """The machine's judgement of one claim from the evidence it was shown."""

    claim_id: str | None = None  # the judged claim's id (None for a text judged on its own, as in evaluation)
    claim_text: str
    label: VerdictLabel
    confidence: float = Field(ge=0.0, le=1.0)
    conflicting: bool = False
    citations: tuple[Citation, ...] = ()
    justification: str
    stance_model: str
    created_at: datetime

    @property
    def prior_fact_check(self) -> Citation | None:
        """The published fact-check of this claim that the verdict follows, if one was matched."""
        return next((citation for citation in self.citations if citation.prior_fact_check), None)

    @model_validator(mode="after")
    def _decisive_verdicts_cite(self) -> "Verdict":
        if self.label != "unverified" and not self.citations:
            raise ValueError(f"a {self.label} verdict must cite at least one passage")
        return self
