"""Domain types of the evidence store: frozen pydantic models passed between stages."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evidence_store.text.control import strip_controls

Role = Literal["query", "passage"]
SearchMode = Literal["dense", "bm25", "hybrid"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentInput(_Frozen):
    """A document to ingest, before it is chunked and embedded."""

    text: str = Field(min_length=1)
    external_id: str | None = None
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    fetched_at: datetime | None = None
    claim_reviewed: str | None = None  # set for a prior fact-check (ClaimReview): the claim it rated
    rating: str | None = None  # and the rating it gave, e.g. "False", "Misleading"

    @field_validator("external_id", "url", "title", "publisher", "language", "claim_reviewed", "rating", mode="before")
    @classmethod
    def _no_controls(cls, value: object) -> object:
        """Metadata keeps no control characters (a title with ESC sequences would drive the terminal that
        lists it); one left blank becomes ``None``. The text is cleaned by ``limits.clean_document_text``."""
        if not isinstance(value, str):
            return value
        return strip_controls(value) or None

    def updated(self, **fields: object) -> "DocumentInput":
        """A copy with ``fields`` replaced, checked like a new document (``model_copy`` skips the validators)."""
        return DocumentInput.model_validate({**self.model_dump(), **fields})


class Document(_Frozen):
    """A stored document with its provenance."""

    doc_id: str
    url: str | None
    title: str | None
    publisher: str | None
    published_at: datetime | None
    language: str | None
    content_hash: str
    fetched_at: datetime | None
    added_at: datetime
    passage_count: int
    claim_reviewed: str | None = None
    rating: str | None = None


class Passage(_Frozen):
    """A chunk of a document, with its position and the document's provenance."""

    passage_id: int
    doc_id: str
    order: int
    text: str
    char_start: int
    char_end: int
    language: str | None
    url: str | None
    title: str | None
    publisher: str | None
    published_at: datetime | None
    claim_reviewed: str | None = None
    rating: str | None = None


class SearchHit(_Frozen):
    """A passage retrieved for a query, with the score of each retriever that found it."""

    rank: int
    passage: Passage
    fused_score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None
    store_generation: int  # the store's generation when it was searched: what the hit was found in


class AddReport(_Frozen):
    """What one ``add`` call did."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    passages_added: int = 0


class StoreStats(_Frozen):
    """Counts and configuration of a store."""

    path: str
    model: str
    dimension: int
    index_type: str
    documents: int
    passages: int
    languages: dict[str, int]
    publishers: dict[str, int]
    generation: int
