"""Prior fact-checks published as schema.org ClaimReview JSON-LD, kept with their rating.

Accepts JSON-LD found in HTML pages (``<script type="application/ld+json">``), JSON files
holding one ClaimReview, a list, an ``@graph``, or a DataFeed (``dataFeedElement[].item[]``).
"""

import re
from collections.abc import Iterator
from pathlib import Path

from evidence_store.ingest.files import read_capped
from evidence_store.ingest.records import DEFAULT_MAX_RECORD_BYTES, IngestIssue, RecordError, parse_date, parse_json
from evidence_store.types import DocumentInput

_JSON_LD_SCRIPT = re.compile(
    r"<script[^>]+type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def find_claim_reviews(data: object) -> Iterator[dict]:
    """Every object typed ClaimReview anywhere inside ``data``, in document order (any depth)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if "ClaimReview" in _types(node):
                yield node
            else:
                stack.extend(reversed([v for v in node.values() if isinstance(v, dict | list)]))


def _first(value: object) -> object:
    return (value[0] if value else None) if isinstance(value, list) else value


def _text(value: object, field: str) -> str | None:
    """A text field (a string, or the first of a list); ``None`` when absent or blank."""
    value = _first(value)
    if value is None:
        return None
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


def claim_review_to_document(review: dict, page_url: str | None = None) -> DocumentInput:
    """A fact-check document: the claim, who made it, the rating and the explanation."""
    claim = _text(review.get("claimReviewed"), "claimReviewed")
    rating_node = _node(review.get("reviewRating"), "reviewRating")
    rating = _text(rating_node.get("alternateName") or rating_node.get("name"), "reviewRating.alternateName")
    if not claim or not rating:
        raise RecordError("ClaimReview without claimReviewed or reviewRating.alternateName")
    claimant = _name(_node(review.get("itemReviewed"), "itemReviewed").get("author"), "itemReviewed.author")
    explanation = _text(
        rating_node.get("ratingExplanation") or review.get("reviewBody") or review.get("description"), "explanation"
    )
    checker = _name(review.get("author"), "author")
    parts = [f"Fact-check by {checker}." if checker else "Fact-check.", f"Claim: {claim}"]
    if claimant:
        parts.append(f"Made by: {claimant}.")
    parts.append(f"Rating: {rating}.")
    if explanation:
        parts.append(explanation)
    return DocumentInput(
        text=" ".join(parts),
        url=_text(review.get("url"), "url") or page_url,
        title=_text(review.get("name") or review.get("headline"), "name") or f"Fact-check: {claim[:120]}",
        publisher=checker,
        published_at=parse_date(_first(review.get("datePublished"))),
        language=_name(review.get("inLanguage"), "inLanguage"),
        claim_reviewed=claim,
        rating=rating,
    )


def claim_reviews_in_html(html: str, page_url: str | None = None) -> list[DocumentInput]:
    """Fact-check documents from the JSON-LD blocks of a page (bad blocks are ignored)."""
    documents = []
    for block in _JSON_LD_SCRIPT.findall(html):
        try:
            data = parse_json(block)
        except RecordError:
            continue
        for review in find_claim_reviews(data):
            try:
                documents.append(claim_review_to_document(review, page_url))
            except ValueError:  # RecordError, or a field pydantic refuses
                continue
    return documents


def read_claim_review_file(
    path: Path, max_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[DocumentInput | IngestIssue]:
    """Fact-check documents from a .json/.jsonld file, with an issue per unusable review."""
    raw = read_capped(path, max_bytes)
    if isinstance(raw, IngestIssue):
        yield raw
        return
    try:
        data = parse_json(raw.removeprefix(b"\xef\xbb\xbf"))
    except RecordError as exc:
        yield IngestIssue(source=str(path), line=None, message=f"{exc}".replace("invalid JSON", "invalid JSON-LD"))
        return
    reviews = list(find_claim_reviews(data))
    if not reviews:
        yield IngestIssue(source=str(path), line=None, message="no ClaimReview objects in the file")
    for number, review in enumerate(reviews, start=1):
        try:
            yield claim_review_to_document(review)
        except ValueError as exc:  # RecordError, or a field pydantic refuses
            yield IngestIssue(source=f"{path}#review{number}", line=None, message=str(exc).splitlines()[0])
