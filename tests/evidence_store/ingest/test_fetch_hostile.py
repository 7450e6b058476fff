"""Hostile servers on 127.0.0.1: headers that never end, stacked gzip bombs, odd content codings
and character sets that are not character sets. Each must end in one ``FetchError`` (or a
decoded page) in bounded time and memory."""

import encodings.aliases
import gzip
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store.ingest.fetch import FetchError, decode_body, fetch_url, text_codec
from tests.support.bounded import bounded
from tests.support.local_http import QuietHandler, raw_serving, serving

TEXT = "وفد حفتر في دمشق — the delegation arrived."
BOMB_BYTES = 128 * 2**20  # decompressed size of the stacked bomb; the cap is 5 MB


def stacked_gzip_of_zeros(size: int, layers: int = 2) -> bytes:
    """gzip(gzip(... ``size`` zero bytes)), built a megabyte at a time so the test stays small."""
    compressors = [zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS) for _ in range(layers)]

    def push(data: bytes, depth: int, final: bool) -> bytes:
        if depth == layers:
            return data
        compressor = compressors[depth]
        out = compressor.compress(data) + (compressor.flush() if final else b"")
        return push(out, depth + 1, final)

    block = bytes(2**20)
    out = b"".join(push(block, 0, False) for _ in range(size // len(block)))
    return out + push(b"", 0, True)


BOMB = stacked_gzip_of_zeros(BOMB_BYTES)
ROUTES: dict[str, tuple[dict[str, str], bytes]] = {
    "/bomb": ({"Content-Type": "text/plain", "Content-Encoding": "gzip, gzip"}, BOMB),
    "/bomb-unsized": ({"Content-Type": "text/plain", "Content-Encoding": "gzip, gzip"}, BOMB),
    "/gzip": ({"Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "gzip"}, gzip.compress(TEXT.encode())),
    "/gzip-twice": (
        {"Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "gzip, identity, gzip"},
        gzip.compress(gzip.compress(TEXT.encode())),
    ),
    "/deflate": (
        {"Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "deflate"},
        zlib.compress(TEXT.encode()),
    ),
    "/raw-deflate": (
        {"Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "deflate"},
        zlib.compress(TEXT.encode(), wbits=-zlib.MAX_WBITS),
    ),
    "/corrupt": ({"Content-Type": "text/plain", "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00 not really gzip"),
    "/brotli": ({"Content-Type": "text/plain", "Content-Encoding": "br"}, b"\x0b\x02\x80hello\x03"),
    "/compress": ({"Content-Type": "text/plain", "Content-Encoding": "compress"}, b"\x1f\x9d"),
    "/four-layers": ({"Content-Type": "text/plain", "Content-Encoding": "gzip, gzip, gzip, gzip"}, b""),
    "/undefined": ({"Content-Type": "text/plain; charset=undefined"}, TEXT.encode()),
    "/idna": ({"Content-Type": "text/plain; charset=idna"}, TEXT.encode()),
    "/punycode": ({"Content-Type": "text/plain; charset=punycode"}, TEXT.encode()),
    "/rot13": ({"Content-Type": "text/plain; charset=rot13"}, TEXT.encode()),
    "/base64": ({"Content-Type": "text/plain; charset=base64"}, TEXT.encode()),
    "/meta-undefined": (
        {"Content-Type": "text/html"},
        f'<html><head><meta charset="undefined"></head><body><p>{TEXT}</p></body></html>'.encode(),
    ),
    "/meta-idna": (
        {"Content-Type": "text/html"},
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=idna"></head><p>{TEXT}</p>'.encode(),
    ),
}


class Handler(QuietHandler):
    accept_encoding: ClassVar[list[str]] = []

    def do_GET(self):
        Handler.accept_encoding.append(self.headers.get("Accept-Encoding", ""))
        headers, body = ROUTES[self.path]
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        if self.path != "/bomb-unsized":  # that one has no length: it ends when the connection closes
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    with serving(Handler) as url:
        yield url


@pytest.fixture
def quick(settings):
    return settings.model_copy(
        update={"fetch_total_timeout_s": 2.0, "fetch_timeout_s": 1.0, "fetch_backoff_s": 0.01, "fetch_retries": 2}
    )


# ---------------------------------------------------------------- the total deadline


def drip_headers(connections: list[float]) -> Callable[[socket.socket, threading.Event], None]:
    """A reply whose status line comes, then one header byte every 0.2s, for ever."""

    def reply(connection: socket.socket, ended: threading.Event) -> None:
        connections.append(time.monotonic())
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        while not ended.wait(0.2):
            connection.sendall(b"a")

    return reply


def test_headers_dripped_for_ever_end_at_the_total_deadline(quick):
    connections: list[float] = []
    with raw_serving(drip_headers(connections)) as url:
        outcome = bounded(lambda: fetch_url(f"{url}/", quick))
    assert isinstance(outcome, FetchError)
    assert str(outcome) == f"{url}/: took longer than 2s (SANAD_FETCH_TOTAL_TIMEOUT_S)"
    assert not outcome.retryable
    assert len(connections) == 1  # one attempt; every byte came within the 1s read timeout


def test_a_tls_handshake_that_never_ends_stops_at_the_total_deadline(quick):
    connections: list[float] = []

    def silent(connection: socket.socket, ended: threading.Event) -> None:
        connections.append(time.monotonic())
        ended.wait(30)

    patient = quick.model_copy(update={"fetch_connect_timeout_s": 20.0, "fetch_timeout_s": 20.0})
    with raw_serving(silent) as url:
        https = url.replace("http://", "https://")
        outcome = bounded(lambda: fetch_url(f"{https}/", patient))
    assert isinstance(outcome, FetchError)
    assert str(outcome) == f"{https}/: took longer than 2s (SANAD_FETCH_TOTAL_TIMEOUT_S)"
    assert len(connections) == 1


def test_a_server_that_accepts_and_says_nothing_is_a_retryable_read_timeout(quick):
    connections: list[float] = []

    def silent(connection: socket.socket, ended: threading.Event) -> None:
        connections.append(time.monotonic())
        ended.wait(30)

    short = quick.model_copy(update={"fetch_timeout_s": 0.3, "fetch_retries": 1})
    with raw_serving(silent) as url:
        outcome = bounded(lambda: fetch_url(f"{url}/", short))
    assert isinstance(outcome, FetchError) and "timed out (ReadTimeout)" in str(outcome)
    assert outcome.retryable and len(connections) == 2


# ---------------------------------------------------------------- content codings


def test_stacked_gzip_bomb_stops_at_the_cap_in_bounded_memory(server, settings):
    assert len(BOMB) < 100_000  # 128 MiB of zeros, gzipped twice
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="body is over the 5,000,000-byte limit once decompressed"):
            fetch_url(f"{server}/bomb", settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20  # the 5 MB cap and some decoding buffers, not the 128 MiB behind it


def test_a_gzip_bomb_without_a_length_stops_at_the_cap(server, settings):
    with pytest.raises(FetchError, match="once decompressed"):
        fetch_url(f"{server}/bomb-unsized", settings)


@pytest.mark.parametrize("path", ["/gzip", "/gzip-twice", "/deflate", "/raw-deflate"])
def test_compressed_bodies_are_decoded(server, settings, path):
    assert fetch_url(f"{server}{path}", settings).text == TEXT


def test_only_the_codings_sanad_decodes_are_asked_for(server, settings):
    Handler.accept_encoding.clear()
    fetch_url(f"{server}/gzip", settings)
    assert Handler.accept_encoding == ["gzip, deflate"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/corrupt", "the gzip body is corrupt"),
        ("/brotli", r"content encoding 'br' is not supported \(gzip, deflate or identity\)"),
        ("/compress", "content encoding 'compress' is not supported"),
        ("/four-layers", r"4 stacked content encodings \(at most 3\)"),
    ],
)
def test_unusable_codings_are_refused_with_a_reason(server, quick, path, message):
    with pytest.raises(FetchError, match=message) as caught:
        fetch_url(f"{server}{path}", quick)
    assert not caught.value.retryable


# ---------------------------------------------------------------- character sets


@pytest.mark.parametrize("path", ["/undefined", "/idna", "/punycode", "/rot13", "/base64"])
def test_a_charset_that_is_not_one_falls_back_to_utf8_with_a_warning(server, settings, caplog, path):
    with caplog.at_level(logging.WARNING, logger="evidence_store.ingest.fetch"):
        assert fetch_url(f"{server}{path}", settings).text == TEXT
    assert "decoding as UTF-8" in caplog.text


@pytest.mark.parametrize("path", ["/meta-undefined", "/meta-idna"])
def test_a_meta_charset_that_is_not_one_falls_back_to_utf8(server, settings, path):
    assert TEXT in fetch_url(f"{server}{path}", settings).text


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("windows-1256", "cp1256"),
        ("UTF8", "utf-8"),
        ("latin1", "iso8859-1"),
        *((name, None) for name in ("undefined", "idna", "punycode", "rot13", "base64", "unicode_escape", "hex", "")),
    ],
)
def test_only_real_text_charsets_are_codecs(name, codec):
    assert text_codec(name) == codec


CHARSET_NAMES = sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()))
charset_name = st.one_of(
    st.sampled_from([*CHARSET_NAMES, "undefined", "idna", "punycode", "rot13", "base64", "mbcs", "utf-7"]),
    st.text(max_size=20),
    st.from_regex(r"[\w.:-]{1,20}", fullmatch=True),
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(charset_name, st.binary(max_size=200), st.sampled_from(["text/html", "text/plain", "application/json"]))
def test_any_declared_charset_decodes_to_text(name, body, content_type):
    assert isinstance(decode_body(body, name, content_type), str)
    meta = b'<html><head><meta charset="' + name.encode("utf-8", "replace") + b'"></head>' + body
    assert isinstance(decode_body(meta, None, "text/html"), str)


# ---------------------------------------------------------------- IPv6 literals


@pytest.mark.parametrize(
    ("host", "reason"), [("[::1]", "a loopback address"), ("[fd00:ec2::254]", "a private or reserved address")]
)
def test_an_ipv6_literal_is_refused_for_its_real_reason_and_named_whole(settings, host, reason):
    strict = settings.model_copy(update={"fetch_allow_private": False, "fetch_allowed_networks": []})
    with pytest.raises(FetchError) as caught:
        fetch_url(f"http://{host}/latest", strict)
    assert str(caught.value).startswith(f"http://{host}/latest: {host} is {reason}; Sanad does not fetch")
