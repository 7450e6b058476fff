"""Report rows as CSV (one flat row per claim), JSON (nested) and Parquet (flat plus nested evidence)."""

import csv
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from verify.reports.types import ReportRow
from verify.types import Citation

_TIME = pa.timestamp("us", tz="UTC")


def _verdict(name: str) -> Callable[[ReportRow], Any]:
    return lambda row: getattr(row.verdict.verdict, name) if row.verdict else None


def _stored(name: str) -> Callable[[ReportRow], Any]:
    return lambda row: getattr(row.verdict, name) if row.verdict else None


def _review(name: str) -> Callable[[ReportRow], Any]:
    return lambda row: getattr(row.review, name) if row.review else None


def _top(name: str) -> Callable[[ReportRow], Any]:
    def get(row: ReportRow) -> Any:
        citations = row.verdict.verdict.citations if row.verdict else ()
        return getattr(citations[0].passage, name) if citations else None

    return get


def _prior_checked(row: ReportRow) -> bool | None:
    """Whether the verdict follows a published fact-check of the claim (cited first: the top_* columns)."""
    return row.verdict.verdict.prior_fact_check is not None if row.verdict else None


# (column, arrow type, value) for every flat column, in order
_COLUMNS: tuple[tuple[str, pa.DataType, Callable[[ReportRow], Any]], ...] = (
    ("claim_id", pa.string(), lambda row: row.claim.claim_id),
    ("article_id", pa.string(), lambda row: row.article.article_id),
    ("article_title", pa.string(), lambda row: row.article.title),
    ("article_url", pa.string(), lambda row: row.article.url),
    ("article_publisher", pa.string(), lambda row: row.article.publisher),
    ("article_published_at", _TIME, lambda row: row.article.published_at),
    ("claim", pa.string(), lambda row: row.claim.text),
    ("speaker", pa.string(), lambda row: row.claim.speaker),
    ("attributed_content", pa.string(), lambda row: row.claim.attributed_content),
    ("context", pa.string(), lambda row: row.claim.previous_sentence),
    ("claim_type", pa.string(), lambda row: row.claim.claim_type),
    ("language", pa.string(), lambda row: row.claim.language),
    ("verdict_id", pa.int64(), _stored("verdict_id")),
    ("run_id", pa.string(), _stored("run_id")),
    ("label", pa.string(), _verdict("label")),
    ("confidence", pa.float64(), _verdict("confidence")),
    ("conflicting", pa.bool_(), _verdict("conflicting")),
    ("justification", pa.string(), _verdict("justification")),
    ("previous_label", pa.string(), lambda row: row.previous_label),
    ("review_rating", pa.string(), _review("rating")),
    ("review_label", pa.string(), _review("label")),
    ("review_note", pa.string(), _review("note")),
    ("reviewer", pa.string(), _review("reviewer")),
    ("reviewed_at", _TIME, _review("created_at")),
    ("final_label", pa.string(), lambda row: row.final_label),
    ("needs_review", pa.bool_(), lambda row: row.needs_review),
    ("review_reasons", pa.list_(pa.string()), lambda row: list(row.review_reasons)),
    ("evidence_count", pa.int64(), lambda row: len(row.verdict.verdict.citations) if row.verdict else 0),
    ("top_publisher", pa.string(), _top("publisher")),
    ("top_url", pa.string(), _top("url")),
    ("top_published_at", _TIME, _top("published_at")),
    ("prior_fact_check", pa.bool_(), _prior_checked),
    ("stance_model", pa.string(), _verdict("stance_model")),
    ("embedding_model", pa.string(), _stored("embedding_model")),
    ("store_generation", pa.int64(), _stored("store_generation")),
    ("recorded_at", _TIME, _stored("recorded_at")),
)

_EVIDENCE = pa.struct(
    [
        ("rank", pa.int64()),
        ("passage_id", pa.int64()),
        ("doc_id", pa.string()),
        ("publisher", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("published_at", _TIME),
        ("language", pa.string()),
        ("text", pa.string()),
        ("claim_reviewed", pa.string()),
        ("rating", pa.string()),
        ("supports", pa.float64()),
        ("refutes", pa.float64()),
        ("neutral", pa.float64()),
        ("relevance", pa.float64()),
        ("weight", pa.float64()),
        ("prior_fact_check", pa.bool_()),
    ]
)
PARQUET_SCHEMA = pa.schema([(name, kind) for name, kind, _ in _COLUMNS] + [("evidence", pa.list_(_EVIDENCE))])
CSV_COLUMNS = tuple(name for name, _, _ in _COLUMNS)


def evidence_record(rank: int, citation: Citation) -> dict[str, Any]:
    """One cited passage with its provenance and stance, as plain values."""
    passage = citation.passage
    return {
        "rank": rank,
        "passage_id": passage.passage_id,
        "doc_id": passage.doc_id,
        "publisher": passage.publisher,
        "url": passage.url,
        "title": passage.title,
        "published_at": passage.published_at,
        "language": passage.language,
        "text": passage.text,
        "claim_reviewed": passage.claim_reviewed,
        "rating": passage.rating,
        "supports": citation.stance.supports,
        "refutes": citation.stance.refutes,
        "neutral": citation.stance.neutral,
        "relevance": citation.relevance,
        "weight": citation.weight,
        "prior_fact_check": citation.prior_fact_check,
    }


def record(row: ReportRow) -> dict[str, Any]:
    """A report row as plain values: the flat columns plus its evidence list."""
    flat = {name: value(row) for name, _, value in _COLUMNS}
    citations = row.verdict.verdict.citations if row.verdict else ()
    return flat | {"evidence": [evidence_record(rank, c) for rank, c in enumerate(citations, 1)]}


def write_csv(rows: Sequence[ReportRow], out: TextIO) -> None:
    """One line per claim with its top citation (lists joined by '; ')."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = [value(row) for _, _, value in _COLUMNS]
        writer.writerow(
            ["; ".join(v) if isinstance(v, list) else v.isoformat() if isinstance(v, datetime) else v for v in values]
        )


def write_csv_file(rows: Sequence[ReportRow], path: Path) -> None:
    """The CSV as a file that starts with the UTF-8 byte-order mark (EF BB BF): without it, spreadsheet programs
    read the file in a legacy code page and Arabic comes out garbled; ``csv`` and DuckDB read it back as UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv(rows, handle)


def to_json(rows: Sequence[ReportRow]) -> str:
    """The rows as a JSON array, with every cited passage."""
    return json.dumps([record(row) for row in rows], ensure_ascii=False, indent=2, default=datetime.isoformat)


def write_parquet(rows: Sequence[ReportRow], path: Path) -> None:
    """A Parquet snapshot of the rows (query it later with DuckDB without touching the database)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([record(row) for row in rows], schema=PARQUET_SCHEMA), path)
