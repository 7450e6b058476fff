"""JSONL and CSV files of documents, one record per line or row, with line-numbered errors.

A line or field longer than ``max_record_bytes`` is reported and skipped without being read
into memory whole. A document id that a file repeats is reported and its later records skipped,
except a ClaimReview's id (made from the review's URL): the same review read again, the later
version wins in the store.
"""

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, AnyStr

from evidence_store.ingest.claimreview import REVIEW_ID_PREFIX
from evidence_store.ingest.records import (
    DEFAULT_MAX_RECORD_BYTES,
    IngestIssue,
    RecordError,
    parse_json,
    record_to_document,
)
from evidence_store.types import DocumentInput

Parsed = DocumentInput | IngestIssue
# what one parsed record gives: documents, or a RecordError for each part of it that is unusable
RecordReader = Callable[[object], Iterator[DocumentInput | RecordError]]
_SKIP_CHUNK = 1 << 20


def _lines(handle: IO, limit: int) -> Iterator[AnyStr | None]:
    """Each line of ``handle``; ``None`` for a line longer than ``limit`` (skipped to its end unread)."""
    while raw := handle.readline(limit + 1):
        if len(raw) > limit and raw[-1:] not in (b"\n", "\n"):
            while (rest := handle.readline(_SKIP_CHUNK)) and rest[-1:] not in (b"\n", "\n"):
                pass
            yield None
        else:
            yield raw


def _too_long(path: Path, line: int, limit: int) -> IngestIssue:
    message = f"line is over the {limit:,}-byte record limit (SANAD_MAX_RECORD_BYTES)"
    return IngestIssue(source=str(path), line=line, message=message)


def _csv_lines(handle: IO[str], limit: int, skipped: list[int]) -> Iterator[str]:
    """Lines for ``csv``: an over-long line becomes a blank one (which csv skips) and is noted in ``skipped``."""
    for number, line in enumerate(_lines(handle, limit), start=1):
        if line is None:
            skipped.append(number)
        yield "\n" if line is None else line


def _one_document(record: object) -> Iterator[DocumentInput | RecordError]:
    yield record_to_document(record)


def read_jsonl(
    path: Path, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, read_record: RecordReader = _one_document
) -> Iterator[Parsed]:
    """The documents of each non-blank line (one, unless ``read_record`` says otherwise), or an
    ``IngestIssue`` naming the bad line."""
    return _first_of_each_id(path, _numbered_jsonl(path, max_record_bytes, read_record))


def _numbered_jsonl(path: Path, max_record_bytes: int, read_record: RecordReader) -> Iterator[tuple[int, Parsed]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(_lines(handle, max_record_bytes), start=1):
            if raw is None:
                yield number, _too_long(path, number, max_record_bytes)
                continue
            if not raw.strip():
                continue
            try:
                items = list(read_record(parse_json(raw.strip())))
            except (RecordError, ValueError) as exc:
                yield number, IngestIssue(source=str(path), line=number, message=str(exc).splitlines()[0])
                continue
            for item in items:
                is_issue = isinstance(item, RecordError)
                yield number, IngestIssue(source=str(path), line=number, message=str(item)) if is_issue else item


def _first_of_each_id(path: Path, numbered: Iterator[tuple[int | None, Parsed]]) -> Iterator[Parsed]:
    """``numbered``'s items, with each document whose id an earlier line already had turned into an issue
    (a ClaimReview's id excepted, see the module)."""
    first_line: dict[str, int] = {}
    for number, item in numbered:
        doc_id = item.external_id if isinstance(item, DocumentInput) else None
        if doc_id is None or doc_id.startswith(REVIEW_ID_PREFIX):
            yield item
        elif doc_id in first_line:
            shown = repr(doc_id) if len(repr(doc_id)) <= 80 else repr(doc_id)[:79] + "…"
            message = f"id {shown} already appears on line {first_line[doc_id]}; skipped"
            yield IngestIssue(source=str(path), line=number, message=message)
        else:
            first_line[doc_id] = number
            yield item


def read_csv(path: Path, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Parsed]:
    """One ``DocumentInput`` per CSV row (header names as in ``records``), or an ``IngestIssue``."""
    return _first_of_each_id(path, _numbered_csv(path, max_record_bytes))


def _numbered_csv(path: Path, max_record_bytes: int) -> Iterator[tuple[int | None, Parsed]]:
    csv.field_size_limit(max_record_bytes)
    skipped: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(_csv_lines(handle, max_record_bytes, skipped))
            try:
                fieldnames = reader.fieldnames
            except csv.Error as exc:
                yield 1, IngestIssue(source=str(path), line=1, message=f"unreadable CSV header ({exc})")
                return
            if not fieldnames or not {"text", "content", "body"} & set(fieldnames):
                yield 1, IngestIssue(source=str(path), line=1, message="CSV header has no 'text' column")
                return
            while True:
                try:
                    row = next(reader, None)
                except csv.Error as exc:
                    message = f"unreadable row ({exc})"
                    yield reader.line_num, IngestIssue(source=str(path), line=reader.line_num, message=message)
                    continue
                while skipped:
                    number = skipped.pop(0)
                    yield number, _too_long(path, number, max_record_bytes)
                if row is None:
                    return
                line = reader.line_num
                if None in row:
                    yield line, IngestIssue(source=str(path), line=line, message="row has more fields than the header")
                    continue
                try:
                    yield line, record_to_document(row)
                except (RecordError, ValueError) as exc:
                    yield line, IngestIssue(source=str(path), line=line, message=str(exc).splitlines()[0])
    except UnicodeDecodeError:
        yield None, IngestIssue(source=str(path), line=None, message="invalid UTF-8")
