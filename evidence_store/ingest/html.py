"""Main-text extraction from HTML pages with trafilatura, keeping title, publisher and date."""

import re
from datetime import datetime
from urllib.parse import urlparse

import trafilatura
from trafilatura.utils import load_html

from evidence_store.errors import InvalidInput
from evidence_store.ingest.records import RecordError, parse_date
from evidence_store.types import DocumentInput

# Fewer letters than this is navigation or boilerplate that slipped through, not an article.
MIN_ARTICLE_LETTERS = 40
# More elements and attributes than this is not a page a person reads (a long news page has a few
# thousand): trafilatura's passes over so many take minutes, so such a page is refused after parsing.
MAX_HTML_NODES = 200_000
# The parser checks each attribute of a tag against the ones before it: a tag with more attributes (counted
# as "=" signs, before parsing) than this would take it minutes.
MAX_TAG_ATTRIBUTES = 10_000

_TAG = re.compile(r"<[A-Za-z][^<>]*")


class NoArticleText(InvalidInput):
    """The page has no extractable main text (navigation only, empty, or not an article)."""


class TooManyNodes(NoArticleText):
    """The page is too big a tree to read in bounded time (``MAX_HTML_NODES``, ``MAX_TAG_ATTRIBUTES``);
    ``reason`` names the limit, without the page."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.reason = reason


def most_tag_attributes(html: str) -> int:
    """The most ``=`` signs in one tag of ``html`` (an upper bound on its attributes), in one pass."""
    return max((html.count("=", tag.start(), tag.end()) for tag in _TAG.finditer(html)), default=0)


def _nodes(tree: object) -> int:
    """Elements and attributes of a parsed page."""
    return sum(1 + len(element.attrib) for element in tree.iter())


def html_to_document(
    html: str, url: str | None = None, fetched_at: datetime | None = None, language: str | None = None
) -> DocumentInput:
    """The article in ``html`` as a document; raises ``NoArticleText`` when there is none (``TooManyNodes``
    when the page is too big a tree to read in bounded time)."""
    where = url or "HTML"
    if (attributes := most_tag_attributes(html)) > MAX_TAG_ATTRIBUTES:
        raise TooManyNodes(where, f"a tag with {attributes:,} attributes, over the {MAX_TAG_ATTRIBUTES:,} limit")
    tree = load_html(html)
    if tree is not None and (nodes := _nodes(tree)) > MAX_HTML_NODES:
        raise TooManyNodes(where, f"{nodes:,} elements and attributes, over the {MAX_HTML_NODES:,} limit")
    extracted = trafilatura.bare_extraction(
        html if tree is None else tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    text = (extracted.text if extracted is not None else None) or ""
    if sum(ch.isalpha() for ch in text) < MIN_ARTICLE_LETTERS:
        raise NoArticleText(f"{url or 'HTML'}: no article text found in the page")
    try:
        published_at = parse_date(extracted.date)
    except RecordError:
        published_at = None
    publisher = extracted.sitename or (urlparse(url).hostname if url else None)
    return DocumentInput(
        text=text,
        url=url,
        title=extracted.title or None,
        publisher=publisher or None,
        published_at=published_at,
        language=language or extracted.language or None,
        fetched_at=fetched_at,
    )
