"""Conversions between domain types and rows of the reports database."""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from evidence_store.types import Passage
from verify.reports.types import ArticleInfo, ReportRow, Review, RunRecord, StoredVerdict, VerdictChange
from verify.types import Article, Citation, Claim, StanceScore, Verdict

Row = Mapping[str, Any]

# verdict_evidence columns after (verdict_id, rank), in table order
EVIDENCE_COLUMNS = (
    "passage_id",
    "doc_id",
    "passage_order",
    "char_start",
    "char_end",
    "language",
    "url",
    "title",
    "publisher",
    "published_at",
    "claim_reviewed",
    "rating",
    "passage_text",
    "p_supports",
    "p_refutes",
    "p_neutral",
    "relevance",
    "weight",
    "prior_fact_check",  # added by migration 3
)
# Passage field -> snapshot column, where the names differ
_PASSAGE_RENAMES = {"order": "passage_order", "text": "passage_text"}


def as_utc(moment: datetime | None) -> datetime | None:
    """A timezone-aware time; a naive one is taken to be UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def article_values(article: Article, now: datetime) -> list[Any]:
    """Values of an ``articles`` row, in table order."""
    return [
        article.article_id,
        article.url,
        article.title,
        article.publisher,
        as_utc(article.published_at),
        article.language,
        article.text,
        now,
    ]


def claim_values(claim: Claim, now: datetime) -> list[Any]:
    """Values of a ``claims`` row, in table order."""
    return [
        claim.claim_id,
        claim.article_id,
        claim.text,
        claim.start,
        claim.end,
        claim.language,
        claim.checkworthiness,
        claim.claim_type,
        claim.speaker,
        claim.attributed_content,
        claim.title,
        claim.previous_sentence,
        now,
    ]


def evidence_values(verdict_id: int, rank: int, citation: Citation) -> list[Any]:
    """Values of a ``verdict_evidence`` row: a snapshot of the passage and its scores."""
    passage = citation.passage.model_dump()
    snapshot = {_PASSAGE_RENAMES.get(name, name): value for name, value in passage.items()}
    snapshot["published_at"] = as_utc(snapshot["published_at"])
    snapshot |= {
        "p_supports": citation.stance.supports,
        "p_refutes": citation.stance.refutes,
        "p_neutral": citation.stance.neutral,
        "relevance": citation.relevance,
        "weight": citation.weight,
        "prior_fact_check": citation.prior_fact_check,
    }
    return [verdict_id, rank, *(snapshot[column] for column in EVIDENCE_COLUMNS)]


def citation_from(item: Row) -> Citation:
    """A citation rebuilt from a ``verdict_evidence`` row (or its struct)."""
    passage = Passage(
        **{name: item[_PASSAGE_RENAMES.get(name, name)] for name in Passage.model_fields},
    )
    stance = StanceScore(supports=item["p_supports"], refutes=item["p_refutes"], neutral=item["p_neutral"])
    return Citation(
        passage=passage,
        stance=stance,
        relevance=item["relevance"],
        weight=item["weight"],
        prior_fact_check=bool(item.get("prior_fact_check")),  # a NULL reads as ordinary evidence
    )


def run_from(row: Row) -> RunRecord:
    """A run rebuilt from a ``runs`` row."""
    return RunRecord(**{**row, "parameters": json.loads(row["parameters"])})


def claim_from(row: Row) -> Claim:
    """A claim rebuilt from a ``claim_report`` row."""
    return Claim(
        claim_id=row["claim_id"],
        article_id=row["article_id"],
        text=row["claim_text"],
        start=row["span_start"],
        end=row["span_end"],
        language=row["claim_language"],
        checkworthiness=row["checkworthiness"],
        claim_type=row["claim_type"],
        speaker=row["speaker"],
        attributed_content=row["attributed_content"],
        title=row["claim_title"],
        previous_sentence=row["context"],
    )


def report_row_from(row: Row) -> ReportRow:
    """A report row rebuilt from a ``claim_report`` row."""
    stored = None
    if row["verdict_id"] is not None:
        verdict = Verdict(
            claim_id=row["claim_id"],
            claim_text=row["verified_text"],
            label=row["label"],
            confidence=row["confidence"],
            conflicting=row["conflicting"],
            citations=tuple(citation_from(item) for item in row["evidence"] or ()),
            justification=row["justification"],
            stance_model=row["stance_model"],
            created_at=row["verdict_created_at"],
        )
        stored = StoredVerdict(
            verdict_id=row["verdict_id"],
            claim_id=row["claim_id"],
            run_id=row["run_id"],
            verdict=verdict,
            embedding_model=row["embedding_model"],
            store_generation=row["store_generation"],
            recorded_at=row["recorded_at"],
        )
    review = None
    if row["review_id"] is not None:
        review = Review(
            review_id=row["review_id"],
            claim_id=row["claim_id"],
            verdict_id=row["review_verdict_id"],
            rating=row["review_rating"],
            note=row["review_note"],
            reviewer=row["reviewer"],
            created_at=row["reviewed_at"],
        )
    article = ArticleInfo(
        article_id=row["article_id"],
        url=row["article_url"],
        title=row["article_title"],
        publisher=row["article_publisher"],
        published_at=row["article_published_at"],
        language=row["article_language"],
    )
    return ReportRow(
        claim=claim_from(row),
        article=article,
        verdict=stored,
        previous_label=row["previous_label"],
        review=review,
        review_reasons=tuple(row["review_reasons"]),
    )


def change_from(row: Row) -> VerdictChange:
    """A verdict change rebuilt from a ``verdict_changes`` row."""
    return VerdictChange(
        **{name: row[name] for name in VerdictChange.model_fields if not name.startswith("evidence_")},
        evidence_added=tuple(citation_from(item) for item in row["evidence_added"]),
        evidence_removed=tuple(citation_from(item) for item in row["evidence_removed"]),
    )
