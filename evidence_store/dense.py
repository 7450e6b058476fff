"""FAISS index of normalised passage embeddings, keyed by passage id (inner product = cosine).

Kinds: ``flat`` (exact), ``hnsw`` (graph), ``ivf`` (inverted lists over k-means centroids) and
``ivfpq`` (the same lists holding 8-bit product-quantised codes: about 48 bytes a vector instead of
1536). An index is not changed once built: removed ids become tombstones that searches skip, and the
store rewrites a segment once they are a tenth of it.
"""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from evidence_store.atomic import atomic_path
from evidence_store.errors import InvalidInput

# Measured on 2 cores (BENCHMARKS.md, "Dense indexes"): exact search stays under a few ms up to
# about 100k passages; beyond, HNSW keeps recall@10 >= 0.95 at a fraction of the latency.
AUTO_HNSW_FROM = 100_000
KINDS = ("flat", "hnsw", "ivf", "ivfpq")
PQ_DIMENSIONS = 8  # dimensions per product-quantiser code byte: 48 bytes for a 384-d vector
TOMBSTONE_SHARE = 0.1  # dead share of a segment at which the store rewrites it


@contextmanager
def _single_thread() -> Iterator[None]:
    """FAISS on one OpenMP thread in this thread, restored after.

    For a single query FAISS splits the scan of a flat index across threads, which on 2 cores took
    16.8 ms against 7.1 ms on one thread at 100k passages (2026-12-02); from a few queries up it
    splits by query instead, and the threads pay off (BENCHMARKS.md, "Search latency").
    """
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def choose_index_type(requested: str, passages: int) -> str:
    """Resolve 'auto' to flat or hnsw by store size; pass explicit choices through."""
    if requested != "auto":
        return requested
    return "hnsw" if passages >= AUTO_HNSW_FROM else "flat"


def ivf_lists(passages: int) -> int:
    """Inverted lists for ``passages`` vectors: about 4 * sqrt(n), with at least 39 training points each."""
    return max(1, min(int(4 * math.sqrt(max(passages, 1))), passages // 39 or 1))


def _pq_bytes(dimension: int) -> int:
    return next(m for m in range(max(dimension // PQ_DIMENSIONS, 1), 0, -1) if dimension % m == 0)


def _empty(kind: str, dimension: int, nlist: int, hnsw_m: int) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    if kind == "hnsw":
        graph = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = 80
        return faiss.IndexIDMap2(graph)
    quantizer = faiss.IndexFlatIP(dimension)
    if kind == "ivf":
        return faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    if kind == "ivfpq":
        return faiss.IndexIVFPQ(quantizer, dimension, nlist, _pq_bytes(dimension), 8, faiss.METRIC_INNER_PRODUCT)
    raise InvalidInput(f"unknown index type {kind!r} (expected one of {', '.join(KINDS)})")


class DenseIndex:
    """A FAISS index with ``add``/``remove``/``search`` by int64 passage id."""

    def __init__(self, index: faiss.Index, kind: str) -> None:
        self.index = index
        self.kind = kind
        self.tombstones = np.zeros(0, dtype=np.int64)
        self._params: faiss.SearchParameters | None = None
        self._ef_search = 128
        self._nprobe = 1

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
        train_sample: int = 200_000,
    ) -> "DenseIndex":
        """A new index of ``kind`` holding ``vectors`` under ``ids``; IVF centroids are trained on
        (a sample of at most ``train_sample`` of) the vectors."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = _empty(kind, dimension, ivf_nlist or ivf_lists(len(ids)), hnsw_m)
        if not index.is_trained and len(ids):
            sample = vectors
            if len(vectors) > train_sample:
                sample = vectors[np.random.default_rng(0).choice(len(vectors), train_sample, replace=False)]
            index.train(sample)
        dense = cls(index, kind)
        dense.add(ids, vectors)
        return dense

    @property
    def size(self) -> int:
        """Live vectors (tombstones excluded)."""
        return int(self.index.ntotal) - len(self.tombstones)

    @property
    def nlist(self) -> int:
        return int(self.index.nlist) if self.kind in ("ivf", "ivfpq") else 0

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64)
            )

    def remove(self, ids: np.ndarray) -> None:
        """Mark ``ids`` dead: searches skip them (the index itself is not changed)."""
        if len(ids):
            self.set_tombstones(np.union1d(self.tombstones, np.asarray(ids, dtype=np.int64)))

    def set_tombstones(self, ids: np.ndarray) -> None:
        """The held ids that searches skip, replacing the earlier ones."""
        self.tombstones = np.asarray(ids, dtype=np.int64)
        self._params = None

    def ids(self) -> np.ndarray:
        """Every id an ``IndexIDMap2`` (flat, HNSW) holds, tombstones included."""
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def set_search_params(self, *, ef_search: int, nprobe: int) -> None:
        """Recall/speed knobs of the approximate indexes."""
        if self.kind == "hnsw":
            self._ef_search = ef_search
            faiss.downcast_index(self.index.index).hnsw.efSearch = ef_search
            self._params = None
        elif self.kind in ("ivf", "ivfpq"):
            self._nprobe = nprobe
            self.index.nprobe = nprobe
            self._params = None

    def _search_params(self) -> faiss.SearchParameters | None:
        if not len(self.tombstones):
            return None
        if self._params is None:
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(self.tombstones))
            if self.kind == "hnsw":
                self._params = faiss.SearchParametersHNSW(sel=selector, efSearch=self._ef_search)
            elif self.kind in ("ivf", "ivfpq"):
                self._params = faiss.SearchParametersIVF(sel=selector, nprobe=self._nprobe)
            else:
                self._params = faiss.SearchParameters(sel=selector)
            self._selector = selector  # SWIG does not keep the selector alive for us
        return self._params

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of shape (len(vectors), k); missing slots have id -1."""
        if not self.size:
            n = len(vectors)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        k = max(1, min(k, self.size))
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) > 1:
            return self.index.search(vectors, k, params=self._search_params())
        with _single_thread():
            return self.index.search(vectors, k, params=self._search_params())

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            faiss.write_index(self.index, str(tmp))

    @classmethod
    def load(cls, path: Path, kind: str, live_ids: np.ndarray | None = None) -> "DenseIndex":
        """Read an index; with ``live_ids`` (of an ID map: flat or HNSW), ids not among them become tombstones."""
        dense = cls(faiss.read_index(str(path)), kind)
        if live_ids is not None:
            dense.set_tombstones(np.setdiff1d(dense.ids(), live_ids))
        return dense
