"""Mapping loosely-shaped records (JSONL lines, CSV rows) to ``DocumentInput``, with clear errors.

Accepted fields (aliases in brackets): ``text`` (required; [content, body]), ``id``
[doc_id], ``url``, ``title``, ``publisher`` [source], ``published_at`` [date,
published], ``lang`` [language], ``fetched_at``, and for a prior fact-check ``claim_reviewed``
and ``rating``. Unknown fields are ignored.
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Literal

from dateutil import parser as date_parser
from pydantic import BaseModel, ConfigDict

from evidence_store.errors import InvalidInput
from evidence_store.settings import StoreSettings
from evidence_store.types import DocumentInput

OnError = Literal["skip", "reject"]
DEFAULT_MAX_RECORD_BYTES: int = StoreSettings.model_fields["max_record_bytes"].default

_ALIASES = {
    "text": ("text", "content", "body"),
    "external_id": ("id", "doc_id"),
    "url": ("url",),
    "title": ("title",),
    "publisher": ("publisher", "source"),
    "published_at": ("published_at", "date", "published"),
    "language": ("lang", "language"),
    "fetched_at": ("fetched_at",),
    "claim_reviewed": ("claim_reviewed",),
    "rating": ("rating",),
}


class RecordError(InvalidInput):
    """A record that cannot become a document (the message says which field and why)."""


class IngestIssue(BaseModel):
    """A bad record: where it is and what is wrong with it."""

    model_config = ConfigDict(frozen=True)

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


class IngestRejected(InvalidInput):
    """Raised in ``reject`` mode when any record is bad; nothing is added."""

    def __init__(self, issues: list[IngestIssue]) -> None:
        self.issues = issues
        shown = "; ".join(str(issue) for issue in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"{len(issues)} bad record(s), nothing added: {shown}{more}")


def parse_json(text: str | bytes, parse_int: Callable[[str], object] | None = None) -> object:
    """``json.loads`` whose every failure is a ``RecordError`` (bad syntax, bad UTF-8, absurd nesting)."""
    try:
        return json.loads(text, parse_int=parse_int)
    except UnicodeDecodeError:
        raise RecordError("invalid UTF-8") from None
    except json.JSONDecodeError as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if exc.doc.count("\n") else ""
        raise RecordError(f"invalid JSON ({exc.msg}{where})") from None
    except RecursionError:
        raise RecordError("invalid JSON (nested too deeply)") from None


def parse_date(value: object) -> datetime | None:
    """A date or datetime in UTC (naive values are taken as UTC); None for empty values."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        parsed = _to_datetime(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError) as exc:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:79] + "…"
        raise RecordError(f"unparsable date {shown}") from exc


def _to_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            return date_parser.isoparse(value.strip())
        except (ValueError, OverflowError):
            return date_parser.parse(value.strip())
    raise ValueError("not a date")


def _first(record: Mapping[str, object], names: tuple[str, ...]) -> object:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _optional_str(value: object, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    raise RecordError(f"field {field!r} must be a string, got {type(value).__name__}")


def record_to_document(record: Mapping[str, object], defaults: Mapping[str, str] | None = None) -> DocumentInput:
    """Build a ``DocumentInput`` from a record; ``defaults`` fill fields the record lacks."""
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    merged = {**(defaults or {}), **{k: v for k, v in record.items() if v not in (None, "")}}
    text = _first(merged, _ALIASES["text"])
    if not isinstance(text, str) or not text.strip():
        raise RecordError("missing or empty 'text'")
    fields = {
        name: _optional_str(_first(merged, aliases), aliases[0])
        for name, aliases in _ALIASES.items()
        if name not in ("text", "published_at", "fetched_at")
    }
    return DocumentInput(
        text=text,
        published_at=parse_date(_first(merged, _ALIASES["published_at"])),
        fetched_at=parse_date(_first(merged, _ALIASES["fetched_at"])),
        **fields,
    )
