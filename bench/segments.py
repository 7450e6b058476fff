"""Segmented indexes at scale: adding 100 documents to stores of 10k, 100k and 1M passages, and hybrid
search over several segments against one.

Passages are real texts (their real token lists), each made distinct by its number; their vectors are
synthetic (seeded random unit vectors, from ``SyntheticPassages``), so a store of a million builds in
minutes without embedding; claims are embedded by e5 as ``sanad evidence search`` does. Stores are exact
(flat) so that one segment and several hold the same kind of index; each is built once by adds of
``BATCH`` passages (several segments, as an ingest leaves them) and cached under SANAD_HOME/bench.
"""

import hashlib
import shutil
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

from bench.corpus import bench_dir
from bench.data import query_texts, real_passages
from bench.report import latency_percentiles, spread, table
from evidence_store.embedding.embedder import Embedder, ProgressCallback, load_embedder
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput, Role
from verify.settings import Settings

SIZES = (10_000, 100_000, 1_000_000)
BATCH = {10_000: 1_000, 100_000: 10_000, 1_000_000: 100_000}  # passages an add brings while building
NEW = 100
ROUNDS = 3
QUERIES = 100
SEARCHED = (100_000, 1_000_000)


class SyntheticPassages:
    """e5 for claims; for passages, a unit vector seeded by the text (no model time in the store's costs)."""

    def __init__(self, e5: Embedder) -> None:
        self.e5, self.name = e5, e5.name

    @property
    def dimension(self) -> int:
        return self.e5.dimension

    def warm_up(self) -> None:
        self.e5.warm_up()

    def embed(self, texts: list[str], role: Role, on_progress: ProgressCallback | None = None) -> np.ndarray:
        if role == "query":
            return self.e5.embed(texts, role, on_progress=on_progress)
        seeds = [int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little") for text in texts]
        vectors = np.vstack([np.random.default_rng(seed).standard_normal(self.dimension) for seed in seeds])
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def _documents(start: int, count: int, pool: list[dict]) -> list[DocumentInput]:
    """Passage-sized documents ``start`` to ``start + count``: real texts in turn, numbered to be distinct."""
    picked = [(n, pool[n % len(pool)]) for n in range(start, start + count)]
    return [DocumentInput(text=f"{p['text']} ({n})", external_id=f"p{n}", language=p["lang"]) for n, p in picked]


def segmented_store(size: int, settings: Settings, embedder: Embedder, pool: list[dict]) -> Path:
    """A cached flat store of ``size`` passages built by adds of ``BATCH[size]``."""
    path = bench_dir(settings) / f"segments-{size}"
    if (path / "manifest.json").exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    print(f"[bench] building a {size}-passage segmented store (cached for later runs)", flush=True)
    with EvidenceStore.open(path, settings, embedder) as store:
        for start in range(0, size, BATCH[size]):
            store.add(_documents(start, BATCH[size], pool))
    return path


def _add_seconds(source: Path, size: int, settings: Settings, embedder: Embedder, pool: list[dict]) -> list[float]:
    """Seconds of one add of ``NEW`` documents (vectors given) to a copy of the store, per round."""
    seconds = []
    with tempfile.TemporaryDirectory(prefix="sanad-bench-", dir=bench_dir(settings)) as scratch:
        for round_ in range(ROUNDS):
            path = Path(scratch) / f"copy-{round_}"
            shutil.copytree(source, path)
            documents = _documents(size + round_ * NEW, NEW, pool)
            embedder.embed([d.text for d in documents], "passage")
            with EvidenceStore.open(path, settings, embedder) as store:
                started = time.perf_counter()
                store.add(documents)
                seconds.append(time.perf_counter() - started)
            shutil.rmtree(path)
    return seconds


def _search_p95(path: Path, settings: Settings, embedder: Embedder, queries: list[str]) -> tuple[int, list[float]]:
    with EvidenceStore.open(path, settings, embedder) as store:
        segments = len(store._index.segments)
        store.search(queries[0], k=10)  # warm-up
        _, p95s = latency_percentiles(partial(store.search, k=10, mode="hybrid"), queries, ROUNDS)
    return segments, p95s


def run() -> str:
    settings = Settings().model_copy(update={"index_type": "flat"})
    embedder = SyntheticPassages(load_embedder(settings))
    pool = real_passages(max(SIZES))
    queries = [q for name in ("scifact_en", "climatefever_en", "ans_ar") for q in query_texts(name)][::7][:QUERIES]
    adds, searches = [], []
    for size in SIZES:
        path = segmented_store(size, settings, embedder, pool)
        adds.append((size, _add_seconds(path, size, settings, embedder, pool)))
        if size in SEARCHED:
            several = _search_p95(path, settings, embedder, queries)
            single = path.with_name(path.name + "-compacted")
            if not (single / "manifest.json").exists():
                shutil.rmtree(single, ignore_errors=True)
                shutil.copytree(path, single)
                with EvidenceStore.open(single, settings, embedder) as store:
                    store.compact()
            searches.append((size, several, _search_p95(single, settings, embedder, queries)))
    add_rows = [[f"{size:,}", spread(seconds, "{:.2f}")] for size, seconds in adds]
    search_rows = [
        [f"{size:,}", f"{segments}", spread(p95s, "{:.1f}"), spread(one_p95s, "{:.1f}")]
        for size, (segments, p95s), (_, one_p95s) in searches
    ]
    first, last = statistics.median(adds[0][1]), statistics.median(adds[-1][1])
    verdict = "met" if last <= 1.5 * first and last < 2 else "**missed**"
    return (
        "## Segmented indexes: adds and search at scale\n\n"
        f"Stores of real passage texts (their real BM25 token lists, each numbered to be distinct; "
        f"{len(pool):,} real texts in turn) with synthetic passage vectors, exact (flat) FAISS, built by adds "
        "of 1k, 10k and 100k passages (at 10k, 100k and 1M), which leaves several segments. "
        f"Add: one `add` of {NEW} new documents to a copy of the store (chunk, tokenise, DuckDB commit, one new "
        f"segment, manifest), {ROUNDS} rounds, median (min-max) seconds.\n\n"
        + table(["passages", f"add {NEW} documents, s"], add_rows)
        + f"\n\nTarget, add at 1M within 1.5x of add at 10k and under 2 s: {verdict} "
        f"({last:.2f} s against {first:.2f} s, {last / first:.2f}x). Where the difference goes (cProfile, "
        "2026-12-06): not to the indexes, whose new segment holds only the new passages at any store size, but "
        "to DuckDB's indexes on documents and passages, read cold by each new process: a lookup of 100 content "
        "hashes took 6 ms at 1M against 1.5 ms at 10k (2 ms at both on a warm connection), and the inserts "
        "grow the same way, logarithmically. Sending those lookups as constant IN lists (an index lookup, "
        "where `IN (SELECT unnest(?))` scanned the table) and skipping the commit's second lookup when no "
        "other writer committed took the 1M add from 0.20 s to this.\n\n"
        f"Hybrid search, top 10, {QUERIES} real claims embedded by e5 one at a time, {ROUNDS} rounds, median "
        "(min-max) of each round's p95, over the store as its adds left it and over a compacted copy "
        "(`EvidenceStore.compact`, one segment):\n\n"
        + table(["passages", "segments", "hybrid p95 ms, several segments", "hybrid p95 ms, one segment"], search_rows)
    )
