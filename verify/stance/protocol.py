"""The one small interface every stance backend implements."""

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from verify.calibration import Calibration
from verify.types import StanceScore

LABELS = ("supports", "refutes", "neutral")  # index order of every probability vector in verify.stance


class StancePair(BaseModel):
    """A claim and one evidence passage; ``similarity`` is the bi-encoder cosine when already known."""

    model_config = ConfigDict(frozen=True)

    claim: str
    passage: str
    similarity: float | None = None


@runtime_checkable
class StanceModel(Protocol):
    """Scores (claim, passage) pairs; ``name`` is recorded on every verdict, and ``calibration`` turns the
    aggregated evidence into a verdict's confidence (identity where none was fitted for the model)."""

    name: str

    @property
    def calibration(self) -> Calibration: ...

    def warm_up(self) -> None:
        """Load whatever the first ``score`` would load, so that a served process pays for it once, up front."""
        ...

    def score(
        self, pairs: Sequence[StancePair], on_progress: Callable[[int, int], None] | None = None
    ) -> list[StanceScore]: ...


def scores_from_probabilities(rows: Sequence[Sequence[float]]) -> list[StanceScore]:
    """``StanceScore`` objects from rows of (supports, refutes, neutral) probabilities."""
    out = []
    for row in rows:
        values = [min(max(float(v), 0.0), 1.0) for v in row]
        total = sum(values) or 1.0
        out.append(StanceScore(**{name: v / total for name, v in zip(LABELS, values, strict=True)}))
    return out
