"""A JSON Schema of the schema.org ClaimReview structure (the properties Google's fact-check markup requires)."""

import jsonschema

from verify.reports.ratings import BEST_RATING, SCALE, WORST_RATING

_TEXT = {"type": "string", "minLength": 1}
# the machine labels (an automated assessment) and the reviewers' ratings, in English and Arabic
_RATING_NAMES = [name for rating in SCALE.values() for name in (rating.name, rating.arabic)]
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}"}
_URL = {"type": "string", "pattern": r"^https?://\S+$"}
_ORGANISATION = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {"@type": {"const": "Organization"}, "name": _TEXT, "url": _URL},
}
_PERSON_OR_ORGANISATION = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {"@type": {"enum": ["Person", "Organization"]}, "name": _TEXT},
}

CLAIM_REVIEW = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "itemReviewed",
        "author",
        "datePublished",
        "reviewRating",
        "inLanguage",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": _URL,
        "claimReviewed": _TEXT,
        "datePublished": _DATE,
        "inLanguage": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "author": _ORGANISATION,
        "itemReviewed": {
            "type": "object",
            "required": ["@type"],
            "properties": {
                "@type": {"const": "Claim"},
                "author": _PERSON_OR_ORGANISATION,
                "datePublished": _DATE,
                "appearance": {
                    "type": "object",
                    "required": ["@type", "url"],
                    "properties": {
                        "@type": {"enum": ["CreativeWork", "NewsArticle", "Article"]},
                        "url": _URL,
                        "headline": _TEXT,
                        "datePublished": _DATE,
                        "publisher": _ORGANISATION,
                    },
                },
            },
        },
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName", "ratingExplanation"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"enum": ["Supported", "Disputed", "Unverified", *_RATING_NAMES]},
                "ratingValue": {"type": "integer", "minimum": WORST_RATING, "maximum": BEST_RATING},
                "worstRating": {"const": WORST_RATING},
                "bestRating": {"const": BEST_RATING},
                "ratingExplanation": _TEXT,
            },
            "dependentRequired": {"ratingValue": ["worstRating", "bestRating"]},
        },
    },
}


def validate_claim_reviews(documents: object) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``documents`` is a list of valid ClaimReviews."""
    jsonschema.validate(documents, {"type": "array", "items": CLAIM_REVIEW})
