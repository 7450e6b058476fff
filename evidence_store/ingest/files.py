"""Plain-text, Markdown and HTML files, alone or in a folder tree."""

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from evidence_store.ingest.html import NoArticleText, TooManyNodes, html_to_document
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


_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _not_regular(mode: int) -> str | None:
    """What a file of ``mode`` is when it is neither a regular file nor a folder."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"is {next((kind for test, kind in _SPECIAL if test(mode)), 'a special file')}, not a regular file"


def special_file(path: Path) -> str | None:
    """Why ``path`` may not be opened: it is a FIFO, socket or device (opening a FIFO blocks until
    something writes to it; a device may never end). ``None`` for a regular file, a folder or no file."""
    try:
        return _not_regular(path.stat().st_mode)
    except OSError:
        return None


def read_capped(path: Path, max_bytes: int) -> bytes | IngestIssue:
    """The bytes of ``path``, or an issue when it is over ``max_bytes`` (never read whole) or no
    regular file. It is opened without blocking, so a FIFO put in its place meanwhile cannot hang."""
    problem = special_file(path)
    if problem is None:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            problem = _not_regular(os.fstat(handle.fileno()).st_mode)
            raw = b"" if problem else handle.read(max_bytes + 1)
    if problem is not None:
        return IngestIssue(source=str(path), line=None, message=problem)
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
        except TooManyNodes as exc:
            return IngestIssue(source=str(path), line=None, message=exc.reason)
        except NoArticleText:
            return IngestIssue(source=str(path), line=None, message="no article text in the HTML")
        return document.updated(url=path.resolve().as_uri(), title=document.title or path.stem)
    if not text.strip():
        return IngestIssue(source=str(path), line=None, message="empty file")
    return DocumentInput(
        text=text, url=path.resolve().as_uri(), title=_title_from_text(text, path), fetched_at=modified
    )


def folder_files(folder: Path) -> Iterator[Path]:
    """The .txt/.md/.html files under ``folder``, recursively in name order (hidden files are skipped, and
    symlinked folders are not entered)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
            yield path
