"""schema.org ClaimReview JSON-LD for reviewed or verified claims (the format search engines read)."""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from evidence_store.errors import InvalidInput
from verify.reports.types import ReportRow

# a role word names a person ("the foreign minister"); otherwise an institution word names an organisation
_PERSON = re.compile(
    r"\b(minister|president|prime|spokes\w*|general|commander|official|ambassador|envoy|mayor|governor|"
    r"senator|director|chief|secretary|king|prince|sheikh|mr|mrs|ms|dr)\b|"
    r"وزير|رئيس|المتحدث|متحدث|اللواء|العميد|الجنرال|قائد|مسؤول|سفير|مبعوث|مدير|الأمين|الملك|الأمير|الشيخ",
    re.IGNORECASE,
)
_ORGANISATION = re.compile(
    r"\b(ministry|government|agency|army|forces|council|committee|office|department|company|bank|party|"
    r"police|court|authority|commission|union|organi[sz]ation|institute|news|treasury|un|nato)\b|"
    r"وزارة|حكومة|الجيش|قوات|مجلس|هيئة|لجنة|وكالة|شركة|حزب|مكتب|الشرطة|محكمة|مؤسسة|منظمة|اتحاد|الخزانة",
    re.IGNORECASE,
)


def speaker_type(speaker: str) -> str:
    """``Person`` or ``Organization`` for a speaker as an article names them (a heuristic)."""
    if _PERSON.search(speaker):
        return "Person"
    return "Organization" if _ORGANISATION.search(speaker) else "Person"


def _date(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def _compact(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` without its None members."""
    return {key: item for key, item in value.items() if item is not None}


def claim_review(row: ReportRow, *, organisation_name: str, organisation_url: str, url_template: str) -> dict[str, Any]:
    """One ClaimReview: the reviewer's label and note when reviewed, else the machine's verdict."""
    if row.review is None and row.verdict is None:
        raise InvalidInput(f"claim {row.claim.claim_id!r} has neither a verdict nor a review")
    claim, article = row.claim, row.article
    if row.review is not None:
        label, explanation, reviewed_at = row.review.label, row.review.note, row.review.created_at
    else:
        verdict = row.verdict.verdict
        label, explanation, reviewed_at = verdict.label, verdict.justification, row.verdict.recorded_at
    if claim.speaker:
        author = {"@type": speaker_type(claim.speaker), "name": claim.speaker}
    elif article.publisher:
        author = {"@type": "Organization", "name": article.publisher}
    else:
        author = None
    try:
        url = url_template.format(
            organisation_url=organisation_url.rstrip("/"), claim_id=quote(claim.claim_id, safe="")
        )
    except (KeyError, IndexError, ValueError):
        raise InvalidInput(
            f"claimreview url template {url_template!r} may use only {{organisation_url}} and {{claim_id}}"
        ) from None
    publisher = {"@type": "Organization", "name": article.publisher} if article.publisher else None
    appearance = None  # where the claim was seen: only an article with an address can be pointed to
    if article.url:
        appearance = _compact(
            {
                "@type": "NewsArticle",
                "url": article.url,
                "headline": article.title,
                "datePublished": _date(article.published_at),
                "publisher": publisher,
            }
        )
    return _compact(
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": url,
            "claimReviewed": claim.check_text,
            "itemReviewed": _compact(
                {
                    "@type": "Claim",
                    "author": author,
                    "datePublished": _date(article.published_at),
                    "appearance": appearance,
                }
            ),
            "author": {"@type": "Organization", "name": organisation_name, "url": organisation_url},
            "datePublished": _date(reviewed_at),
            "inLanguage": claim.language or article.language,
            "reviewRating": {
                "@type": "Rating",
                "alternateName": label.capitalize(),
                "ratingExplanation": explanation,
            },
        }
    )


def claim_reviews(
    rows: Sequence[ReportRow], *, organisation_name: str, organisation_url: str, url_template: str
) -> list[dict[str, Any]]:
    """A ClaimReview for each row that was reviewed or verified."""
    return [
        claim_review(
            row, organisation_name=organisation_name, organisation_url=organisation_url, url_template=url_template
        )
        for row in rows
        if row.review is not None or row.verdict is not None
    ]
