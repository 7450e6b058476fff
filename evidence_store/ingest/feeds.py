"""RSS and Atom feeds: parse items, remember which were ingested, and ingest only new ones."""

import html as html_lib
import io
import re
from collections.abc import Callable
from datetime import datetime

import feedparser
from pydantic import BaseModel, ConfigDict

from evidence_store.ingest.fetch import FetchError, fetch_url
from evidence_store.ingest.records import IngestIssue, RecordError, parse_date
from evidence_store.settings import StoreSettings
from evidence_store.types import DocumentInput

# An entry whose own content is at least this long is ingested without fetching its link.
FULL_CONTENT_CHARS = 600
_TAGS = re.compile(r"<[^>]+>")


class FeedItem(BaseModel):
    """One entry of a feed."""

    model_config = ConfigDict(frozen=True)

    key: str  # guid, else link: what "seen" is tracked by
    link: str | None
    title: str | None
    published_at: datetime | None
    content: str  # plain text of the entry's content or summary


class ItemOutcome(BaseModel):
    """The documents (or issues) one new feed item produced."""

    model_config = ConfigDict(frozen=True)

    key: str
    documents: tuple[DocumentInput, ...]
    issues: tuple[IngestIssue, ...]


class FeedPoll(BaseModel):
    """What one poll of a feed found: the number of items and the outcome of each unseen one."""

    model_config = ConfigDict(frozen=True)

    feed_url: str
    items: int
    outcomes: tuple[ItemOutcome, ...]
    issues: tuple[IngestIssue, ...] = ()  # the feed itself could not be read


def _plain(text: str) -> str:
    return " ".join(html_lib.unescape(_TAGS.sub(" ", text)).split())


def parse_feed(text: str, feed_url: str) -> tuple[str | None, list[FeedItem]]:
    """(feed title, items) of an RSS or Atom document; raises ``RecordError`` if it is neither."""
    # bytes, not str: feedparser would fetch a str that looks like a URL, or open one that names a file;
    # the header says UTF-8 (as encoded here), so the XML declaration's encoding (maybe "undefined") is not used
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8", errors="replace")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    if parsed.bozo and not parsed.entries:
        raise RecordError(f"{feed_url}: not an RSS or Atom feed ({parsed.get('bozo_exception')})")
    items = []
    for entry in parsed.entries:
        key = entry.get("id") or entry.get("link")
        if not key:
            continue
        content = ""
        if entry.get("content"):
            content = max((_plain(part.get("value", "")) for part in entry.content), key=len)
        content = content or _plain(entry.get("summary", ""))
        try:
            published = parse_date(entry.get("published") or entry.get("updated"))
        except RecordError:
            published = None
        items.append(
            FeedItem(key=key, link=entry.get("link"), title=entry.get("title"), published_at=published, content=content)
        )
    return parsed.feed.get("title"), items


def item_documents(
    item: FeedItem, publisher: str | None, read_url: Callable[[str], list[DocumentInput | IngestIssue]]
) -> list[DocumentInput | IngestIssue]:
    """The documents of one new item: its own full content, or its linked page."""
    if len(item.content) >= FULL_CONTENT_CHARS or not item.link:
        if not item.content.strip():
            return [IngestIssue(source=item.key, line=None, message="feed item has no content and no link")]
        return [
            DocumentInput(
                text=item.content,
                url=item.link,
                title=item.title,
                publisher=publisher,
                published_at=item.published_at,
            )
        ]
    results = read_url(item.link)
    return [
        result.updated(
            title=result.title or item.title,
            publisher=result.publisher or publisher,
            published_at=result.published_at or item.published_at,
        )
        if isinstance(result, DocumentInput)
        else result
        for result in results
    ]


def poll_feed(
    feed_url: str,
    seen: set[str],
    settings: StoreSettings,
    read_url: Callable[[str], list[DocumentInput | IngestIssue]],
) -> FeedPoll:
    """Fetch a feed and turn its unseen items into documents (nothing is stored here)."""
    try:
        page = fetch_url(feed_url, settings)
        title, items = parse_feed(page.text, feed_url)
    except (FetchError, RecordError) as exc:
        issue = IngestIssue(source=feed_url, line=None, message=str(exc).removeprefix(f"{feed_url}: "))
        return FeedPoll(feed_url=feed_url, items=0, outcomes=(), issues=(issue,))
    outcomes = []
    for item in items:
        if item.key in seen:
            continue
        results = item_documents(item, title, read_url)
        outcomes.append(
            ItemOutcome(
                key=item.key,
                documents=tuple(r for r in results if isinstance(r, DocumentInput)),
                issues=tuple(r for r in results if isinstance(r, IngestIssue)),
            )
        )
    return FeedPoll(feed_url=feed_url, items=len(items), outcomes=tuple(outcomes))
