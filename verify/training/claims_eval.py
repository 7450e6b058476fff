"""``sanad eval claims``: verdicts on a labelled claims file, from its own evidence or from retrieval.

Input lines follow ``shared/data/README.md``: ``{"id", "lang", "claim", "evidence": [{"text",
"source", "date"?}], "label"}``. Output lines: ``{"id", "verdict", "confidence", "cited"}`` where
``cited`` holds evidence indexes (given evidence) or corpus ids (``--retrieve``).
"""

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from evidence_store.errors import InvalidInput
from evidence_store.ingest.records import IngestIssue, RecordError, parse_date
from evidence_store.ingest.tabular import read_jsonl
from evidence_store.store import EvidenceStore
from evidence_store.types import Passage
from verify.settings import Settings
from verify.training.baseline import SimilarityThresholds, fit_thresholds
from verify.training.metrics import Abstention, Metrics, abstention, classification_metrics
from verify.training.stance_data import in_training_data
from verify.verdict import VERDICT_LABELS
from verify.verifier import Evidence, evidence_from_hits, judge, with_relevance

Progress = Callable[[str, int, int], None]


class LabelledClaim(BaseModel):
    """One line of a claims file."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    claim: str
    label: str
    lang: str | None = None
    evidence: list[dict] = []
    dataset: str = ""
    split: str | None = None


class Prediction(BaseModel):
    """One output line."""

    model_config = ConfigDict(frozen=True)

    id: str
    verdict: str
    confidence: float
    cited: list[int | str]


class ClaimsRun(BaseModel):
    """Predictions, their metrics, and the similarity baseline on the same claims."""

    model_config = ConfigDict(frozen=True)

    predictions: list[Prediction]
    metrics: Metrics
    abstention: Abstention  # precision and coverage of the supported and disputed verdicts
    baseline: Metrics
    baseline_thresholds: SimilarityThresholds
    skipped_trained: int = 0


def read_claims(path: Path) -> list[LabelledClaim]:
    """Claims of a JSONL file; raises ``ValueError`` naming the first bad line."""
    claims = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                claim = LabelledClaim.model_validate_json(line)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "line"
                raise InvalidInput(f"{path}:{number}: bad claim line ({where}: {first['msg']})") from None
            if claim.label not in VERDICT_LABELS:
                raise InvalidInput(f"{path}:{number}: label {claim.label!r} is not one of {', '.join(VERDICT_LABELS)}")
            claims.append(claim)
    return claims


def given_evidence(claim: LabelledClaim) -> list[Evidence]:
    """A claim's own evidence as passages (``passage_id`` = the evidence index)."""
    out = []
    for index, item in enumerate(claim.evidence):
        text = str(item.get("text") or "")
        if not text.strip():
            continue
        try:
            published = parse_date(item.get("date"))
        except RecordError:
            published = None
        passage = Passage(
            passage_id=index,
            doc_id=str(item.get("passage_id") or item.get("doc_id") or f"{claim.id}#{index}"),
            order=0,
            text=text,
            char_start=0,
            char_end=len(text),
            language=claim.lang,
            url=None,
            title=None,
            publisher=item.get("source"),
            published_at=published,
        )
        out.append(Evidence(passage=passage))
    return out


def retrieved_evidence(
    claims: list[LabelledClaim], corpus: Path, settings: Settings, progress: Progress
) -> list[list[Evidence]]:
    """Each claim's top ``verdict_top_k`` passages from ``corpus``, indexed into a throwaway store."""
    with tempfile.TemporaryDirectory(prefix="sanad-eval-") as folder:
        documents, issues = [], []
        for item in read_jsonl(corpus):
            (issues if isinstance(item, IngestIssue) else documents).append(item)
        if not documents:
            raise InvalidInput(f"{corpus}: no usable passages" + (f" ({issues[0]})" if issues else ""))
        store = EvidenceStore.open(Path(folder) / "store", settings)
        try:
            store.add(documents, on_progress=lambda d, t: progress("indexing corpus", d, t))
            hits = store.search_many(
                [c.claim for c in claims],
                k=settings.verdict_top_k,
                mode="hybrid",
                on_progress=lambda d, t: progress("retrieving", d, t),
            )
        finally:
            store.close()
    return [evidence_from_hits(h) for h in hits]


def evaluate_claims(
    path: Path,
    settings: Settings,
    corpus: Path | None = None,
    held_out_only: bool = False,
    progress: Progress | None = None,
) -> ClaimsRun:
    """Verdicts for every claim of ``path`` and their scores against its labels."""
    progress = progress or (lambda _stage, _done, _total: None)
    claims = read_claims(path)
    skipped = 0
    if held_out_only:
        kept = [c for c in claims if not in_training_data(c.dataset, c.id, c.split)]
        skipped, claims = len(claims) - len(kept), kept
    if not claims:
        raise InvalidInput(f"{path}: no claims to evaluate")
    texts = [c.claim for c in claims]
    evidence = retrieved_evidence(claims, corpus, settings, progress) if corpus else [given_evidence(c) for c in claims]
    evidence = with_relevance(texts, evidence, settings)
    verdicts = judge(
        texts,
        evidence,
        settings,
        [c.lang for c in claims],
        on_progress=lambda d, t: progress("stance", d, t),
        retrieved=corpus is not None,
    )
    predictions = []
    for claim, verdict in zip(claims, verdicts, strict=True):
        cited: list[int | str] = [c.passage.doc_id if corpus else c.passage.passage_id for c in verdict.citations]
        predictions.append(
            Prediction(id=claim.id, verdict=verdict.label, confidence=round(verdict.confidence, 4), cited=cited)
        )
    gold = [c.label for c in claims]
    best_similarity = [max((e.relevance for e in items), default=-1.0) for items in evidence]
    thresholds = fit_thresholds(best_similarity, gold)
    return ClaimsRun(
        predictions=predictions,
        metrics=classification_metrics(
            gold, [p.verdict for p in predictions], VERDICT_LABELS, [p.confidence for p in predictions]
        ),
        abstention=abstention(gold, [p.verdict for p in predictions], [p.confidence for p in predictions]),
        baseline=classification_metrics(gold, [thresholds.predict(s) for s in best_similarity], VERDICT_LABELS),
        baseline_thresholds=thresholds,
        skipped_trained=skipped,
    )


def write_predictions(predictions: list[Prediction], out: Path) -> None:
    """One JSON object a line, in input order."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(json.dumps(prediction.model_dump(), ensure_ascii=False) + "\n")
