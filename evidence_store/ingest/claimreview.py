"""Prior fact-checks published as schema.org ClaimReview JSON-LD, kept with their rating.

Accepts JSON-LD found in HTML pages (``<script type="application/ld+json">``), JSON files
holding one ClaimReview, a list, an ``@graph``, or a DataFeed (``dataFeedElement[].item[]``).
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

from evidence_store.ingest.records import IngestIssue, RecordError, parse_date
from evidence_store.types import DocumentInput

_JSON_LD_SCRIPT = re.compile(
    r"<script[^>]+type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)


def _types(node: dict) -> set[str]:
    value = node.get("@type", [])
    return {value} if isinstance(value, str) else {str(v) for v in value}


def find_claim_reviews(data: object) -> Iterator[dict]:
    """Every object typed ClaimReview anywhere inside ``data``."""
    if isinstance(data, list):
        for item in data:
            yield from find_claim_reviews(item)
    elif isinstance(data, dict):
        if "ClaimReview" in _types(data):
            yield data
            return
        for value in data.values():
            if isinstance(value, dict | list):
                yield from find_claim_reviews(value)


def _name(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return value.get("name") or value.get("url")
    return str(value) if value else None


def claim_review_to_document(review: dict, page_url: str | None = None) -> DocumentInput:
    """A fact-check document: the claim, who made it, the rating and the explanation."""
    claim = (review.get("claimReviewed") or "").strip()
    rating_node = review.get("reviewRating") or {}
    if isinstance(rating_node, list):
        rating_node = rating_node[0] if rating_node else {}
    rating = (rating_node.get("alternateName") or rating_node.get("name") or "").strip()
    if not claim or not rating:
        raise RecordError("ClaimReview without claimReviewed or reviewRating.alternateName")
    item = review.get("itemReviewed") or {}
    claimant = _name(item.get("author")) if isinstance(item, dict) else None
    explanation = rating_node.get("ratingExplanation") or review.get("reviewBody") or review.get("description") or ""
    checker = _name(review.get("author"))
    parts = [f"Fact-check by {checker}." if checker else "Fact-check.", f"Claim: {claim}"]
    if claimant:
        parts.append(f"Made by: {claimant}.")
    parts.append(f"Rating: {rating}.")
    if explanation.strip():
        parts.append(explanation.strip())
    language = review.get("inLanguage")
    return DocumentInput(
        text=" ".join(parts),
        url=review.get("url") or page_url,
        title=review.get("name") or review.get("headline") or f"Fact-check: {claim[:120]}",
        publisher=checker,
        published_at=parse_date(review.get("datePublished")),
        language=_name(language) if language else None,
        claim_reviewed=claim,
        rating=rating,
    )


def claim_reviews_in_html(html: str, page_url: str | None = None) -> list[DocumentInput]:
    """Fact-check documents from the JSON-LD blocks of a page (bad blocks are ignored)."""
    documents = []
    for block in _JSON_LD_SCRIPT.findall(html):
        try:
            data = json.loads(block)
        except json.JSONDecodeError:
            continue
        for review in find_claim_reviews(data):
            try:
                documents.append(claim_review_to_document(review, page_url))
            except (RecordError, ValueError, AttributeError):
                continue
    return documents


def read_claim_review_file(path: Path) -> Iterator[DocumentInput | IngestIssue]:
    """Fact-check documents from a .json/.jsonld file, with an issue per unusable review."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield IngestIssue(source=str(path), line=None, message=f"invalid JSON-LD ({exc})")
        return
    reviews = list(find_claim_reviews(data))
    if not reviews:
        yield IngestIssue(source=str(path), line=None, message="no ClaimReview objects in the file")
    for number, review in enumerate(reviews, start=1):
        try:
            yield claim_review_to_document(review)
        except (RecordError, ValueError, AttributeError) as exc:
            yield IngestIssue(source=f"{path}#review{number}", line=None, message=str(exc))
