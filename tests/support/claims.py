"""A claim standing on its own (the whole text of a one-sentence article), for tests that judge one claim."""

from verify.types import Claim


def standalone_claim(text: str, claim_id: str, language: str = "en") -> Claim:
    """A factual, check-worthy claim whose article is ``text`` alone."""
    article_id = claim_id.split(":")[0]
    return Claim(
        claim_id=claim_id,
        article_id=article_id,
        text=text,
        start=0,
        end=len(text),
        language=language,
        checkworthiness=0.9,
        claim_type="factual",
    )
