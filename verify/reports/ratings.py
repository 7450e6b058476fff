"""The reviewer's rating scale: the fact-checkers' words, their machine label and their ClaimReview rating.

``SCALE`` is the mapping the README's table documents. Each rating falls under one machine label, which is what
report filters, counts and the review queue compare with. A rating on the truth scale has a ClaimReview
``ratingValue`` from ``WORST_RATING`` (false) to ``BEST_RATING`` (true); unproven and opinion are not points on it.
Ratings are named in the claim's language (Arabic or English). A machine label given as a rating, and a review
recorded before the scale, reads as its plain rating: supported as true, disputed as false, unverified as unproven.
"""

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from verify.types import VerdictLabel

ReviewRating = Literal["true", "mostly-true", "misleading", "false", "unproven", "not-checkable"]
RATINGS: tuple[ReviewRating, ...] = get_args(ReviewRating)
WORST_RATING, BEST_RATING = 1, 4


class Rating(BaseModel):
    """One point of the reviewer's scale."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    arabic: str
    label: VerdictLabel
    value: int | None  # on the 1 (false) to 4 (true) scale; None off it


SCALE: dict[ReviewRating, Rating] = {
    "true": Rating(name="True", arabic="صحيح", label="supported", value=4),
    "mostly-true": Rating(name="Mostly true", arabic="صحيح في معظمه", label="supported", value=3),
    "misleading": Rating(name="Misleading", arabic="مضلِّل", label="disputed", value=2),
    "false": Rating(name="False", arabic="زائف", label="disputed", value=1),
    "unproven": Rating(name="Unproven", arabic="غير مُثبَت", label="unverified", value=None),
    "not-checkable": Rating(
        name="Opinion / not checkable", arabic="رأي / غير قابل للتحقق", label="unverified", value=None
    ),
}
PLAIN_RATING: dict[VerdictLabel, ReviewRating] = {"supported": "true", "disputed": "false", "unverified": "unproven"}


_NAMED: dict[str, ReviewRating] = {**{rating: rating for rating in RATINGS}, **PLAIN_RATING, "opinion": "not-checkable"}


def rating_named(value: str) -> ReviewRating | None:
    """The rating ``value`` names, in any case and with spaces or hyphens ("Mostly true"), or a machine label read
    as its plain rating, or "opinion"; None if none of these."""
    return _NAMED.get("-".join(value.lower().replace("_", " ").split()))


def shown_name(rating: ReviewRating, language: str | None) -> str:
    """The rating's name for a reader of a claim in ``language``: Arabic for an Arabic claim, else English."""
    return SCALE[rating].arabic if language == "ar" else SCALE[rating].name
