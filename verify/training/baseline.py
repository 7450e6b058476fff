"""The similarity-threshold baseline: a claim's best claim-evidence cosine cut by two thresholds.

It cannot see negation or a changed number; it is the floor the stance model must beat.
Thresholds are tuned on the very claims they are scored on (an optimistic baseline).
"""

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from verify.training.metrics import classification_metrics
from verify.verdict import VERDICT_LABELS


class SimilarityThresholds(BaseModel):
    """Below ``low``: unverified; between: ``middle``; from ``high`` up: ``top``."""

    model_config = ConfigDict(frozen=True)

    low: float
    high: float
    middle: str
    top: str

    def predict(self, similarity: float) -> str:
        """The label of a claim whose best evidence has this cosine."""
        if similarity < self.low:
            return "unverified"
        return self.top if similarity >= self.high else self.middle


def fit_thresholds(similarities: Sequence[float], gold: Sequence[str], grid: int = 40) -> SimilarityThresholds:
    """The thresholds (over a quantile grid, either label order) with the best macro-F1 on ``gold``."""
    values = np.asarray(similarities, dtype=np.float64)
    cuts = np.unique(np.quantile(values, np.linspace(0.0, 1.0, grid + 1))) if values.size else np.array([0.0])
    cuts = np.concatenate([[-np.inf], cuts, [np.inf]])
    best, best_f1 = None, -1.0
    for middle, top in (("disputed", "supported"), ("supported", "disputed")):
        for i, low in enumerate(cuts):
            for high in cuts[i:]:
                candidate = SimilarityThresholds(low=float(low), high=float(high), middle=middle, top=top)
                predicted = [candidate.predict(v) for v in values]
                f1 = classification_metrics(gold, predicted, VERDICT_LABELS).macro_f1
                if f1 > best_f1:
                    best, best_f1 = candidate, f1
    assert best is not None
    return best
