"""Fetching a URL with httpx: timeouts, a streamed size cap, redirect limit, content-type check."""

from datetime import UTC, datetime

import httpx
from pydantic import BaseModel, ConfigDict

from evidence_store.settings import StoreSettings

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
MAX_REDIRECTS = 5


class FetchError(RuntimeError):
    """A URL that could not be fetched; the message says why (status, type, size, network).

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


def _decode(body: bytes, response: httpx.Response) -> str:
    encoding = response.charset_encoding or "utf-8"
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")


def fetch_url(url: str, settings: StoreSettings, client: httpx.Client | None = None) -> FetchedPage:
    """GET ``url`` and return its text; raises ``FetchError`` with a clear reason."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    owned = client is None
    client = client or httpx.Client(
        timeout=httpx.Timeout(settings.fetch_timeout_s, connect=min(10.0, settings.fetch_timeout_s)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": settings.fetch_user_agent},
    )
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                retryable = response.status_code == 429 or response.status_code >= 500
                raise FetchError(f"{url}: HTTP {response.status_code}", retryable=retryable)
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type and content_type not in ALLOWED_CONTENT_TYPES:
                raise FetchError(f"{url}: content type {content_type!r} is not text, HTML, JSON or XML")
            declared = int(response.headers.get("content-length") or 0)
            if declared > settings.fetch_max_bytes:
                raise FetchError(f"{url}: {declared:,} bytes is over the {settings.fetch_max_bytes:,}-byte limit")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > settings.fetch_max_bytes:
                    raise FetchError(f"{url}: body is over the {settings.fetch_max_bytes:,}-byte limit")
            return FetchedPage(
                url=url,
                final_url=str(response.url),
                status=response.status_code,
                content_type=content_type or "text/html",
                text=_decode(bytes(body), response),
                fetched_at=datetime.now(UTC),
            )
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__})", retryable=True) from exc
    except httpx.TransportError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}", retryable=True) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    finally:
        if owned:
            client.close()
