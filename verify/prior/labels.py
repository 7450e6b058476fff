"""What a published fact-check's rating means as a verdict, and how a justification names the fact-check.

Light on purpose: reports import it to show prior fact-checks, without the matching machinery.
"""

from evidence_store.ratings import RatingClass, normalise_rating
from evidence_store.types import Passage
from verify.types import VerdictLabel

RATING_VERDICTS: dict[RatingClass, VerdictLabel] = {
    "false": "disputed",
    "misleading": "disputed",
    "mixed": "unverified",
    "mostly_true": "supported",
    "true": "supported",
    "not_checkable": "unverified",
}
_READABLE = {"mostly_true": "mostly true", "not_checkable": "not checkable"}


def rated_label(rating: str | None) -> tuple[VerdictLabel, str]:
    """The verdict a textual rating gives, and its class in words ("not on the scale" when unknown)."""
    rating_class = normalise_rating(rating or "").rating_class
    if rating_class is None:
        return "unverified", "not on the scale"
    return RATING_VERDICTS[rating_class], _READABLE.get(rating_class, rating_class)


def fact_check_source(passage: Passage) -> str:
    """A fact-check's publisher and date ("<publisher> on <date>"), as a justification names it."""
    publisher = passage.publisher or passage.title or passage.doc_id
    return f"{publisher} on {passage.published_at.date().isoformat()}" if passage.published_at else publisher
