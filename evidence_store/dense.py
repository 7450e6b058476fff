"""FAISS index of normalised passage embeddings, keyed by passage id (inner product = cosine)."""

import math
from pathlib import Path

import faiss
import numpy as np

from evidence_store.atomic import atomic_path

# Below this many passages an exact index is both faster to build and exact.
AUTO_HNSW_FROM = 50_000
AUTO_IVF_FROM = 1_000_000


def choose_index_type(requested: str, passages: int) -> str:
    """Resolve 'auto' to flat, hnsw or ivf by store size; pass explicit choices through."""
    if requested != "auto":
        return requested
    if passages >= AUTO_IVF_FROM:
        return "ivf"
    return "hnsw" if passages >= AUTO_HNSW_FROM else "flat"


class DenseIndex:
    """A FAISS index with ``add``/``remove``/``search`` by int64 passage id."""

    def __init__(self, index: faiss.Index, kind: str) -> None:
        self.index = index
        self.kind = kind

    @classmethod
    def build(
        cls,
        kind: str,
        dimension: int,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        hnsw_m: int = 32,
        ivf_nlist: int = 0,
    ) -> "DenseIndex":
        """A new index of ``kind`` ('flat', 'hnsw' or 'ivf') holding ``vectors`` under ``ids``."""
        if kind == "flat":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        elif kind == "hnsw":
            graph = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = 80
            index = faiss.IndexIDMap2(graph)
        elif kind == "ivf":
            nlist = ivf_nlist or max(1, min(int(4 * math.sqrt(max(len(ids), 1))), len(ids) // 39 or 1))
            quantizer = faiss.IndexFlatIP(dimension)
            index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
            if len(ids):
                index.train(np.ascontiguousarray(vectors, dtype=np.float32))
        else:
            raise ValueError(f"unknown index type {kind!r} (expected flat, hnsw or ivf)")
        dense = cls(index, kind)
        dense.add(ids, vectors)
        return dense

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def supports_remove(self) -> bool:
        """HNSW graphs cannot drop vectors; the store rebuilds them instead."""
        return self.kind != "hnsw"

    @property
    def needs_training(self) -> bool:
        return not self.index.is_trained

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64)
            )

    def remove(self, ids: np.ndarray) -> None:
        if not len(ids):
            return
        if not self.supports_remove:
            raise NotImplementedError("an HNSW index cannot remove vectors; rebuild it")
        self.index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))

    def set_search_params(self, *, ef_search: int, nprobe: int) -> None:
        """Recall/speed knobs of the approximate indexes."""
        if self.kind == "hnsw":
            faiss.downcast_index(self.index.index).hnsw.efSearch = ef_search
        elif self.kind == "ivf":
            self.index.nprobe = nprobe

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of shape (len(vectors), k); missing slots have id -1."""
        k = max(1, min(k, self.size)) if self.size else 1
        if not self.size:
            n = len(vectors)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        return self.index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            faiss.write_index(self.index, str(tmp))

    @classmethod
    def load(cls, path: Path, kind: str) -> "DenseIndex":
        return cls(faiss.read_index(str(path)), kind)
