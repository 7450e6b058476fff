"""Fetching a URL safely with httpx.

One attempt has a connect timeout, a timeout per read and a total deadline (so a server that
drips bytes cannot hold a worker), a streamed size cap, and a content-type allowlist.
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
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

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
    """One attempt at ``url``, following at most ``settings.fetch_max_redirects`` checked redirects."""
    deadline = time.monotonic() + settings.fetch_total_timeout_s
    try:
        target = _http_url(url, url)
        with httpx.Client(
            follow_redirects=False, trust_env=False, headers={"User-Agent": settings.fetch_user_agent}
        ) as client:
            for _ in range(settings.fetch_max_redirects + 1):
                with _open(client, url, target, settings, deadline) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        target = _http_url(url, target.join(location.strip()))
                        continue
                    return _read(url, target, response, settings, deadline)
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


def _remaining(url: str, settings: StoreSettings, deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{url}: took longer than {settings.fetch_total_timeout_s:g}s (SANAD_FETCH_TOTAL_TIMEOUT_S)")
    return left


@contextlib.contextmanager
def _open(
    client: httpx.Client, url: str, target: httpx.URL, settings: StoreSettings, deadline: float
) -> Iterator[httpx.Response]:
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
            response = _send(client, target, address, settings, _remaining(url, settings, deadline))
        except (httpx.ConnectError, httpx.ConnectTimeout):
            if number == len(addresses):
                raise
            continue
        try:
            yield response
        finally:
            response.close()
        return


def _send(
    client: httpx.Client, target: httpx.URL, address: IPAddress, settings: StoreSettings, left: float
) -> httpx.Response:
    """GET ``target`` over a connection to ``address`` (no second DNS lookup)."""
    host = target.raw_host.decode("ascii")
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    request = client.build_request(
        "GET",
        target.copy_with(host=str(address)),
        headers={"Host": target.netloc.decode("ascii")},
        extensions=extensions,
        timeout=httpx.Timeout(min(settings.fetch_timeout_s, left), connect=min(settings.fetch_connect_timeout_s, left)),
    )
    return client.send(request, stream=True)


def _read(
    url: str, target: httpx.URL, response: httpx.Response, settings: StoreSettings, deadline: float
) -> FetchedPage:
    if response.status_code >= 300:
        retryable = response.status_code == 429 or response.status_code >= 500
        raise FetchError(f"{url}: HTTP {response.status_code}", retryable=retryable)
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in ALLOWED_CONTENT_TYPES:
        raise FetchError(f"{url}: content type {content_type!r} is not text, HTML, JSON or XML")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.fetch_max_bytes:
        raise FetchError(f"{url}: {int(declared):,} bytes is over the {settings.fetch_max_bytes:,}-byte limit")
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > settings.fetch_max_bytes:
            raise FetchError(f"{url}: body is over the {settings.fetch_max_bytes:,}-byte limit")
        _remaining(url, settings, deadline)
    content_type = content_type or "text/html"
    return FetchedPage(
        url=url,
        final_url=str(target),
        status=response.status_code,
        content_type=content_type,
        text=decode_body(bytes(body), response.charset_encoding, content_type),
        fetched_at=datetime.now(UTC),
    )


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def decode_body(body: bytes, declared: str | None, content_type: str) -> str:
    """Text of ``body``: a byte-order mark wins, then the header's charset, then an HTML page's
    ``<meta charset>``, else UTF-8. Unknown charsets fall back to UTF-8; bad bytes become U+FFFD."""
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), None) or _known(declared)
    if encoding is None and content_type in HTML_TYPES:
        found = _META_CHARSET.search(body[:8192])
        encoding = _known(found.group(1).decode("ascii", "replace")) if found else None
    return body.decode(encoding or "utf-8", errors="replace")
