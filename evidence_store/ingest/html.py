"""Main-text extraction from HTML pages with trafilatura, keeping title, publisher and date."""

from datetime import datetime
from urllib.parse import urlparse

import trafilatura

from evidence_store.errors import InvalidInput
from evidence_store.ingest.records import RecordError, parse_date
from evidence_store.types import DocumentInput

# Fewer letters than this is navigation or boilerplate that slipped through, not an article.
MIN_ARTICLE_LETTERS = 40


class NoArticleText(InvalidInput):
    """The page has no extractable main text (navigation only, empty, or not an article)."""


def html_to_document(
    html: str, url: str | None = None, fetched_at: datetime | None = None, language: str | None = None
) -> DocumentInput:
    """The article in ``html`` as a document; raises ``NoArticleText`` when there is none."""
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
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
