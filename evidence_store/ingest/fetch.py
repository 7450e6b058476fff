"""Fetching a URL safely with httpx.

One attempt has a connect timeout, a timeout per read and a total deadline, a cap on the
bytes received and on the bytes they decompress to, and a content-type allowlist. The
deadline is kept by the socket layer itself (``_DeadlineBackend``): every connect, TLS
handshake, write and read waits at most until the deadline, so a server that drips header or
body bytes cannot hold a worker. Compressed bodies are decoded here, a bounded piece at a time
(``_inflate``), so a gzip bomb, even a stacked one, never expands past the cap in memory.
Redirects are followed here, not by httpx, so that every hop's host is resolved and its
addresses checked (``addresses``) before Sanad connects, and the connection goes to the
address that was checked (the URL's host is swapped for it; Host header and TLS name stay),
which defeats DNS rebinding. Failures that may pass later are retried with backoff.
"""

import codecs
import contextlib
import logging
import random
import re
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import httpcore
import httpx
from pydantic import BaseModel, ConfigDict

from evidence_store.errors import SanadError
from evidence_store.ingest.addresses import AddressError, IPAddress, allowed_addresses
from evidence_store.settings import StoreSettings

log = logging.getLogger(__name__)

ALLOWED_CONTENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/markdown",
    "application/json",
    "application/ld+json",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Codecs that Python counts as text encodings but that are no page's character set.
_NOT_CHARSETS = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"})
_ENCODINGS = ("gzip", "x-gzip", "deflate", "identity")
_MAX_ENCODINGS = 3  # "gzip, gzip" is legal; a long stack only costs memory
_STEP = 65_536  # the most bytes one decompression step may produce
T = TypeVar("T")


class FetchError(SanadError, RuntimeError):
    """A URL that could not be fetched; the message says why (status, type, size, address, network).

    ``retryable`` is true for failures that may pass on a later try: timeouts, connection
    errors, HTTP 429 and 5xx.
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class FetchedPage(BaseModel):
    """A fetched resource, decoded to text."""

    model_config = ConfigDict(frozen=True)

    url: str
    final_url: str
    status: int
    content_type: str
    text: str
    fetched_at: datetime


class _DeadlinePassed(Exception):
    """The attempt's total deadline passed during a socket operation."""


class _Deadline:
    """Runs socket operations with their timeout cut to the time left before ``at``."""

    def __init__(self, at: float) -> None:
        self.at = at

    def run(self, operation: Callable[[float | None], T], timeout: float | None) -> T:
        left = self.at - time.monotonic()
        if left <= 0:
            raise _DeadlinePassed
        if timeout is not None and timeout < left:
            return operation(timeout)
        try:
            return operation(left)
        except httpcore.TimeoutException:
            raise _DeadlinePassed from None


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._deadline.run(lambda left: self._stream.read(max_bytes, left), timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._deadline.run(lambda left: self._stream.write(buffer, left), timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        secure = self._deadline.run(lambda left: self._stream.start_tls(ssl_context, server_hostname, left), timeout)
        return _DeadlineStream(secure, self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every operation bounded by one deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._deadline.run(
            lambda left: self._backend.connect_tcp(host, port, left, local_address, socket_options), timeout
        )
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over ``_DeadlineBackend`` (httpx has no option for a network backend, so
    the connection pool it builds is replaced by one that uses it)."""

    def __init__(self, deadline: _Deadline) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=_DeadlineBackend(deadline))


def fetch_url(url: str, settings: StoreSettings, sleep: Callable[[float], None] = time.sleep) -> FetchedPage:
    """GET ``url`` and return its text; retryable failures are tried again ``settings.fetch_retries`` times.

    Raises ``FetchError`` with a clear reason.
    """
    attempt = 0
    while True:
        try:
            return fetch_once(url, settings)
        except FetchError as exc:
            if not exc.retryable or attempt >= settings.fetch_retries:
                raise
            delay = settings.fetch_backoff_s * 2**attempt * (1 + random.random() / 4)
            log.info("%s; trying again in %.1fs", exc, delay)
            sleep(delay)
            attempt += 1


def fetch_once(url: str, settings: StoreSettings) -> FetchedPage:
    """One attempt at ``url``, following at most ``settings.fetch_max_redirects`` checked redirects,
    all within ``settings.fetch_total_timeout_s``."""
    deadline = _Deadline(time.monotonic() + settings.fetch_total_timeout_s)
    try:
        target = _http_url(url, url)
        with httpx.Client(
            transport=_DeadlineTransport(deadline),
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(settings.fetch_timeout_s, connect=settings.fetch_connect_timeout_s),
            headers={"User-Agent": settings.fetch_user_agent, "Accept-Encoding": "gzip, deflate"},
        ) as client:
            for _ in range(settings.fetch_max_redirects + 1):
                with _open(client, url, target, settings) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        target = _http_url(url, target.join(location.strip()))
                        continue
                    return _read(url, target, response, settings)
    except _DeadlinePassed:
        raise FetchError(
            f"{url}: took longer than {settings.fetch_total_timeout_s:g}s (SANAD_FETCH_TOTAL_TIMEOUT_S)"
        ) from None
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__})", retryable=True) from None
    except httpx.TransportError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}", retryable=True) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    raise FetchError(f"{url}: more than {settings.fetch_max_redirects} redirects")


def _http_url(url: str, value: str | httpx.URL) -> httpx.URL:
    """``value`` as an absolute http(s) URL, or a ``FetchError`` naming the original ``url``."""
    try:
        parsed = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url}: not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        where = "" if str(value) == url else f" (redirected to {value})"
        raise FetchError(f"{url}: only http and https URLs can be fetched{where}")
    return parsed


@contextlib.contextmanager
def _open(client: httpx.Client, url: str, target: httpx.URL, settings: StoreSettings) -> Iterator[httpx.Response]:
    """A streamed response for ``target`` from the first of its checked addresses that answers."""
    host = target.raw_host.decode("ascii")
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = allowed_addresses(
            host,
            port,
            allow_private=settings.fetch_allow_private,
            allowed_networks=settings.fetch_allowed_networks,
        )
    except AddressError as exc:
        raise FetchError(f"{url}: {exc}") from None
    for number, address in enumerate(addresses, start=1):
        try:
            response = _send(client, target, address)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            if number == len(addresses):
                raise
            continue
        try:
            yield response
        finally:
            response.close()
        return


def _send(client: httpx.Client, target: httpx.URL, address: IPAddress) -> httpx.Response:
    """GET ``target`` over a connection to ``address`` (no second DNS lookup)."""
    host = target.raw_host.decode("ascii")
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    request = client.build_request(
        "GET",
        target.copy_with(host=str(address)),
        headers={"Host": target.netloc.decode("ascii")},
        extensions=extensions,
    )
    return client.send(request, stream=True)


def _read(url: str, target: httpx.URL, response: httpx.Response, settings: StoreSettings) -> FetchedPage:
    if response.status_code >= 300:
        retryable = response.status_code == 429 or response.status_code >= 500
        raise FetchError(f"{url}: HTTP {response.status_code}", retryable=retryable)
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in ALLOWED_CONTENT_TYPES:
        raise FetchError(f"{url}: content type {content_type!r} is not text, HTML, JSON or XML")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.fetch_max_bytes:
        raise FetchError(f"{url}: {int(declared):,} bytes is over the {settings.fetch_max_bytes:,}-byte limit")
    encodings = _content_encodings(url, response.headers.get_list("content-encoding", split_commas=True))
    raw = _capped_raw(url, response.iter_raw(), settings.fetch_max_bytes)
    body = bytearray()
    try:
        for chunk in _decoded(raw, encodings):
            body.extend(chunk)
            if len(body) > settings.fetch_max_bytes:
                raise FetchError(f"{url}: body is over the {settings.fetch_max_bytes:,}-byte limit once decompressed")
    except zlib.error as exc:
        raise FetchError(f"{url}: the {', '.join(encodings)} body is corrupt ({exc})") from None
    content_type = content_type or "text/html"
    return FetchedPage(
        url=url,
        final_url=str(target),
        status=response.status_code,
        content_type=content_type,
        text=decode_body(bytes(body), response.charset_encoding, content_type),
        fetched_at=datetime.now(UTC),
    )


def _content_encodings(url: str, names: Sequence[str]) -> list[str]:
    """The body's content codings, in the order they were applied; unknown or too many are refused."""
    encodings = [name.strip().lower() for name in names if name.strip()]
    unknown = next((name for name in encodings if name not in _ENCODINGS), None)
    if unknown is not None:
        raise FetchError(f"{url}: content encoding {unknown[:40]!r} is not supported (gzip, deflate or identity)")
    if len(encodings) > _MAX_ENCODINGS:
        raise FetchError(f"{url}: {len(encodings)} stacked content encodings (at most {_MAX_ENCODINGS})")
    return encodings


def _capped_raw(url: str, chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """``chunks`` as received, until more than ``limit`` bytes have come."""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise FetchError(f"{url}: body is over the {limit:,}-byte limit")
        yield chunk


def _decoded(raw: Iterator[bytes], encodings: Sequence[str]) -> Iterator[bytes]:
    """``raw`` with its content codings undone, last applied first, each a bounded step at a time."""
    stream = raw
    for encoding in reversed(encodings):
        if encoding != "identity":
            stream = _inflate(stream, encoding)
    return stream


def _inflate(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """``chunks`` gunzipped or inflated, never more than ``_STEP`` bytes at a time.

    A ``deflate`` body should have a zlib header; one without it is read as raw deflate.
    """
    gzip = encoding in ("gzip", "x-gzip")
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
    first = not gzip
    for chunk in chunks:
        data = chunk
        while True:
            try:
                out = decompressor.decompress(data, _STEP)
            except zlib.error:
                if not first:
                    raise
                decompressor, first = zlib.decompressobj(-zlib.MAX_WBITS), False
                continue
            first = False
            data = decompressor.unconsumed_tail
            if out:
                yield out
            elif not data:
                break


def text_codec(name: str | None) -> str | None:
    """The codec for a declared character set, or ``None`` unless it is a real text charset
    (``undefined``, ``idna``, ``rot13``, ``base64`` and unknown names are not)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _charset(name: str | None) -> str | None:
    encoding = text_codec(name)
    if name and encoding is None:
        log.warning("charset %r is not a character set Sanad can use; decoding as UTF-8", name[:40])
    return encoding


def decode_body(body: bytes, declared: str | None, content_type: str) -> str:
    """Text of ``body``: a byte-order mark wins, then the header's charset, then an HTML page's
    ``<meta charset>``, else UTF-8. Unusable charsets fall back to UTF-8 (with a warning); bad
    bytes become U+FFFD."""
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None) or _charset(declared)
    if encoding is None and content_type in HTML_TYPES:
        found = _META_CHARSET.search(body[:8192])
        encoding = _charset(found.group(1).decode("ascii", "replace")) if found else None
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except (UnicodeError, LookupError, ValueError, TypeError) as exc:
        log.warning("cannot decode the body as %s (%s); decoding as UTF-8", encoding, exc)
        return body.decode("utf-8", errors="replace")
