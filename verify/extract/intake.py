"""Article intake: text, HTML, a file, standard input or a URL becomes a cleaned ``Article``.

Every way in ends in ``article_from_text``, which normalises and cleans the text (see
``verify.extract.clean``) and detects the language. Bad input raises ``ArticleError`` with one
line that names the problem.
"""

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from evidence_store.errors import InvalidInput
from evidence_store.ingest.fetch import FetchError, fetch_url, text_codec
from evidence_store.ingest.files import special_file
from evidence_store.ingest.html import NoArticleText, TooManyNodes, html_to_document
from evidence_store.text.language import detect_language
from verify.extract.clean import clean_text
from verify.settings import Settings
from verify.types import Article

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old office document",
}
_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<article|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
_HTML_TAGS = re.compile(rb"<(?:p|div|article|body|h1|h2)[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)
_SNIFF_BYTES = 8192
_MAX_CONTROL_SHARE = 0.05


class ArticleError(InvalidInput):
    """Input that cannot become an article; the message names the problem."""


def _article_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_size(length: int, settings: Settings, what: str) -> None:
    if length > settings.max_article_chars:
        raise ArticleError(
            f"{what} is {length:,} characters, over the {settings.max_article_chars:,}-character limit "
            "(SANAD_MAX_ARTICLE_CHARS)"
        )


def article_from_text(
    text: str,
    settings: Settings,
    *,
    title: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    published_at: datetime | None = None,
    language: str | None = None,
    source: str = "text",
) -> Article:
    """Clean ``text`` into an ``Article``; a leading heading of pasted text becomes its title."""
    _check_text(text, settings, source)
    cleaned = clean_text(text)
    if not any(ch.isalpha() for ch in cleaned.text):
        dropped = f" ({len(cleaned.removed)} line(s) of page furniture removed)" if cleaned.removed else ""
        raise ArticleError(f"{source}: no article text{dropped}")
    return Article(
        article_id=_article_id(cleaned.text),
        text=cleaned.text,
        title=title or cleaned.first_heading,
        publisher=publisher,
        url=url,
        published_at=published_at,
        language=language or detect_language(cleaned.text),
        removed_lines=tuple(removal.line for removal in cleaned.removed),
    )


def _check_text(text: str, settings: Settings, source: str) -> None:
    _check_size(len(text), settings, source)
    if not text.strip():
        raise ArticleError(f"{source}: the article is empty")
    if "\x00" in text or _control_share(text) > _MAX_CONTROL_SHARE:
        raise ArticleError(f"{source}: looks like binary data, not text")


def _control_share(text: str) -> float:
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls / max(1, len(sample))


def article_from_html(html: str, settings: Settings, *, url: str | None = None, source: str = "HTML") -> Article:
    """The main text of an HTML page (trafilatura), with its title, site name, date and language."""
    _check_size(len(html), settings, source)
    try:
        document = html_to_document(html, url=url)
    except TooManyNodes as exc:
        raise ArticleError(f"{source}: {exc.reason}") from None
    except NoArticleText:
        raise ArticleError(f"{source}: no article text found in the HTML page") from None
    return article_from_text(
        document.text,
        settings,
        title=document.title,
        url=url,
        publisher=document.publisher,
        published_at=document.published_at,
        language=document.language,
        source=source,
    )


def _looks_like_html(data: bytes, name: str) -> bool:
    head = data[:_SNIFF_BYTES]
    return name.lower().endswith((".html", ".htm", ".xhtml")) or bool(
        _HTML_START.match(head) or len(_HTML_TAGS.findall(head)) >= 2
    )


def _encoding(data: bytes, html: bool) -> str:
    """UTF-16 by byte-order mark, else an HTML page's declared charset, else UTF-8 (BOM optional)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    declared = _META_CHARSET.search(data[:_SNIFF_BYTES]) if html else None
    encoding = (text_codec(declared.group(1).decode("ascii")) if declared else None) or "utf-8"
    return "utf-8-sig" if encoding == "utf-8" else encoding


def _decode(data: bytes, source: str, html: bool) -> str:
    encoding = _encoding(data, html)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ArticleError(
            f"{source}: not valid {encoding.removesuffix('-sig').upper()} (byte 0x{bad} at offset {exc.start}); "
            "convert the file to UTF-8"
        ) from None
    except UnicodeError as exc:
        raise ArticleError(f"{source}: cannot decode as {encoding} ({exc}); convert the file to UTF-8") from None


def _check_byte_size(size: int, settings: Settings, source: str) -> None:
    if size > 4 * settings.max_article_chars:
        raise ArticleError(
            f"{source} is {size:,} bytes, over the {settings.max_article_chars:,}-character limit "
            "(SANAD_MAX_ARTICLE_CHARS)"
        )


def decode_article_bytes(data: bytes, settings: Settings, *, source: str = "input") -> str:
    """The text (or HTML) in a file's bytes; binary, badly encoded, empty and oversize input are refused."""
    _check_byte_size(len(data), settings, source)
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ArticleError(f"{source}: this is {kind}, not text or HTML")
    if b"\x00" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(f"{source}: looks like a binary file, not text or HTML")
    text = _decode(data, source, _looks_like_html(data, source))
    _check_text(text, settings, source)
    return text


def article_text_from_file(path: Path, settings: Settings) -> str:
    """The text (or HTML) of an article file, refused by its size before it is read (then read no further
    than the limit allows, should it grow meanwhile)."""
    source = str(path)
    if not path.is_file():
        raise ArticleError(f"{source}: no such file" if not path.exists() else f"{source}: not a regular file")
    _check_byte_size(path.stat().st_size, settings, source)
    with path.open("rb") as handle:
        data = handle.read(4 * settings.max_article_chars + 1)
    return decode_article_bytes(data, settings, source=source)


def article_from_bytes(data: bytes, settings: Settings, *, source: str = "input", url: str | None = None) -> Article:
    """Bytes of a text or HTML file: binary files, bad encodings and oversize input are refused."""
    text = decode_article_bytes(data, settings, source=source)
    html = _looks_like_html(data, source)
    if html:
        return article_from_html(text, settings, url=url, source=source)
    return article_from_text(text, settings, url=url, source=source)


def fetch_page(url: str, settings: Settings) -> tuple[str, str, str]:
    """(final URL, content type, text) of ``url``, through the evidence store's fetcher."""
    try:
        page = fetch_url(url, settings)
    except FetchError as exc:
        raise ArticleError(str(exc)) from None
    return page.final_url, page.content_type, page.text


def article_from_url(url: str, settings: Settings) -> Article:
    """Fetch ``url`` (httpx) and read its article (trafilatura for HTML)."""
    final_url, content_type, text = fetch_page(url, settings)
    if content_type in ("text/html", "application/xhtml+xml"):
        return article_from_html(text, settings, url=final_url, source=url)
    if content_type in ("text/plain", "text/markdown"):
        return article_from_text(text, settings, url=final_url, source=url)
    raise ArticleError(f"{url}: {content_type} is not an article page")


def read_article(source: str, settings: Settings, stdin: BinaryIO | None = None) -> Article:
    """An article from a URL, a file path, or ``-`` (standard input)."""
    if source.lower().startswith(("http://", "https://")):
        return article_from_url(source, settings)
    if source == "-":
        if stdin is None:
            raise ArticleError("standard input is not available")
        return article_from_bytes(stdin.read(4 * settings.max_article_chars + 1), settings, source="standard input")
    path = Path(source)
    if not path.exists():
        raise ArticleError(f"{source}: no such file")
    if path.is_dir():
        raise ArticleError(f"{source}: is a folder, not an article file")
    if problem := special_file(path):  # opening a FIFO would block
        raise ArticleError(f"{source}: {problem}")
    with path.open("rb") as handle:
        data = handle.read(4 * settings.max_article_chars + 1)
    return article_from_bytes(data, settings, source=source)
