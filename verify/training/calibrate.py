"""Fit the verdict calibration of a trained stance model on dev claims, per language.

Same-language claims: ANS dev (ar) and SciFact dev (en) with their own evidence. Cross-lingual
claims ("ar-en": Arabic claim, English evidence; "en-ar" the reverse): the held-out XNLI premises
(``verify.training.stance_data.is_xnli_dev``), each hypothesis a claim with its translated premise as the
only evidence. Each set's evidence is scored, aggregated into verdict logits, and a temperature
plus class biases are fitted by NLL; they are written into the model's ``stance.json``.

Then, for "ar" and "en", the same dev claims are judged on the passages hybrid search finds for them
in their dataset's retrieval corpus (the product's case), and one more temperature is fitted over the
calibrated logits (``VerdictCalibration.retrieved_temperature``): it changes confidence, never a label.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evidence_store.types import Passage
from verify.calibration import Calibration, VerdictCalibration, calibration_key, softmax
from verify.settings import Settings
from verify.stance.cross_encoder import TrainedCrossEncoder
from verify.stance.network import read_config, write_config
from verify.stance.protocol import StancePair
from verify.training.calibration_fit import fit_calibration, fit_temperature
from verify.training.claims_eval import LabelledClaim, given_evidence, read_claims, retrieved_evidence
from verify.training.metrics import Metrics, classification_metrics
from verify.training.stance_data import xnli_pairs
from verify.verdict import VERDICT_LABELS, ScoredEvidence, verdict_logits
from verify.verifier import Evidence, with_relevance

DEV_CLAIMS = {"ar": ("claims_ans_ar_dev.jsonl", None), "en": ("claims_scifact_en.jsonl", "dev")}
RETRIEVAL_CORPORA = {"ar": "retrieval_ans_ar_corpus.jsonl", "en": "retrieval_scifact_en_corpus.jsonl"}
CROSS_LINGUAL = ("ar-en", "en-ar")


@dataclass(frozen=True)
class DevClaims:
    """Claims with their evidence and gold verdict indexes (into ``VERDICT_LABELS``)."""

    name: str
    claims: list[str]
    languages: list[str]
    evidence: list[list[Evidence]]
    gold: list[int]


def _dev_claims(name: str, claims: list[LabelledClaim], evidence: list[list[Evidence]]) -> DevClaims:
    return DevClaims(
        name=name,
        claims=[c.claim for c in claims],
        languages=[c.lang or "" for c in claims],
        evidence=evidence,
        gold=[VERDICT_LABELS.index(c.label) for c in claims],
    )


def _file_claims(data: Path, name: str, split: str | None) -> list[LabelledClaim]:
    return [c for c in read_claims(data / name) if split is None or c.split == split]


def file_dev_claims(data: Path, name: str, split: str | None) -> DevClaims:
    """A shared claims file (one split of it) with each claim's own evidence."""
    claims = _file_claims(data, name, split)
    return _dev_claims(f"{name}:{split or 'all'}", claims, [given_evidence(c) for c in claims])


def retrieved_dev_claims(data: Path, key: str, settings: Settings) -> DevClaims:
    """The ``key`` dev claims with the passages hybrid search finds for each in their dataset's retrieval corpus."""
    name, split = DEV_CLAIMS[key]
    claims = _file_claims(data, name, split)
    corpus = data / RETRIEVAL_CORPORA[key]
    evidence = retrieved_evidence(claims, corpus, settings, lambda _stage, _done, _total: None)
    return _dev_claims(f"{name}:{split or 'all'}, retrieved from {corpus.name}", claims, evidence)


def cross_lingual_dev_claims(data: Path, direction: str) -> DevClaims:
    """Held-out XNLI pairs as claims: the hypothesis in one language, its premise in the other."""
    claim_language, _, passage_language = direction.partition("-")
    pairs = xnli_pairs(data, direction, dev=True)
    evidence = [
        [
            Evidence(
                passage=Passage(
                    passage_id=0,
                    doc_id=f"xnli-dev-{i}",
                    order=0,
                    text=pair.passage,
                    char_start=0,
                    char_end=len(pair.passage),
                    language=passage_language,
                    url=None,
                    title=None,
                    publisher="XNLI",
                    published_at=None,
                )
            )
        ]
        for i, pair in enumerate(pairs)
    ]
    return DevClaims(
        name=f"nli_xnli dev premises, {direction}",
        claims=[p.claim for p in pairs],
        languages=[claim_language] * len(pairs),
        evidence=evidence,
        gold=[p.label for p in pairs],  # supports/refutes/neutral share the verdict label order
    )


def dev_claim_sets(data: Path) -> dict[str, DevClaims]:
    """The calibration sets by calibration key ("ar", "en", "ar-en", "en-ar")."""
    sets = {language: file_dev_claims(data, name, split) for language, (name, split) in DEV_CLAIMS.items()}
    sets.update({direction: cross_lingual_dev_claims(data, direction) for direction in CROSS_LINGUAL})
    return sets


def verdict_logits_of(dev: DevClaims, model: TrainedCrossEncoder, settings: Settings) -> np.ndarray:
    """Aggregated verdict logits of every claim from its scored evidence."""
    evidence = with_relevance(dev.claims, dev.evidence, settings)
    pairs = [
        StancePair(claim=claim, passage=e.passage.text, similarity=e.relevance)
        for claim, items in zip(dev.claims, evidence, strict=True)
        for e in items
    ]
    scores = iter(model.score(pairs))
    logits = []
    for items in evidence:
        scored = [ScoredEvidence(passage=e.passage, relevance=float(e.relevance), stance=next(scores)) for e in items]
        logits.append(verdict_logits(scored, settings))
    return np.stack(logits)


def verdict_metrics(probabilities: np.ndarray, gold: list[int]) -> Metrics:
    """Metrics of argmax verdicts with their probability as confidence."""
    return classification_metrics(
        [VERDICT_LABELS[i] for i in gold],
        [VERDICT_LABELS[i] for i in probabilities.argmax(1)],
        VERDICT_LABELS,
        probabilities.max(1),
    )


def fit_retrieved_temperature(
    dev: DevClaims, calibration: VerdictCalibration, model: TrainedCrossEncoder, settings: Settings
) -> tuple[VerdictCalibration, str]:
    """``calibration`` with its retrieved temperature fitted on ``dev`` (claims with retrieved evidence), and
    a line saying what it did to expected calibration error."""
    logits = verdict_logits_of(dev, model, settings)
    calibrated = logits / calibration.temperature + np.asarray(calibration.bias)
    temperature = fit_temperature(calibrated, dev.gold)
    before = verdict_metrics(calibration.probabilities(logits), dev.gold).ece or 0.0
    after = cross_fitted_ece(calibrated, dev.gold, _temperature_fit)
    fitted = calibration.model_copy(update={"retrieved_temperature": temperature, "retrieved_fitted_on": dev.name})
    return fitted, f"retrieved T={temperature:.2f}, ECE {before:.3f} -> {after:.3f} (cross-fitted)"


Fit = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _calibration_fit(logits: np.ndarray, gold: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return fit_calibration(logits, gold, fitted_on="half").probabilities


def _temperature_fit(calibrated: np.ndarray, gold: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    temperature = fit_temperature(calibrated, gold)
    return lambda z: softmax(z / temperature)


def cross_fitted_ece(values: np.ndarray, gold: list[int], fit: Fit = _calibration_fit) -> float:
    """ECE when each half of the claims is calibrated on the other half (an honest estimate); ``fit`` turns
    one half's values and gold labels into a function giving the other half's probabilities."""
    halves = np.arange(len(gold)) % 2
    labels = np.asarray(gold)
    probabilities = np.zeros_like(values)
    for half in (0, 1):
        calibrate = fit(values[halves != half], labels[halves != half])
        probabilities[halves == half] = calibrate(values[halves == half])
    return verdict_metrics(probabilities, gold).ece or 0.0


def calibrate_model(data: Path, folder: Path, settings: Settings, log: Callable[[str], None] = print) -> str:
    """Fit and store the calibration per language; returns a summary of dev macro-F1 and ECE."""
    settings = settings.model_copy(update={"stance_model_dir": folder, "stance_backend": "trained"})
    model = TrainedCrossEncoder(settings, folder)
    fitted: dict[str, VerdictCalibration] = {}
    summary = []
    for key, dev in dev_claim_sets(data).items():
        log(f"calibrating {key} on {dev.name} ({len(dev.claims)} claims)")
        keys = {
            calibration_key(language, [e.passage.language for e in items])
            for language, items in zip(dev.languages, dev.evidence, strict=True)
        }
        assert keys == {key}, f"{dev.name} would be calibrated as {keys}, not {key}"
        logits = verdict_logits_of(dev, model, settings)
        fitted[key] = fit_calibration(logits, dev.gold, fitted_on=dev.name)
        metrics = verdict_metrics(fitted[key].probabilities(logits), dev.gold)
        summary.append(
            f"{key}: macro-F1 {metrics.macro_f1:.3f}, ECE {metrics.ece:.3f} (cross-fitted "
            f"{cross_fitted_ece(logits, dev.gold):.3f}, T={fitted[key].temperature:.2f})"
        )
        if key in RETRIEVAL_CORPORA:
            log(f"calibrating {key} on {dev.name} with evidence retrieved from {RETRIEVAL_CORPORA[key]}")
            retrieved = retrieved_dev_claims(data, key, settings)
            fitted[key], line = fit_retrieved_temperature(retrieved, fitted[key], model, settings)
            summary[-1] += f", {line}"
    config = read_config(folder)
    calibration = Calibration(languages=fitted, fallback=fitted["en"])
    write_config(config.model_copy(update={"calibration": calibration.model_dump(mode="json")}), folder)
    return "calibrated on dev claims: " + "; ".join(summary)
