"""A claim that a published fact-check already rated takes that rating as its verdict.

The rating, on the shared scale (``evidence_store.ratings``), gives the label (``verify.prior.labels``):
false and misleading are disputed, true and mostly true supported, mixed and not checkable (or a rating
not on the scale) unverified. The confidence is the probability that the fact-check rated this very claim. The
fact-check is cited first, and the passages the stance model read stay cited after it; where they
point the other way the verdict is marked conflicting, which sends it to a reviewer.
"""

from collections.abc import Sequence

from verify.prior.labels import fact_check_source, rated_label
from verify.prior.matching import PriorMatch
from verify.types import Citation, StanceScore, Verdict, VerdictLabel


def _rating_stance(label: VerdictLabel, probability: float) -> StanceScore:
    side = {"supported": "supports", "disputed": "refutes"}.get(label)
    if side is None:
        return StanceScore(supports=0.0, refutes=0.0, neutral=1.0)
    return StanceScore(**{"supports": 0.0, "refutes": 0.0, side: probability, "neutral": 1.0 - probability})


def follow_prior_check(verdict: Verdict, match: PriorMatch) -> Verdict:
    """``verdict`` made to follow the matched fact-check's rating (see the module's rules)."""
    passage = match.passage
    where = f" ({passage.url})" if passage.url else ""
    label, rating_class = rated_label(passage.rating)
    citation = Citation(
        passage=passage,
        stance=_rating_stance(label, match.probability),
        relevance=match.similarity,
        weight=1.0,
        prior_fact_check=True,
    )
    decisive = ("supported", "disputed")
    conflicting = verdict.label in decisive and label in decisive and verdict.label != label
    justification = (
        f"Previously fact-checked by {fact_check_source(passage)}: rated «{passage.rating}» ({rating_class}){where}."
    )
    if conflicting:
        justification += " The evidence found here points the other way; a reviewer should decide."
    return Verdict(
        **{
            **dict(verdict),
            "label": label,
            "confidence": match.probability,
            "conflicting": conflicting,
            # the fact-check first, and not again as evidence if search found it too
            "citations": (citation, *(c for c in verdict.citations if c.passage.passage_id != passage.passage_id)),
            "justification": f"{justification} Evidence: {verdict.justification}",
        }
    )


def apply_prior_checks(verdicts: Sequence[Verdict], matches: Sequence[PriorMatch | None]) -> list[Verdict]:
    """Each verdict, following its claim's matched fact-check where there is one."""
    if len(verdicts) != len(matches):
        raise ValueError("verdicts and matches must be one per claim")
    return [
        verdict if match is None else follow_prior_check(verdict, match)
        for verdict, match in zip(verdicts, matches, strict=True)
    ]
