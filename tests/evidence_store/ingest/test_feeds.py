"""Feeds are polled from a real HTTP server; each item is ingested once."""

import pytest

from evidence_store.ingest.feeds import parse_feed
from evidence_store.ingest.sources import MAX_FEED_ATTEMPTS, ingest_feed
from evidence_store.store import EvidenceStore
from tests.evidence_store.ingest.test_files import ARTICLE_HTML
from tests.local_http import QuietHandler, serving

LONG_CONTENT = " ".join(["The Libyan eastern government reopened its embassy in Damascus in March 2020."] * 12)


def rss(port: int, extra: str = "") -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Desk Wire</title>
<item><guid>item-1</guid><title>Embassy reopens</title><link>http://127.0.0.1:{port}/item-1</link>
<pubDate>Tue, 03 Mar 2020 10:00:00 GMT</pubDate><description>{LONG_CONTENT}</description></item>
<item><guid>item-2</guid><title>Flights</title><link>http://127.0.0.1:{port}/article</link>
<description>short teaser</description></item>
<item><guid>item-3</guid><title>Gone</title><link>http://127.0.0.1:{port}/gone</link>
<description>teaser</description></item>{extra}
</channel></rss>"""


class Handler(QuietHandler):
    extra = ""

    def do_GET(self):
        port = self.server.server_address[1]
        routes = {
            "/feed.xml": ("application/rss+xml", rss(port, Handler.extra)),
            "/article": ("text/html", ARTICLE_HTML),
            "/new": ("text/html", ARTICLE_HTML.replace("Cham Wings", "Afriqiyah Airways")),
        }
        if self.path not in routes:
            self.send_response(404)
            self.end_headers()
            return
        content_type, body = routes[self.path]
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def feed_server():
    with serving(Handler) as url:
        yield url
    Handler.extra = ""


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
