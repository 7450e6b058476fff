"""Check-worthiness metrics: F1 of the positive class and mean average precision over documents."""

from collections import defaultdict
from collections.abc import Sequence

import numpy as np


def f1_positive(labels: Sequence[int], predicted: Sequence[int]) -> float:
    """F1 of class 1."""
    gold = np.asarray(labels, dtype=bool)
    guess = np.asarray(predicted, dtype=bool)
    true_positive = float(np.sum(gold & guess))
    if true_positive == 0:
        return 0.0
    precision = true_positive / float(np.sum(guess))
    recall = true_positive / float(np.sum(gold))
    return 2 * precision * recall / (precision + recall)


def best_threshold(labels: Sequence[int], scores: Sequence[float]) -> float:
    """The score cut that maximises positive-class F1 on (dev) data: midway between neighbouring scores."""
    ordered = np.unique(np.asarray(scores, dtype=np.float64))
    cuts = np.concatenate([[0.0], (ordered[:-1] + ordered[1:]) / 2, [1.0]]) if len(ordered) > 1 else ordered
    f1s = [f1_positive(labels, np.asarray(scores) >= cut) for cut in cuts]
    return float(cuts[int(np.argmax(f1s))])


def average_precision(labels_in_rank_order: Sequence[int]) -> float:
    """Mean of precision@k over the ranks k of the positives (0 when there are none)."""
    hits = np.asarray(labels_in_rank_order, dtype=np.float64)
    if hits.sum() == 0:
        return 0.0
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision_at * hits).sum() / hits.sum())


def mean_average_precision(doc_ids: Sequence[str], labels: Sequence[int], scores: Sequence[float]) -> float:
    """MAP over documents that have a positive, each ranked by score (stable on ties)."""
    by_doc: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for doc, label, score in zip(doc_ids, labels, scores, strict=True):
        by_doc[doc].append((score, label))
    precisions = []
    for rows in by_doc.values():
        if any(label for _, label in rows):
            ranked = sorted(range(len(rows)), key=lambda i: -rows[i][0])
            precisions.append(average_precision([rows[i][1] for i in ranked]))
    return float(np.mean(precisions)) if precisions else 0.0
