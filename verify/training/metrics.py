"""Classification metrics for stance and verdicts: accuracy, macro-F1, per-class P/R/F1, confusion, ECE."""

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict


class ClassScores(BaseModel):
    """Precision, recall, F1 and support of one class."""

    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float
    f1: float
    support: int


class Metrics(BaseModel):
    """Scores of predictions against gold labels; ``confusion[gold][predicted]`` counts."""

    model_config = ConfigDict(frozen=True)

    labels: tuple[str, ...]
    count: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassScores]
    confusion: dict[str, dict[str, int]]
    ece: float | None = None


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE: the support-weighted mean |accuracy - confidence| over equal-width confidence bins."""
    conf = np.asarray(confidences, dtype=np.float64)
    hits = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(hits[mask].mean() - conf[mask].mean())
    return float(total / conf.size)


def classification_metrics(
    gold: Sequence[str],
    predicted: Sequence[str],
    labels: Sequence[str],
    confidences: Sequence[float] | None = None,
) -> Metrics:
    """Metrics over ``labels`` (macro-F1 averages every label, present in gold or not)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_class = {}
    for label in labels:
        tp = confusion[label][label]
        predicted_as = sum(confusion[g][label] for g in labels)
        support = sum(confusion[label].values())
        precision = tp / predicted_as if predicted_as else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = ClassScores(precision=precision, recall=recall, f1=f1, support=support)
    correct = [g == p for g, p in zip(gold, predicted, strict=True)]
    return Metrics(
        labels=tuple(labels),
        count=len(gold),
        accuracy=sum(correct) / len(gold) if gold else 0.0,
        macro_f1=float(np.mean([per_class[label].f1 for label in labels])),
        per_class=per_class,
        confusion=confusion,
        ece=expected_calibration_error(confidences, correct) if confidences is not None else None,
    )


class Abstention(BaseModel):
    """How far the decisive verdicts (every label but the abstaining one) can be trusted, and how many claims
    get one; ``curve`` is the risk-coverage curve: (coverage, precision) keeping only the most confident
    decisive verdicts, at each tenth of them (ten points; none when nothing was decided)."""

    model_config = ConfigDict(frozen=True)

    precision: float
    coverage: float
    curve: tuple[tuple[float, float], ...]


def abstention(
    gold: Sequence[str], predicted: Sequence[str], confidences: Sequence[float], abstain: str = "unverified"
) -> Abstention:
    """Precision and coverage of the decisive predictions, and their risk-coverage curve by confidence."""
    if not len(gold) == len(predicted) == len(confidences):
        raise ValueError("gold, predicted and confidences differ in length")
    decisive = [i for i, label in enumerate(predicted) if label != abstain]
    decisive.sort(key=lambda i: -confidences[i])
    right = np.cumsum([gold[i] == predicted[i] for i in decisive]) if decisive else np.zeros(0)
    kept = [int(np.ceil(tenth * len(decisive) / 10)) for tenth in range(1, 11)] if decisive else []
    curve = [(count / len(gold), float(right[count - 1] / count)) for count in kept]
    return Abstention(
        precision=float(right[-1] / len(decisive)) if decisive else 0.0,
        coverage=len(decisive) / len(gold) if gold else 0.0,
        curve=tuple(curve),
    )
