"""BM25 over a fixed list of texts (``bm25s``), keyed by id: prior fact-check matching; and ``_best``, the top-k
of a score array that the store's segmented BM25 (``bm25``) shares."""

import json
from pathlib import Path

import bm25s
import numpy as np

from evidence_store.atomic import atomic_dir


class LexicalIndex:
    """A BM25 index; rebuilt from stored tokens whenever passages change."""

    def __init__(self, bm25: bm25s.BM25 | None, ids: np.ndarray) -> None:
        self._bm25 = bm25
        self.ids = ids

    @classmethod
    def build(cls, ids: np.ndarray, token_strings: list[str]) -> "LexicalIndex":
        """Index passages given as space-joined token strings (see ``tokenize``)."""
        if not len(ids):
            return cls(None, np.zeros(0, dtype=np.int64))
        bm25 = bm25s.BM25()
        bm25.index([tokens.split() for tokens in token_strings], show_progress=False)
        return cls(bm25, np.asarray(ids, dtype=np.int64))

    @property
    def size(self) -> int:
        return len(self.ids)

    def search(self, query_tokens: list[str], k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids, scores) of the best ``k`` passages with a positive score.

        ``mask`` (one weight per indexed passage, 0 or 1) restricts the candidates.
        """
        if self._bm25 is None or not query_tokens:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        known = [token for token in query_tokens if token in self._bm25.vocab_dict]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._bm25.get_scores(known, weight_mask=mask)
        docs = _best(scores, k)
        return self.ids[docs], scores[docs].astype(np.float32)

    def save(self, path: Path) -> None:
        with atomic_dir(path) as staging:
            np.save(staging / "passage_ids.npy", self.ids)
            if self._bm25 is not None:
                self._bm25.save(str(staging / "bm25"))
            (staging / "lexical.json").write_text(json.dumps({"passages": self.size}))

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex":
        ids = np.load(path / "passage_ids.npy")
        bm25 = bm25s.BM25.load(str(path / "bm25")) if len(ids) else None
        return cls(bm25, ids)


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best positive scores, best first (ties by position).

    Only the positive scores are partitioned: ``bm25s.retrieve`` partitions all of them, and NumPy's
    argpartition for the top 20 of 100k mostly-zero scores took 15 ms here (NumPy 2.4), against 0.5 ms for this.
    """
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:  # keep every passage that ties with the k-th, so that ties go by position
        kth_score = -np.partition(-scores[positive], k - 1)[k - 1]
        positive = positive[scores[positive] >= kth_score]
    return positive[np.lexsort((positive, -scores[positive]))][:k]
