"""Any sentence-transformers ``CrossEncoder`` NLI model as a stance backend, by name or path.

The label order is read from the model's ``config.json`` (``id2label``): entailment-like labels
mean supports, contradiction-like ones refutes, everything else neutral.
"""

import threading
from collections.abc import Callable, Sequence

import numpy as np

from evidence_store.errors import InvalidInput
from verify.calibration import Calibration
from verify.stance.protocol import StancePair, scores_from_probabilities
from verify.types import StanceLabel, StanceScore

_SUPPORTS = {"entailment", "entails", "entail", "supports", "support", "supported", "agree", "true"}
_REFUTES = {"contradiction", "contradicts", "contradict", "refutes", "refute", "refuted", "disagree", "false"}


def stance_of_label(name: str) -> StanceLabel:
    """Map an NLI or stance label name of a model's config to a stance."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in _SUPPORTS:
        return "supports"
    if key in _REFUTES:
        return "refutes"
    return "neutral"


def label_columns(id2label: dict) -> dict[StanceLabel, list[int]]:
    """Which output columns belong to each stance, from ``id2label``; needs a supports and a refutes label."""
    columns: dict[StanceLabel, list[int]] = {"supports": [], "refutes": [], "neutral": []}
    for index, name in sorted((int(i), str(n)) for i, n in id2label.items()):
        columns[stance_of_label(name)].append(index)
    if not columns["supports"] or not columns["refutes"]:
        raise InvalidInput(
            f"cross-encoder labels {dict(id2label)} have no entailment/contradiction pair; it is not an NLI model"
        )
    return columns


class SentenceTransformersCrossEncoder:
    """A ``sentence_transformers.CrossEncoder`` NLI model; premise = passage, hypothesis = claim."""

    def __init__(self, name_or_path: str, batch_size: int = 32, device: str = "cpu") -> None:
        self.source = name_or_path
        self.name = f"cross-encoder:{name_or_path}"
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._columns: dict[StanceLabel, list[int]] | None = None
        self._lock = threading.Lock()

    @property
    def calibration(self) -> Calibration:
        """None is fitted for an arbitrary cross-encoder: the identity."""
        return Calibration()

    def warm_up(self) -> None:
        """Load the model and read its label order (once)."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import CrossEncoder

                model = CrossEncoder(self.source, device=self.device)
                self._columns = label_columns(model.config.id2label)
                self._model = model

    def score(
        self, pairs: Sequence[StancePair], on_progress: Callable[[int, int], None] | None = None
    ) -> list[StanceScore]:
        """Softmax over the model's labels, summed per stance."""
        if not pairs:
            return []
        self.warm_up()
        assert self._model is not None and self._columns is not None
        probabilities = self._model.predict(
            [(p.passage, p.claim) for p in pairs],
            batch_size=self.batch_size,
            apply_softmax=True,
            show_progress_bar=False,
        )
        probabilities = np.asarray(probabilities, dtype=np.float64).reshape(len(pairs), -1)
        if on_progress is not None:
            on_progress(len(pairs), len(pairs))
        rows = [[probabilities[:, cols].sum(1) for cols in self._columns.values()]]
        return scores_from_probabilities(np.stack(rows[0], axis=1))
