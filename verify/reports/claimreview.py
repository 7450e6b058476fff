"""schema.org ClaimReview JSON-LD for reviewed claims (the format search engines index as published fact-checks).

Only a fact-checker's decision is published by default, rated on the scale of ``verify.reports.ratings``. A
machine verdict is exported only when asked for, and then says in its text that it is an automated assessment:
its ``reviewRating.ratingExplanation`` begins with :data:`AUTOMATED` and its ``reviewBody`` says so with the
machine's confidence.
"""

import re
import string
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from evidence_store.errors import InvalidInput
from verify.reports.ratings import BEST_RATING, SCALE, WORST_RATING, shown_name
from verify.reports.types import ReportRow, Review
from verify.settings import Settings

AUTOMATED = "Automated assessment, not reviewed by a fact-checker"

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
_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+\S*")
_TEMPLATE_FIELDS = {"organisation_url", "claim_id"}


class Publisher(BaseModel):
    """The newsroom that publishes the ClaimReviews: its name, site and logo, and the address of each review."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    url: str
    logo_url: str | None = None
    url_template: str = "{organisation_url}#claim-{claim_id}"


def _is_address(value: str) -> bool:
    """Whether ``value`` is an http(s) address without spaces, control or formatting characters."""
    return bool(_WEB_ADDRESS.fullmatch(value)) and not any(unicodedata.category(c)[0] == "C" for c in value)


def _address(value: str | None, setting: str) -> str | None:
    """``value`` stripped (None when unset), or an error naming ``setting`` unless it is an http(s) address."""
    if value is None or not value.strip():
        return None
    if not _is_address(value.strip()):
        raise InvalidInput(f"{setting} {value[:200]!r} is not an http(s) address")
    return value.strip()


def _template(template: str) -> str:
    """``template``, or an error unless its only fields are plain {organisation_url} and {claim_id}."""
    error = InvalidInput(
        f"SANAD_CLAIMREVIEW_URL_TEMPLATE {template[:200]!r} may use only {{organisation_url}} and {{claim_id}}"
    )
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template)]
    except ValueError:
        raise error from None
    if any(
        name is not None and (name not in _TEMPLATE_FIELDS or spec or conversion) for name, spec, conversion in fields
    ):
        raise error
    return template


def publisher(settings: Settings) -> Publisher:
    """The publishing newsroom from the settings; an error naming what is missing rather than publish as Sanad."""
    name = (settings.organisation_name or "").strip()
    url = _address(settings.organisation_url, "SANAD_ORGANISATION_URL")
    if not name or url is None:
        missing = " and ".join(
            f"SANAD_ORGANISATION_{key}" for key, value in (("NAME", name), ("URL", url)) if not value
        )
        raise InvalidInput(
            f"set {missing} to the newsroom that publishes these fact-checks before exporting ClaimReview"
        )
    return Publisher(
        name=name,
        url=url,
        logo_url=_address(settings.organisation_logo_url, "SANAD_ORGANISATION_LOGO_URL"),
        url_template=_template(settings.claimreview_url_template),
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


def _review_url(row: ReportRow, by: Publisher) -> str:
    """The review's own address; an error unless the template makes an http(s) address of it."""
    url = by.url_template.format(organisation_url=by.url.rstrip("/"), claim_id=quote(row.claim.claim_id, safe=""))
    if not _is_address(url):
        raise InvalidInput(
            f"SANAD_CLAIMREVIEW_URL_TEMPLATE {by.url_template[:200]!r} makes {url[:200]!r}, not an http(s) address"
        )
    return url


def _item_reviewed(row: ReportRow) -> dict[str, Any]:
    """The claim as it appeared: who made it, and the article it was seen in when that has an address."""
    claim, article = row.claim, row.article
    if claim.speaker:
        author = {"@type": speaker_type(claim.speaker), "name": claim.speaker}
    elif article.publisher:
        author = {"@type": "Organization", "name": article.publisher}
    else:
        author = None
    appearance = None
    if article.url:
        publisher_of_article = {"@type": "Organization", "name": article.publisher} if article.publisher else None
        appearance = _compact(
            {
                "@type": "NewsArticle",
                "url": article.url,
                "headline": article.title,
                "datePublished": _date(article.published_at),
                "publisher": publisher_of_article,
            }
        )
    return _compact(
        {"@type": "Claim", "author": author, "datePublished": _date(article.published_at), "appearance": appearance}
    )


def _author(by: Publisher) -> dict[str, Any]:
    logo = {"@type": "ImageObject", "url": by.logo_url} if by.logo_url else None
    return _compact({"@type": "Organization", "name": by.name, "url": by.url, "logo": logo})


def _reviewed_rating(review: Review, language: str | None) -> dict[str, Any]:
    """The reviewer's rating (named in the claim's language, Arabic or English) and note; a rating on the truth
    scale also gives its value from ``WORST_RATING`` (false) to ``BEST_RATING`` (true)."""
    value = SCALE[review.rating].value
    scale = {"ratingValue": value, "worstRating": WORST_RATING, "bestRating": BEST_RATING} if value is not None else {}
    name = shown_name(review.rating, language)
    return {"@type": "Rating", "alternateName": name, **scale, "ratingExplanation": review.note}


def _machine_rating(label: str, explanation: str) -> dict[str, Any]:
    """A machine verdict's label, not a point on the reviewers' truth scale: no rating value."""
    return {"@type": "Rating", "alternateName": label.capitalize(), "ratingExplanation": explanation}


def claim_review(row: ReportRow, by: Publisher) -> dict[str, Any]:
    """One ClaimReview: the reviewer's rating and note when reviewed, else the machine's verdict marked automated."""
    body, language = None, row.claim.language or row.article.language
    if row.review is not None:
        rating, published = _reviewed_rating(row.review, language), row.review.created_at
    elif row.verdict is not None:
        verdict = row.verdict.verdict
        rating = _machine_rating(verdict.label, f"{AUTOMATED}: {verdict.justification}")
        body = f"{AUTOMATED}: Sanad's machine verdict, {verdict.label} with {verdict.confidence:.0%} confidence."
        published = row.verdict.recorded_at
    else:
        raise InvalidInput(f"claim {row.claim.claim_id!r} has neither a verdict nor a review")
    return _compact(
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": _review_url(row, by),
            "claimReviewed": row.claim.check_text,
            "itemReviewed": _item_reviewed(row),
            "author": _author(by),
            "datePublished": _date(published),
            "inLanguage": language,
            "reviewRating": rating,
            "reviewBody": body,
        }
    )


def claim_reviews(
    rows: Sequence[ReportRow], by: Publisher, *, include_machine_verdicts: bool = False
) -> list[dict[str, Any]]:
    """A ClaimReview for each reviewed row, and for each verified one only with ``include_machine_verdicts``."""
    return [
        claim_review(row, by)
        for row in rows
        if row.review is not None or (include_machine_verdicts and row.verdict is not None)
    ]
