"""Plain-text, Markdown and HTML files, alone or in a folder tree."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from evidence_store.ingest.html import NoArticleText, html_to_document
from evidence_store.ingest.records import DEFAULT_MAX_RECORD_BYTES, IngestIssue
from evidence_store.types import DocumentInput

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def _title_from_text(text: str, path: Path) -> str:
    for line in text.splitlines():
        stripped = line.strip().lstrip("#").strip()
        if stripped:
            return stripped[:200] if line.lstrip().startswith("#") else path.stem
    return path.stem


def read_capped(path: Path, max_bytes: int) -> bytes | IngestIssue:
    """The bytes of ``path``, or an issue when it is over ``max_bytes`` (never read whole)."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        return IngestIssue(
            source=str(path),
            line=None,
            message=f"file is over the {max_bytes:,}-byte record limit (SANAD_MAX_RECORD_BYTES)",
        )
    return raw


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> DocumentInput | IngestIssue:
    """One document from a .txt/.md/.html file, or an issue saying why it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        return IngestIssue(source=str(path), line=None, message=f"unsupported file type {suffix or '(none)'}")
    raw = read_capped(path, max_bytes)
    if isinstance(raw, IngestIssue):
        return raw
    if b"\x00" in raw[:8192]:
        return IngestIssue(source=str(path), line=None, message="binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return IngestIssue(source=str(path), line=None, message=f"invalid UTF-8 at byte {exc.start}")
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    if suffix in HTML_SUFFIXES:
        try:
            document = html_to_document(text, url=None, fetched_at=modified)
        except NoArticleText:
            return IngestIssue(source=str(path), line=None, message="no article text in the HTML")
        return document.model_copy(update={"url": path.resolve().as_uri(), "title": document.title or path.stem})
    if not text.strip():
        return IngestIssue(source=str(path), line=None, message="empty file")
    return DocumentInput(
        text=text, url=path.resolve().as_uri(), title=_title_from_text(text, path), fetched_at=modified
    )


def read_folder(folder: Path, max_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[DocumentInput | IngestIssue]:
    """Every .txt/.md/.html file under ``folder`` (recursively, in name order); others are skipped."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
            yield read_file(path, max_bytes)
