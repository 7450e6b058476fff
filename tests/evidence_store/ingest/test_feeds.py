"""Feeds are polled from a real HTTP server; each item is ingested once."""

from evidence_store.ingest.feeds import parse_feed
from evidence_store.ingest.sources import MAX_FEED_ATTEMPTS, ingest_feed
from evidence_store.store import EvidenceStore
from tests.support.feeds import Handler, rss


def test_parse_feed_reads_items():
    title, items = parse_feed(rss(1), "http://x/feed.xml")
    assert title == "Desk Wire"
    assert [item.key for item in items] == ["item-1", "item-2", "item-3"]
    assert items[0].published_at.isoformat().startswith("2020-03-03T10:00")


def test_each_item_is_ingested_once_and_dead_links_are_retried_then_dropped(
    tmp_path, settings, hash_embedder, feed_server
):
    feed = f"{feed_server}/feed.xml"
    with EvidenceStore.open(tmp_path / "s", settings, hash_embedder) as store:
        first = ingest_feed(store, feed, settings)
        assert (first.items, first.new_items, len(first.added.added)) == (3, 3, 2)
        assert [issue.message for issue in first.issues] == ["HTTP 404"]
        docs = {doc.title: doc for doc in store.documents()}
        assert docs["Embassy reopens"].publisher == "Desk Wire"  # full content taken from the feed
        assert "Cham Wings flights resume" in docs  # the teaser's link was fetched and extracted

        second = ingest_feed(store, feed, settings)
        assert second.new_items == 1 and second.added.passages_added == 0  # only the dead link is retried

        Handler.extra = f"<item><guid>item-4</guid><title>New</title><link>{feed_server}/new</link></item>"
        for _ in range(MAX_FEED_ATTEMPTS):
            later = ingest_feed(store, feed, settings)
        assert later.new_items == 0
        assert len(store.documents()) == 3


def test_unreadable_feed_is_reported(tmp_path, settings, hash_embedder, feed_server):
    with EvidenceStore.open(tmp_path / "s", settings, hash_embedder) as store:
        result = ingest_feed(store, f"{feed_server}/missing.xml", settings)
        assert result.new_items == 0 and result.issues[0].message == "HTTP 404"
