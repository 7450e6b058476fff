"""Fit the verdict calibration of a trained stance model on the dev claims (ANS dev, SciFact dev).

Per language: the claims' own evidence is scored, aggregated into verdict logits, and a
temperature plus class biases are fitted by NLL; they are written into the model's ``stance.json``.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np

from verify.calibration import Calibration, fit_calibration
from verify.claims_eval import given_evidence, read_claims
from verify.evaluation import classification_metrics
from verify.settings import Settings
from verify.stance.cross_encoder import TrainedCrossEncoder
from verify.stance.network import read_config, write_config
from verify.stance.protocol import StancePair
from verify.verdict import VERDICT_LABELS, ScoredEvidence, verdict_logits
from verify.verifier import with_relevance

DEV_CLAIMS = {"ar": ("claims_ans_ar_dev.jsonl", None), "en": ("claims_scifact_en.jsonl", "dev")}


def _dev_logits(path: Path, split: str | None, model: TrainedCrossEncoder, settings: Settings):
    claims = [c for c in read_claims(path) if split is None or c.split == split]
    evidence = with_relevance([c.claim for c in claims], [given_evidence(c) for c in claims], settings)
    pairs = [
        StancePair(claim=c.claim, passage=e.passage.text, similarity=e.relevance)
        for c, items in zip(claims, evidence, strict=True)
        for e in items
    ]
    scores = iter(model.score(pairs))
    logits = []
    for items in evidence:
        scored = [ScoredEvidence(passage=e.passage, relevance=float(e.relevance), stance=next(scores)) for e in items]
        logits.append(verdict_logits(scored, settings))
    gold = [VERDICT_LABELS.index(c.label) for c in claims]
    return np.stack(logits), np.array(gold)


def calibrate_model(data: Path, folder: Path, settings: Settings, log: Callable[[str], None] = print) -> str:
    """Fit and store per-language calibration; returns a one-line summary of dev macro-F1 and ECE."""
    settings = settings.model_copy(update={"stance_model_dir": folder, "stance_backend": "trained"})
    model = TrainedCrossEncoder(settings, folder)
    fitted, summary = {}, []
    for language, (name, split) in DEV_CLAIMS.items():
        log(f"calibrating {language} on {name}" + (f" ({split})" if split else ""))
        logits, gold = _dev_logits(data / name, split, model, settings)
        calibration = fit_calibration(logits, gold, fitted_on=f"{name}:{split or 'all'}")
        probabilities = calibration.probabilities(logits)
        predicted = probabilities.argmax(1)
        metrics = classification_metrics(
            [VERDICT_LABELS[i] for i in gold],
            [VERDICT_LABELS[i] for i in predicted],
            VERDICT_LABELS,
            probabilities.max(1),
        )
        fitted[language] = calibration
        summary.append(
            f"{language}: macro-F1 {metrics.macro_f1:.3f}, ECE {metrics.ece:.3f} (T={calibration.temperature:.2f})"
        )
    config = read_config(folder)
    calibration = Calibration(languages=fitted, fallback=fitted["en"])
    write_config(config.model_copy(update={"calibration": calibration.model_dump(mode="json")}), folder)
    return "calibrated on dev claims: " + "; ".join(summary)
