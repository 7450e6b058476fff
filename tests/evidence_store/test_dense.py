"""Dense indexes: approximate kinds find what the exact one finds; HNSW removal by tombstones; index choice."""

import faiss
import numpy as np
import pytest

from evidence_store.dense import DenseIndex, choose_index_type, ivf_lists
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput

DIMENSION = 96


def clustered(rng: np.random.Generator, centers: np.ndarray, count: int) -> np.ndarray:
    """Unit vectors scattered around random centres (topics), like passages about a few subjects."""
    points = centers[rng.integers(0, len(centers), count)] + 0.7 * rng.standard_normal((count, DIMENSION))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def vectors() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((40, DIMENSION))
    base = clustered(rng, centers, 6000)
    return np.arange(len(base), dtype=np.int64) * 3 + 11, base, clustered(rng, centers, 200)


def recall_at_10(truth: np.ndarray, found: np.ndarray) -> float:
    return float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))


# PQ codes keep 8 bits per 8 dimensions: far less memory, far less recall on this noisy set.
@pytest.mark.parametrize(("kind", "floor"), [("hnsw", 0.95), ("ivf", 0.95), ("ivfpq", 0.3)])
def test_approximate_indexes_recall_what_exact_search_finds(vectors, kind, floor):
    ids, base, queries = vectors
    _, truth = DenseIndex.build("flat", DIMENSION, ids, base).search(queries, 10)
    index = DenseIndex.build(kind, DIMENSION, ids, base)
    index.set_search_params(ef_search=128, nprobe=16)
    _, found = index.search(queries, 10)
    assert set(np.unique(found)) <= set(ids)
    assert recall_at_10(truth, found) >= floor
    if kind != "hnsw":
        assert index.nlist == ivf_lists(len(ids)) and index.index.is_trained


def test_a_single_query_finds_what_a_batch_finds_and_leaves_the_thread_setting_alone(vectors):
    ids, base, queries = vectors
    index = DenseIndex.build("flat", DIMENSION, ids, base)
    threads = faiss.omp_get_max_threads()
    batch_scores, batch_ids = index.search(queries[:5], 10)
    for row in range(5):
        scores, found = index.search(queries[row : row + 1], 10)
        assert found[0].tolist() == batch_ids[row].tolist()
        np.testing.assert_allclose(scores[0], batch_scores[row], rtol=1e-5)
    assert faiss.omp_get_max_threads() == threads


def test_hnsw_skips_removed_ids_and_remembers_them_after_reload(vectors, tmp_path):
    ids, base, queries = vectors
    index = DenseIndex.build("hnsw", DIMENSION, ids, base)
    _, before = index.search(queries[:20], 5)
    gone = np.unique(before[:, 0])
    index.remove(gone)
    assert index.size == len(ids) - len(gone)
    _, after = index.search(queries[:20], 5)
    assert not set(after.ravel()) & set(gone) and (after >= 0).all()
    index.save(tmp_path / "dense.faiss")
    reloaded = DenseIndex.load(tmp_path / "dense.faiss", "hnsw", live_ids=np.setdiff1d(ids, gone))
    assert set(reloaded.tombstones) == set(gone)
    assert not set(reloaded.search(queries[:20], 5)[1].ravel()) & set(gone)


def test_auto_picks_exact_search_for_small_stores_and_hnsw_for_large_ones():
    assert choose_index_type("auto", 5_000) == "flat"
    assert choose_index_type("auto", 2_000_000) == "hnsw"
    assert choose_index_type("ivfpq", 10) == "ivfpq"


def test_rebuild_with_an_index_type_is_kept_by_the_store(tmp_path, settings, hash_embedder):
    docs = [
        DocumentInput(text=f"Report number {i} about flights to city {i % 7}.", external_id=f"d{i}") for i in range(60)
    ]
    with EvidenceStore.open(tmp_path / "s", settings, hash_embedder) as store:
        store.add(docs)
        store.rebuild_indexes("hnsw")
        assert store.stats().index_type == "hnsw"
        store.remove(["d3"])
        assert store.stats().passages == 59 and store._index.size == 59
        assert "d3" not in {hit.passage.doc_id for hit in store.search("Report number 3 city 3", k=10, mode="dense")}
    with EvidenceStore.open(tmp_path / "s", settings, hash_embedder) as store:
        assert store.stats().index_type == "hnsw" and sum(len(s.dense.tombstones) for s in store._index.segments) == 1
        store.rebuild_indexes("auto")
        assert store.stats().index_type == "flat" and store._index.size == 59
