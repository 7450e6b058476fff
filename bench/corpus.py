"""Real passages and claims with their e5 vectors, embedded once and cached under SANAD_HOME/bench."""

import random
from pathlib import Path

import numpy as np

from bench.data import RETRIEVAL_SETS, query_texts, real_passages
from bench.embedcache import CachedEmbedder
from evidence_store.embedding.embedder import load_embedder
from evidence_store.settings import StoreSettings


def bench_dir(settings: StoreSettings) -> Path:
    """Where benchmarks keep their caches (embedded corpora, built stores and indexes)."""
    path = settings.home / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_embedder(settings: StoreSettings) -> CachedEmbedder:
    """The configured embedder behind the on-disk vector cache."""
    return CachedEmbedder(load_embedder(settings), bench_dir(settings) / "embeddings")


def real_corpus(count: int, settings: StoreSettings) -> tuple[list[dict], np.ndarray]:
    """``count`` real passages (see ``real_passages``) and their ``passage:`` vectors."""
    passages = real_passages(count)
    if len(passages) < count:
        raise SystemExit(f"only {len(passages)} real passages in ../shared/data, {count} asked for")
    vectors = cached_embedder(settings).embed([p["text"] for p in passages], "passage", on_progress=_report)
    return passages, vectors


def real_queries(count: int, settings: StoreSettings, seed: int = 7) -> tuple[list[str], np.ndarray]:
    """``count`` real claims drawn from the three retrieval query sets and their ``query:`` vectors."""
    pool = [query for name in RETRIEVAL_SETS for query in query_texts(name)]
    texts = random.Random(seed).sample(pool, count)
    return texts, cached_embedder(settings).embed(texts, "query")


def _report(done: int, total: int) -> None:
    print(f"[bench] embedding (cached for later runs): {done}/{total}", flush=True)


def scaled_vectors(total: int, real: np.ndarray, seed: int = 5) -> np.ndarray:
    """``real`` plus synthetic unit vectors up to ``total``. Each synthetic vector mixes two random real
    ones (weights 0.6-1 and the rest) and adds Gaussian noise at half the real vectors' per-dimension
    spread, so the set keeps e5's anisotropy and topic structure instead of uniform noise."""
    rng = np.random.default_rng(seed)
    spread = real.std(axis=0)
    parts = [real]
    for start in range(len(real), total, 100_000):
        count = min(100_000, total - start)
        weight = rng.uniform(0.6, 1.0, (count, 1)).astype(np.float32)
        first, second = real[rng.integers(0, len(real), count)], real[rng.integers(0, len(real), count)]
        noise = 0.5 * rng.standard_normal((count, real.shape[1])).astype(np.float32) * spread
        mixed = weight * first + (1 - weight) * second + noise
        parts.append(mixed / np.linalg.norm(mixed, axis=1, keepdims=True))
    return np.vstack(parts).astype(np.float32)
