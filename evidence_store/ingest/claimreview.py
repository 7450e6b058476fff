"""Prior fact-checks, kept with their rating, in the forms people have them.

* schema.org ClaimReview JSON-LD, in HTML pages (``<script type="application/ld+json">``) or in JSON files
  holding one ClaimReview, a list, an ``@graph``, or a DataFeed (``dataFeedElement[].item[]``);
* Google Fact Check Tools API JSON (``claims:search``): a response ``{"claims": [...]}``, one claim or a list
  of claims, each ``{"text", "claimant", "claimDate", "claimReview": [{"publisher": {"name", "site"}, "url",
  "title", "reviewDate", "textualRating", "languageCode"}]}``;
* flattened records ``{"claimReviewed", "claimant", "claimDate", "reviews": [{"publisher", "site", "url",
  "title", "reviewDate", "textualRating", "languageCode"}]}`` (``shared/data/claimreview_ar_public.jsonl``).

Each form may sit in a .json/.jsonld file; in a JSONL file each record is read by its keys (a fact-check
record, or an ordinary evidence record as in ``records``). Every review is one document. A review with a
URL gets the id ``claimreview-<sha1 of the normalised URL>``, so the same review read again (twice in a
file, from another file or form, or later with an edited rating) replaces the stored one instead of
adding a second.
"""

import contextlib
import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from lxml import etree

from evidence_store.ingest.files import read_capped
from evidence_store.ingest.html import MAX_TAG_ATTRIBUTES, most_tag_attributes
from evidence_store.ingest.records import (
    DEFAULT_MAX_RECORD_BYTES,
    IngestIssue,
    RecordError,
    parse_date,
    parse_json,
    record_to_document,
)
from evidence_store.types import DocumentInput

REVIEW_ID_PREFIX = "claimreview-"

_JSON_LD_TYPE = "application/ld+json"
_URL_SAFE = "/:@!$&'()*+,;=-._~%"  # kept as they are; anything else (spaces, Arabic letters) is %-escaped
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_TEXT_FIELDS = ("text", "content", "body")


# ------------------------------------------------------------------ review ids


def normalise_review_url(url: str) -> str | None:
    """``url`` with scheme and host in lower case, default port, fragment and trailing slash dropped, and
    escapes made uniform (``%d9`` and a raw Arabic letter both become ``%D9``...); None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in ("http", "https") or not host:
        return None
    with contextlib.suppress(UnicodeError):  # a Unicode host as its punycode, as the web sends it
        host = host.encode("idna").decode("ascii")
    host = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    path, query = (_ESCAPE.sub(lambda m: m.group().upper(), quote(part, safe=_URL_SAFE + "?")) for part in parts[2:4])
    return urlunsplit((scheme, host, path.rstrip("/"), query, ""))


def review_id(url: str | None) -> str | None:
    """The stable document id of the review at ``url``, or None when it has no usable URL."""
    normalised = normalise_review_url(url) if url else None
    if normalised is None:
        return None
    return REVIEW_ID_PREFIX + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ JSON


class LongNumber(str):
    """A JSON integer with more digits than Python converts (``sys.get_int_max_str_digits``), kept as text."""


def _number(digits: str) -> int | LongNumber:
    limit = sys.get_int_max_str_digits()
    return LongNumber(digits) if limit and len(digits.lstrip("-")) > limit else int(digits)


def _parse(raw: str | bytes) -> object:
    """``parse_json``, with an integer too long to convert kept as a ``LongNumber`` instead of failing the
    whole text: only a review that uses it is refused."""
    return parse_json(raw, parse_int=_number)


# ------------------------------------------------------------------ fields


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def _first(value: object) -> object:
    return (value[0] if value else None) if isinstance(value, list) else value


def _text(value: object, field: str) -> str | None:
    """A text field (a string, or the first of a list); ``None`` when absent or blank."""
    value = _first(value)
    if value is None:
        return None
    if isinstance(value, LongNumber):
        raise RecordError(f"ClaimReview field {field!r} is a number of {len(value):,} digits")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    raise RecordError(f"ClaimReview field {field!r} is not text")


def _node(value: object, field: str) -> dict:
    """An object field (or the first of a list); ``{}`` when absent."""
    value = _first(value)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"ClaimReview field {field!r} is not an object")
    return value


def _name(value: object, field: str) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("url"), f"{field}.name")
    return _text(value, field)


def _fact_check(
    claim: str | None,
    rating: str | None,
    missing: str,
    *,
    checker: str | None,
    claimant: str | None,
    explanation: str | None,
    url: str | None,
    page_url: str | None = None,
    title: str | None,
    date: object,
    language: str | None,
) -> DocumentInput:
    """The one document shape of a fact-check: the claim, who made it, the rating and the explanation."""
    if not claim or not rating:
        raise RecordError(missing)
    parts = [f"Fact-check by {checker}." if checker else "Fact-check.", f"Claim: {claim}"]
    if claimant:
        parts.append(f"Made by: {claimant}.")
    parts.append(f"Rating: {rating}.")
    if explanation:
        parts.append(explanation)
    return DocumentInput(
        text=" ".join(parts),
        external_id=review_id(url),
        url=url or page_url,
        title=title or f"Fact-check: {claim[:120]}",
        publisher=checker,
        published_at=parse_date(_first(date)),
        language=language,
        claim_reviewed=claim,
        rating=rating,
    )


# ------------------------------------------------------------------ the forms


def claim_review_to_document(review: dict, page_url: str | None = None) -> DocumentInput:
    """A fact-check document from a schema.org ClaimReview (``page_url`` stands in for its missing URL)."""
    rating_node = _node(review.get("reviewRating"), "reviewRating")
    return _fact_check(
        _text(review.get("claimReviewed"), "claimReviewed"),
        _text(rating_node.get("alternateName") or rating_node.get("name"), "reviewRating.alternateName"),
        "ClaimReview without claimReviewed or reviewRating.alternateName",
        checker=_name(review.get("author"), "author"),
        claimant=_name(_node(review.get("itemReviewed"), "itemReviewed").get("author"), "itemReviewed.author"),
        explanation=_text(
            rating_node.get("ratingExplanation") or review.get("reviewBody") or review.get("description"),
            "explanation",
        ),
        url=_text(review.get("url"), "url"),
        page_url=page_url,
        title=_text(review.get("name") or review.get("headline"), "name"),
        date=review.get("datePublished"),
        language=_name(review.get("inLanguage"), "inLanguage"),
    )


def _listed_review(review: object, claim: str | None, claimant: str | None, language: str | None) -> DocumentInput:
    """One review of a Fact Check Tools claim (publisher ``{name, site}``) or of a flattened record
    (``publisher`` and ``site`` side by side)."""
    if not isinstance(review, dict):
        raise RecordError(f"review is not an object, got {type(review).__name__}")
    publisher = review.get("publisher")
    if isinstance(publisher, dict):
        checker = _text(publisher.get("name"), "publisher.name") or _text(publisher.get("site"), "publisher.site")
    else:
        checker = _text(publisher, "publisher") or _text(review.get("site"), "site")
    return _fact_check(
        claim,
        _text(review.get("textualRating"), "textualRating"),
        "review without textualRating",
        checker=checker,
        claimant=claimant,
        explanation=None,
        url=_text(review.get("url"), "url"),
        title=_text(review.get("title"), "title"),
        date=review.get("reviewDate"),
        language=_text(review.get("languageCode"), "languageCode") or language,
    )


def _kind(node: dict) -> str | None:
    """Which fact-check form ``node`` is: ``schema`` (ClaimReview), ``google`` (a Fact Check Tools claim),
    ``flat`` (a flattened record), or None."""
    if "ClaimReview" in _types(node):
        return "schema"
    if "@type" in node:
        return None
    if "claimReview" in node:
        return "google"
    if "reviews" in node and ("claimReviewed" in node or not any(name in node for name in _TEXT_FIELDS)):
        return "flat"
    return None


def is_fact_check(record: object) -> bool:
    """Whether a JSONL record is a fact-check (in any form above) rather than an evidence document."""
    return isinstance(record, dict) and _kind(record) is not None


def find_fact_checks(data: object) -> Iterator[dict]:
    """Every fact-check node (any form) anywhere inside ``data``, in document order (any depth)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if _kind(node):
                yield node
            else:
                stack.extend(reversed([v for v in node.values() if isinstance(v, dict | list)]))


def fact_check_documents(node: dict, page_url: str | None = None) -> Iterator[DocumentInput | RecordError]:
    """One document per review of a fact-check node, or the error that makes it (or the node) unusable."""
    try:
        if _kind(node) == "schema":
            yield claim_review_to_document(node, page_url)
            return
        google = _kind(node) == "google"
        claim = _text(node.get("text") if google else node.get("claimReviewed"), "text" if google else "claimReviewed")
        if not claim:
            raise RecordError(f"fact-check without a claim ({'text' if google else 'claimReviewed'})")
        claimant = _name(node.get("claimant"), "claimant")
        language = None if google else _text(node.get("lang"), "lang")
        reviews = node.get("claimReview" if google else "reviews")
        reviews = [reviews] if isinstance(reviews, dict) else reviews
        if not isinstance(reviews, list) or not reviews:
            raise RecordError(f"fact-check without reviews ({'claimReview' if google else 'reviews'})")
    except ValueError as exc:  # RecordError, or a field pydantic refuses
        yield RecordError(str(exc).splitlines()[0])
        return
    for number, review in enumerate(reviews, start=1):
        try:
            yield _listed_review(review, claim, claimant, language)
        except ValueError as exc:
            yield RecordError(("" if len(reviews) == 1 else f"review {number}: ") + str(exc).splitlines()[0])


# ------------------------------------------------------------------ sources


def json_ld_blocks(html: str) -> list[str]:
    """The text of each ``<script type="application/ld+json">`` of a page, read by lxml's HTML parser (one
    pass, so an unclosed script runs to the end of the page once instead of once per script)."""
    if not html.strip() or most_tag_attributes(html) > MAX_TAG_ATTRIBUTES:
        return []  # too many attributes in a tag for the parser (see ``html``): no fact-checks read
    parser = etree.HTMLParser(encoding="utf-8", no_network=True)
    try:
        root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.ParserError, etree.XMLSyntaxError):
        return []
    if root is None:
        return []
    return [
        script.text or ""
        for script in root.iter("script")
        if (script.get("type") or "").strip().lower() == _JSON_LD_TYPE
    ]


def claim_reviews_in_html(html: str, page_url: str | None = None) -> list[DocumentInput]:
    """Fact-check documents from the JSON-LD blocks of a page (bad blocks are ignored)."""
    documents = []
    for block in json_ld_blocks(html):
        try:
            data = _parse(block)
        except RecordError:
            continue
        for node in find_fact_checks(data):
            documents += [item for item in fact_check_documents(node, page_url) if isinstance(item, DocumentInput)]
    return documents


def read_claim_review_file(
    path: Path, max_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[DocumentInput | IngestIssue]:
    """Fact-check documents from a .json/.jsonld file (any form above), with an issue per unusable review."""
    raw = read_capped(path, max_bytes)
    if isinstance(raw, IngestIssue):
        yield raw
        return
    try:
        data = _parse(raw.removeprefix(b"\xef\xbb\xbf"))
    except RecordError as exc:
        yield IngestIssue(source=str(path), line=None, message=f"{exc}".replace("invalid JSON", "invalid JSON-LD"))
        return
    nodes = list(find_fact_checks(data))
    if not nodes:
        yield IngestIssue(source=str(path), line=None, message="no ClaimReview objects in the file")
    for number, node in enumerate(nodes, start=1):
        where = f"{path}#{'review' if _kind(node) == 'schema' else 'claim'}{number}"
        for item in fact_check_documents(node):
            yield IngestIssue(source=where, line=None, message=str(item)) if isinstance(item, RecordError) else item


def record_documents(record: object) -> Iterator[DocumentInput | RecordError]:
    """What one JSONL record gives: a document per review of a fact-check, else one evidence document."""
    if is_fact_check(record):
        yield from fact_check_documents(record)
    else:
        yield record_to_document(record)
