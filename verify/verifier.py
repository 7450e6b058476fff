"""Verify claims: score the stance of their evidence and aggregate it into calibrated verdicts."""

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from evidence_store.text.language import detect_language
from evidence_store.types import Passage, SearchHit
from verify.calibration import calibration_key
from verify.extract.assertions import counted_stance
from verify.relevance import pair_similarities
from verify.settings import Settings
from verify.stance.factory import load_stance_model
from verify.stance.protocol import StancePair
from verify.types import ClaimType, Verdict
from verify.verdict import ScoredEvidence, aggregate

Progress = Callable[[int, int], None]


class Evidence(BaseModel):
    """A passage shown to the verifier; ``relevance`` is the claim-passage cosine when retrieval knows it."""

    model_config = ConfigDict(frozen=True)

    passage: Passage
    relevance: float | None = None


def evidence_from_hits(hits: Sequence[SearchHit]) -> list[Evidence]:
    """Search hits as evidence (the dense cosine is the relevance; BM25-only hits get theirs computed)."""
    return [Evidence(passage=hit.passage, relevance=hit.dense_score) for hit in hits]


def with_relevance(
    claims: Sequence[str], evidence: Sequence[Sequence[Evidence]], settings: Settings
) -> list[list[Evidence]]:
    """The evidence with every missing relevance filled in by the e5 bi-encoder cosine."""
    missing = [(i, j) for i, items in enumerate(evidence) for j, e in enumerate(items) if e.relevance is None]
    values = pair_similarities(
        [claims[i] for i, _ in missing], [evidence[i][j].passage.text for i, j in missing], settings
    )
    filled = {key: float(v) for key, v in zip(missing, values, strict=True)}
    return [
        [
            e if e.relevance is not None else e.model_copy(update={"relevance": filled[(i, j)]})
            for j, e in enumerate(items)
        ]
        for i, items in enumerate(evidence)
    ]


def judge(
    claims: Sequence[str],
    evidence: Sequence[Sequence[Evidence]],
    settings: Settings,
    languages: Sequence[str | None] | None = None,
    on_progress: Progress | None = None,
    retrieved: bool = False,
    claim_ids: Sequence[str] | None = None,
    claim_types: Sequence[ClaimType] | None = None,
    speakers: Sequence[str | None] | None = None,
) -> list[Verdict]:
    """One verdict per claim from its evidence; claim languages are detected when not given. ``retrieved``:
    the evidence came from search rather than with the claim (its confidence is calibrated for that).
    ``claim_ids``, when given, are carried by the verdicts. ``claim_types`` and ``speakers`` (from claim
    extraction) decide what a passage may count for (``verify.extract.assertions``); without them a claim is factual."""
    if any(given is not None and len(given) != len(claims) for given in (claim_ids, claim_types, speakers)):
        raise ValueError("claim ids, types and speakers, when given, must be one per claim")
    if len(claims) != len(evidence):
        raise ValueError("every claim needs its (possibly empty) list of evidence")
    model = load_stance_model(settings)
    calibration = model.calibration
    evidence = with_relevance(claims, evidence, settings)
    pairs = [
        StancePair(claim=claim, passage=e.passage.text, similarity=e.relevance)
        for claim, items in zip(claims, evidence, strict=True)
        for e in items
    ]
    scores = iter(model.score(pairs, on_progress=on_progress) if pairs else [])
    verdicts = []
    for index, (claim, items) in enumerate(zip(claims, evidence, strict=True)):
        kind = claim_types[index] if claim_types is not None else "factual"
        scored = [
            ScoredEvidence(
                passage=e.passage,
                relevance=float(e.relevance),
                stance=counted_stance(
                    claim, kind, e.passage.text, next(scores), e.relevance >= settings.verdict_restatement_relevance
                ),
            )
            for e in items
        ]
        language = languages[index] if languages is not None else detect_language(claim)
        key = calibration_key(language, [e.passage.language for e in items])
        calibrated = calibration.for_language(key)
        verdicts.append(
            aggregate(
                claim,
                scored,
                calibrated,
                settings,
                model.name,
                retrieved=retrieved,
                claim_id=claim_ids[index] if claim_ids is not None else None,
                claim_type=kind,
                speaker=speakers[index] if speakers is not None else None,
            )
        )
    return verdicts
