"""Verdict aggregation: relevance-gated stance evidence -> supported | disputed | unverified.

Rules (DESIGN.md, "Verdict rules"): a passage below ``verdict_relevance_floor`` cannot decide, nor
can one ``verdict_relevance_margin`` or more less relevant than the claim's best passage (a passage
on a neighbouring event is not evidence about this one); the strongest gated support and refutation
become logits, calibrated per language; a decisive
verdict needs a cited passage at least ``verdict_min_strength`` strong; strong evidence both
ways is disputed and flagged conflicting; no evidence or only weak/neutral evidence is unverified.
A decided verdict also cites, last, the strongest passage on the other side when one is strong
enough to cite, and its justification names it, so a reviewer sees the counter-evidence. A passage
counts for the side it leans to (P(supports) vs P(refutes), as its citation shows it) and is cited once.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from evidence_store.types import Passage
from verify.calibration import VerdictCalibration
from verify.settings import Settings
from verify.types import Citation, ClaimType, StanceScore, Verdict, VerdictLabel

Side = Literal["supports", "refutes"]

VERDICT_LABELS: tuple[VerdictLabel, ...] = ("supported", "disputed", "unverified")
_EPS = 1e-4


class ScoredEvidence(BaseModel):
    """A passage with its retrieval relevance (cosine) and its stance towards the claim."""

    model_config = ConfigDict(frozen=True)

    passage: Passage
    relevance: float
    stance: StanceScore


def relevance_gate(relevance: float, settings: Settings, best_relevance: float | None = None) -> float:
    """How much a passage of this relevance may weigh: 0 below the floor, 1 from ``verdict_relevance_full``
    up, linear between; times a discount falling linearly to 0 at ``verdict_relevance_margin`` below
    ``best_relevance`` (the most relevant passage for the same claim), when given.
    """
    low, high = settings.verdict_relevance_floor, settings.verdict_relevance_full
    gate = float(np.clip((relevance - low) / max(high - low, 1e-6), 0.0, 1.0))
    if best_relevance is None:
        return gate
    shortfall = max(best_relevance - relevance, 0.0)
    return gate * float(np.clip(1.0 - shortfall / max(settings.verdict_relevance_margin, 1e-6), 0.0, 1.0))


def evidence_strengths(evidence: Sequence[ScoredEvidence], settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Gated support and refutation strength of each passage."""
    best = max((e.relevance for e in evidence), default=0.0)
    gates = np.array([relevance_gate(e.relevance, settings, best) for e in evidence])
    supports = np.array([e.stance.supports for e in evidence]) * gates if evidence else np.zeros(0)
    refutes = np.array([e.stance.refutes for e in evidence]) * gates if evidence else np.zeros(0)
    return supports, refutes


def verdict_logits(evidence: Sequence[ScoredEvidence], settings: Settings) -> np.ndarray:
    """log(strongest support), log(strongest refutation), log(1 - the larger): the calibrator's input."""
    supports, refutes = evidence_strengths(evidence, settings)
    best_support = float(supports.max()) if supports.size else 0.0
    best_refute = float(refutes.max()) if refutes.size else 0.0
    undecided = 1.0 - max(best_support, best_refute)
    return np.log(np.array([best_support, best_refute, undecided]) + _EPS)


def _source(passage: Passage) -> str:
    publisher = passage.publisher or passage.title or passage.doc_id
    date = passage.published_at.date().isoformat() if passage.published_at else "undated"
    return f"{publisher} ({date})"


def _snippet(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _leans(evidence: ScoredEvidence, side: Side) -> bool:
    """Whether the passage counts for ``side``, as ``Citation.cited_as`` will show it (a tie counts as support)."""
    supports = evidence.stance.supports >= evidence.stance.refutes
    return supports if side == "supports" else not supports


def _citations(
    evidence: Sequence[ScoredEvidence], strengths: np.ndarray, settings: Settings, limit: int, side: Side
) -> list[tuple[ScoredEvidence, float]]:
    """The passages strong enough to cite for ``side``, strongest first; only those that lean to ``side``, so that
    no passage is cited for both sides (nor twice) and each is shown as counting for the side it is cited for."""
    order = [
        i
        for i in np.argsort(-strengths, kind="stable")
        if strengths[i] >= settings.verdict_min_strength and _leans(evidence[i], side)
    ]
    return [(evidence[i], float(strengths[i])) for i in order[:limit]]


def _unique(evidence: Sequence[ScoredEvidence]) -> list[ScoredEvidence]:
    """``evidence`` with each passage once (its first occurrence): a passage cannot be cited twice."""
    first: dict[int, ScoredEvidence] = {}
    for item in evidence:
        first.setdefault(item.passage.passage_id, item)
    return list(first.values())


def _justify(
    label: VerdictLabel,
    conflicting: bool,
    cited: dict[str, list],
    shown: list,
    opposing: list,
    evidence: Sequence[ScoredEvidence],
    settings: Settings,
) -> str:
    """``shown``: the cited passages on the verdict's side; ``opposing``: the one cited against it, if any."""
    if conflicting:
        pro, con = cited["supports"][0][0].passage, cited["refutes"][0][0].passage
        return f"Conflicting evidence: supported by {_source(pro)} but contradicted by {_source(con)}."
    if label in ("supported", "disputed"):
        verb = "Supported" if label == "supported" else "Contradicted"
        best = shown[0][0].passage
        more = f", and {len(shown) - 1} more passage(s)" if len(shown) > 1 else ""
        against = ""
        if opposing:  # weaker than a conflict, but a reviewer should see it
            passage, strength = opposing[0]
            stance = "contradicts" if label == "supported" else "supports"
            against = f" Against it: {_source(passage.passage)} {stance} the claim ({strength:.2f})."
        return f"{verb} by {_source(best)}: “{_snippet(best.text)}”{more}.{against}"
    if not evidence:
        return "No evidence was found for this claim."
    best = max(evidence, key=lambda e: e.relevance)
    if relevance_gate(best.relevance, settings) == 0.0:
        return (
            f"No passage was relevant enough to decide (best relevance {best.relevance:.2f}, {_source(best.passage)})."
        )
    return (
        f"The relevant evidence neither clearly supports nor contradicts the claim (closest: {_source(best.passage)})."
    )


def _undecided_view(speaker: str | None) -> str:
    who = f"the article attributes it to {speaker}" if speaker else "the article states it"
    return (
        f"An opinion, prediction or reading of intent ({who}): only a passage that addresses this very "
        "assessment can decide it, and reports of other facts on the same events do not count."
    )


def aggregate(
    claim_text: str,
    evidence: Sequence[ScoredEvidence],
    calibration: VerdictCalibration,
    settings: Settings,
    stance_model: str,
    now: datetime | None = None,
    retrieved: bool = False,
    claim_id: str | None = None,
    claim_type: ClaimType = "factual",
    speaker: str | None = None,
) -> Verdict:
    """The verdict on ``claim_text`` from its scored evidence (see the module's rules); ``retrieved``: the
    evidence came from search, so the calibration's retrieved temperature applies. An undecided opinion-type
    claim's justification says so, and who the article says holds the view."""
    evidence = _unique(evidence)
    supports, refutes = evidence_strengths(evidence, settings)
    probabilities = calibration.probabilities(verdict_logits(evidence, settings), retrieved=retrieved)
    limit = settings.verdict_max_citations
    cited = {
        "supports": _citations(evidence, supports, settings, limit, "supports"),
        "refutes": _citations(evidence, refutes, settings, limit, "refutes"),
    }
    strong = settings.verdict_conflict_strength
    conflicting = bool(supports.size) and supports.max() >= strong and refutes.max() >= strong
    shown, opposing = [], []
    if conflicting:
        label: VerdictLabel = "disputed"
        chosen = cited["refutes"][: max(1, limit - 1)] + cited["supports"][:1]
    else:
        label = VERDICT_LABELS[int(np.argmax(probabilities))]
        side = {"supported": "supports", "disputed": "refutes"}.get(label)
        shown = cited[side] if side else []
        if side and not shown:
            label = "unverified"  # too weak to decide, whatever the calibrated argmax says
        elif side:  # the strongest passage on the other side, if any, is cited last
            opposing = cited["refutes" if side == "supports" else "supports"][:1]
            shown = shown[: max(1, limit - 1)] if opposing else shown
        chosen = shown + opposing
    confidence = float(probabilities[VERDICT_LABELS.index(label)])
    total = sum(strength for _, strength in chosen) or 1.0
    justification = _justify(label, conflicting, cited, shown, opposing, evidence, settings)
    if label == "unverified" and claim_type == "opinion":
        justification = _undecided_view(speaker) + " " + justification
    citations = tuple(
        Citation(passage=e.passage, stance=e.stance, relevance=e.relevance, weight=strength / total)
        for e, strength in chosen
    )
    return Verdict(
        claim_id=claim_id,
        claim_text=claim_text,
        label=label,
        confidence=float(np.clip(confidence, 0.0, 1.0)),
        conflicting=conflicting,
        citations=citations,
        justification=justification,
        stance_model=stance_model,
        created_at=now or datetime.now(UTC),
    )
