"""URL fetching against a real HTTP server on 127.0.0.1."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from evidence_store.ingest.fetch import FetchError, fetch_url
from evidence_store.ingest.sources import read_url
from evidence_store.types import DocumentInput
from tests.evidence_store.ingest.test_files import ARTICLE_HTML

ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode()),
    "/arabic": (200, {"Content-Type": "text/plain; charset=windows-1256"}, "وفد حفتر في دمشق".encode("cp1256")),
    "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
    "/missing": (404, {"Content-Type": "text/html"}, b"not found"),
    "/big": (200, {"Content-Type": "text/plain"}, b"x" * 50_000),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/moved": (301, {"Location": "/article"}, b""),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status, headers, body = ROUTES[self.path]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_html_article_is_fetched_and_extracted(server, settings):
    (doc,) = read_url(f"{server}/moved", settings)
    assert isinstance(doc, DocumentInput)
    assert doc.url == f"{server}/article"  # the final URL after the redirect
    assert "Damascus and Benghazi" in doc.text and "Home" not in doc.text
    assert doc.fetched_at is not None


def test_declared_charset_is_honoured(server, settings):
    assert fetch_url(f"{server}/arabic", settings).text == "وفد حفتر في دمشق"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/image", "content type 'image/png'"),
        ("/missing", "HTTP 404"),
        ("/loop", "more than 5 redirects"),
    ],
)
def test_refusals_say_why(server, settings, path, message):
    with pytest.raises(FetchError, match=message):
        fetch_url(f"{server}{path}", settings)


def test_size_cap(server, settings):
    small = settings.model_copy(update={"fetch_max_bytes": 10_000})
    with pytest.raises(FetchError, match="over the 10,000-byte limit"):
        fetch_url(f"{server}/big", small)


def test_unreachable_and_non_http(settings):
    with pytest.raises(FetchError, match="only http and https"):
        fetch_url("ftp://example.org/x", settings)
    with pytest.raises(FetchError, match="ConnectError"):
        fetch_url("http://127.0.0.1:9/nothing", settings)
