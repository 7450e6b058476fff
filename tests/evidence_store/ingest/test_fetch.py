"""URL fetching against a real, misbehaving HTTP server on 127.0.0.1.

The session allows loopback (tests/conftest.py); tests that check refusals turn that off.
"""

import socket
import time
from collections import Counter
from typing import ClassVar

import pytest

from evidence_store.ingest.fetch import FetchError, decode_body, fetch_url
from evidence_store.ingest.sources import read_url
from evidence_store.types import DocumentInput
from tests.support.local_http import QuietHandler, serving
from tests.support.pages import ARTICLE_HTML
from verify.extract.intake import read_article

ARABIC = "وفد حفتر في دمشق"
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode()),
    "/arabic": (200, {"Content-Type": "text/plain; charset=windows-1256"}, ARABIC.encode("cp1256")),
    "/meta-charset": (
        200,
        {"Content-Type": "text/html"},
        f'<html><head><meta charset="windows-1256"></head><body><p>{ARABIC}</p></body></html>'.encode("cp1256"),
    ),
    "/unknown-charset": (200, {"Content-Type": "text/plain; charset=klingon-8"}, ARABIC.encode()),
    "/bad-bytes": (200, {"Content-Type": "text/plain; charset=utf-8"}, b"ok \xff\xfe\xc3 done"),
    "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
    "/binary": (200, {"Content-Type": "application/octet-stream"}, b"\x00\x01"),
    "/missing": (404, {"Content-Type": "text/html"}, b"not found"),
    "/big": (200, {"Content-Type": "text/plain"}, b"x" * 50_000),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/ping": (302, {"Location": "/pong"}, b""),
    "/pong": (301, {"Location": "/ping"}, b""),
    "/moved": (301, {"Location": "/article"}, b""),
    "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
    "/to-intranet": (307, {"Location": "http://10.0.0.8/admin"}, b""),
    "/to-mapped": (302, {"Location": "http://[::ffff:169.254.169.254]/"}, b""),
    "/to-decimal": (302, {"Location": "http://2852039166/"}, b""),  # 169.254.169.254
    "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
}


class Handler(QuietHandler):
    hits: ClassVar[Counter] = Counter()
    hosts: ClassVar[list[str]] = []

    def do_GET(self):
        Handler.hits[self.path] += 1
        Handler.hosts.append(self.headers.get("Host", ""))
        if self.path == "/drip":
            return self._stream(b".", pause=0.1)
        if self.path == "/endless":
            return self._stream(b"word " * 13_000, pause=0)
        if self.path.startswith("/flaky"):  # 500 on the first request of each /flaky?name, then 200
            if Handler.hits[self.path] == 1:
                return self._send(500, {"Content-Type": "text/plain"}, b"try later")
            return self._send(200, {"Content-Type": "text/plain"}, b"The second try worked.")
        if self.path == "/down":
            return self._send(503, {"Content-Type": "text/plain"}, b"down")
        self._send(*ROUTES[self.path])

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, piece: bytes, pause: float):
        """Headers at once, then a body that never ends (until the client hangs up)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        try:
            for _ in range(2_000):
                self.wfile.write(piece)
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    with serving(Handler) as url:
        yield url


@pytest.fixture
def quick(settings):
    """The session settings with short timeouts and instant retries."""
    return settings.model_copy(
        update={"fetch_total_timeout_s": 1.0, "fetch_timeout_s": 0.5, "fetch_backoff_s": 0.01, "fetch_retries": 2}
    )


def test_html_article_is_fetched_and_extracted(server, settings):
    (doc,) = read_url(f"{server}/moved", settings)
    assert isinstance(doc, DocumentInput)
    assert doc.url == f"{server}/article"  # the final URL after the redirect
    assert "Damascus and Benghazi" in doc.text and "Home" not in doc.text
    assert doc.fetched_at is not None


def test_host_header_and_final_url_keep_the_name_not_the_address(server, settings):
    port = server.rsplit(":", 1)[1]
    Handler.hosts.clear()
    page = fetch_url(f"http://localhost:{port}/moved", settings)
    assert page.final_url == f"http://localhost:{port}/article"
    assert Handler.hosts == [f"localhost:{port}"] * 2


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/arabic", ARABIC),  # charset in the header
        ("/unknown-charset", ARABIC),  # an unknown charset falls back to UTF-8
    ],
)
def test_charsets(server, settings, path, expected):
    assert fetch_url(f"{server}{path}", settings).text == expected


def test_meta_charset_of_an_html_page_is_honoured(server, settings):
    assert ARABIC in fetch_url(f"{server}/meta-charset", settings).text


def test_invalid_bytes_become_replacement_characters(server, settings):
    assert fetch_url(f"{server}/bad-bytes", settings).text == "ok \ufffd\ufffd\ufffd done"


def test_byte_order_mark_wins_over_a_wrong_header():
    assert decode_body("\ufeffسلام".encode("utf-8"), "iso-8859-1", "text/plain") == "سلام"
    assert decode_body("سلام".encode("utf-16"), None, "text/html") == "سلام"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/image", "content type 'image/png'"),
        ("/binary", "content type 'application/octet-stream'"),
        ("/missing", "HTTP 404"),
        ("/loop", "more than 5 redirects"),
        ("/ping", "more than 5 redirects"),
        ("/to-file", "only http and https URLs can be fetched"),
    ],
)
def test_refusals_say_why(server, quick, path, message):
    with pytest.raises(FetchError, match=message) as caught:
        fetch_url(f"{server}{path}", quick)
    assert not caught.value.retryable


def test_redirect_limit_is_a_setting(server, settings):
    strict = settings.model_copy(update={"fetch_max_redirects": 0})
    with pytest.raises(FetchError, match="more than 0 redirects"):
        fetch_url(f"{server}/moved", strict)


def test_size_cap_by_declared_length(server, settings):
    small = settings.model_copy(update={"fetch_max_bytes": 10_000})
    with pytest.raises(FetchError, match="50,000 bytes is over the 10,000-byte limit"):
        fetch_url(f"{server}/big", small)


def test_endless_body_stops_at_the_size_cap(server, quick):
    small = quick.model_copy(update={"fetch_max_bytes": 200_000, "fetch_total_timeout_s": 30.0})
    started = time.monotonic()
    with pytest.raises(FetchError, match="body is over the 200,000-byte limit"):
        fetch_url(f"{server}/endless", small)
    assert time.monotonic() - started < 5


def test_slow_drip_hits_the_total_deadline_and_is_not_retried(server, quick):
    Handler.hits["/drip"] = 0
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 1s \(SANAD_FETCH_TOTAL_TIMEOUT_S\)"):
        fetch_url(f"{server}/drip", quick)  # every byte comes well within the read timeout
    assert time.monotonic() - started < 2.5
    assert Handler.hits["/drip"] == 1


def test_500_then_200_is_retried_with_backoff(server, quick):
    waits: list[float] = []
    page = fetch_url(f"{server}/flaky?a", quick, sleep=waits.append)
    assert page.text == "The second try worked."
    assert Handler.hits["/flaky?a"] == 2
    assert len(waits) == 1 and 0.01 <= waits[0] <= 0.0125


def test_retries_are_bounded_and_back_off(server, quick):
    waits: list[float] = []
    with pytest.raises(FetchError, match="HTTP 503") as caught:
        fetch_url(f"{server}/down", quick, sleep=waits.append)
    assert caught.value.retryable
    assert Handler.hits["/down"] == 3
    assert waits[1] > waits[0] * 1.5


def test_a_404_is_not_retried(server, quick):
    Handler.hits["/missing"] = 0
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_url(f"{server}/missing", quick, sleep=lambda _: pytest.fail("a 404 must not be retried"))
    assert Handler.hits["/missing"] == 1


def test_evidence_ingest_and_article_intake_retry_too(server, quick):
    (doc,) = read_url(f"{server}/flaky?ingest", quick)
    assert isinstance(doc, DocumentInput) and doc.text == "The second try worked."
    article = read_article(f"{server}/flaky?intake", quick)
    assert article.text == "The second try worked."


def test_unreachable_and_non_http(quick):
    with pytest.raises(FetchError, match="only http and https"):
        fetch_url("ftp://example.org/x", quick)
    with pytest.raises(FetchError, match="ConnectError") as caught:
        fetch_url("http://127.0.0.1:9/nothing", quick.model_copy(update={"fetch_retries": 0}))
    assert caught.value.retryable


# ---------------------------------------------------------------- private addresses


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("/to-metadata", "169.254.169.254 is a link-local address"),
        ("/to-intranet", "10.0.0.8 is a private or reserved address"),
        ("/to-mapped", "::ffff:a9fe:a9fe, a link-local address"),
        ("/to-decimal", "169.254.169.254, a link-local address"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused_before_connecting(server, quick, path, address):
    started = time.monotonic()
    with pytest.raises(FetchError, match=address) as caught:
        fetch_url(f"{server}{path}", quick)
    assert not caught.value.retryable
    assert time.monotonic() - started < 1  # refused, not a connection attempt that timed out


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "2130706433", "0x7f.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::1]"],
)
def test_loopback_in_any_spelling_is_refused_when_not_allowed(server, settings, host):
    strict = settings.model_copy(update={"fetch_allow_private": False, "fetch_allowed_networks": []})
    port = server.rsplit(":", 1)[1]
    before = sum(Handler.hits.values())
    with pytest.raises(FetchError, match="Sanad does not fetch from private, loopback"):
        fetch_url(f"http://{host}:{port}/article", strict)
    assert sum(Handler.hits.values()) == before


def test_octal_ip_form_is_refused(server, settings):
    strict = settings.model_copy(update={"fetch_allow_private": False, "fetch_allowed_networks": []})
    port = server.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match=r"0177\.0\.0\.1"):
        fetch_url(f"http://0177.0.0.1:{port}/article", strict)


def test_allow_private_opens_every_private_address(server, settings):
    relaxed = settings.model_copy(update={"fetch_allow_private": True, "fetch_allowed_networks": []})
    assert fetch_url(f"{server}/arabic", relaxed).text == ARABIC


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(server, settings, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address once, to a private one afterwards."""
    port = int(server.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    Handler.hosts.clear()
    page = fetch_url(f"http://rebind.test:{port}/arabic", settings)
    assert page.text == ARABIC
    assert lookups == ["rebind.test"]
    assert Handler.hosts == [f"rebind.test:{port}"]
