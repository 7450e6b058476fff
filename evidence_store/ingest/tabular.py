"""JSONL and CSV files of documents, one record per line or row, with line-numbered errors."""

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from evidence_store.ingest.records import IngestIssue, RecordError, record_to_document
from evidence_store.types import DocumentInput

Parsed = DocumentInput | IngestIssue


def read_jsonl(path: Path) -> Iterator[Parsed]:
    """One ``DocumentInput`` per non-blank line, or an ``IngestIssue`` naming the bad line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                yield record_to_document(record)
            except UnicodeDecodeError:
                yield IngestIssue(source=str(path), line=number, message="invalid UTF-8")
            except json.JSONDecodeError as exc:
                yield IngestIssue(source=str(path), line=number, message=f"invalid JSON ({exc.msg})")
            except (RecordError, ValueError) as exc:
                yield IngestIssue(source=str(path), line=number, message=str(exc).splitlines()[0])


def read_csv(path: Path) -> Iterator[Parsed]:
    """One ``DocumentInput`` per CSV row (header names as in ``records``), or an ``IngestIssue``."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        with handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"text", "content", "body"} & set(reader.fieldnames):
                yield IngestIssue(source=str(path), line=1, message="CSV header has no 'text' column")
                return
            for row in reader:
                line = reader.line_num
                if None in row:
                    yield IngestIssue(source=str(path), line=line, message="row has more fields than the header")
                    continue
                try:
                    yield record_to_document(row)
                except (RecordError, ValueError) as exc:
                    yield IngestIssue(source=str(path), line=line, message=str(exc).splitlines()[0])
    except UnicodeDecodeError:
        yield IngestIssue(source=str(path), line=None, message="invalid UTF-8")
