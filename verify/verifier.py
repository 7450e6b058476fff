"""Verify claims: score the stance of their evidence and aggregate it into calibrated verdicts."""

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from evidence_store.store import EvidenceStore
from evidence_store.text.language import detect_language
from evidence_store.types import Passage, SearchHit
from verify.calibration import Calibration, calibration_key
from verify.relevance import pair_similarities
from verify.settings import Settings
from verify.stance.factory import load_stance_model
from verify.stance.protocol import StancePair
from verify.types import Verdict
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
) -> list[Verdict]:
    """One verdict per claim from its evidence; claim languages are detected when not given. ``retrieved``:
    the evidence came from search rather than with the claim (its confidence is calibrated for that)."""
    if len(claims) != len(evidence):
        raise ValueError("every claim needs its (possibly empty) list of evidence")
    model = load_stance_model(settings)
    calibration: Calibration = getattr(model, "calibration", None) or Calibration()
    evidence = with_relevance(claims, evidence, settings)
    pairs = [
        StancePair(claim=claim, passage=e.passage.text, similarity=e.relevance)
        for claim, items in zip(claims, evidence, strict=True)
        for e in items
    ]
    scores = iter(model.score(pairs, on_progress=on_progress) if pairs else [])
    verdicts = []
    for index, (claim, items) in enumerate(zip(claims, evidence, strict=True)):
        scored = [ScoredEvidence(passage=e.passage, relevance=float(e.relevance), stance=next(scores)) for e in items]
        language = languages[index] if languages is not None else detect_language(claim)
        key = calibration_key(language, [e.passage.language for e in items])
        calibrated = calibration.for_language(key)
        verdicts.append(aggregate(claim, scored, calibrated, settings, model.name, retrieved=retrieved))
    return verdicts


def verify_against_store(
    claims: Sequence[str],
    store: EvidenceStore,
    settings: Settings,
    languages: Sequence[str | None] | None = None,
    on_progress: Progress | None = None,
) -> list[Verdict]:
    """Retrieve the top ``verdict_top_k`` passages of each claim (hybrid search) and judge it on them."""
    hits = store.search_many(list(claims), k=settings.verdict_top_k, mode="hybrid")
    return judge(claims, [evidence_from_hits(h) for h in hits], settings, languages, on_progress, retrieved=True)
