"""Search latency at 10k real passages: dense, BM25 and hybrid, one query at a time."""

import random
import shutil
import time

from bench.data import RETRIEVAL_SETS, mixed_passages, query_texts
from bench.report import percentile, spread, table
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from verify.settings import Settings

PASSAGES = 10_000
QUERIES = 100
ROUNDS = 3


def build_store(settings: Settings) -> EvidenceStore:
    """A cached store of 10k real passages under SANAD_HOME/bench (built once)."""
    path = settings.home / "bench" / f"search-{PASSAGES}"
    if path.exists():
        store = EvidenceStore.open(path, settings)
        if store.stats().passages >= PASSAGES:
            return store
        store.close()
        shutil.rmtree(path)
    lines = mixed_passages(PASSAGES * 2)
    documents = [DocumentInput(text=line["text"], external_id=line["id"], language=line["lang"]) for line in lines]
    store = EvidenceStore.open(path, settings)
    added = 0
    for start in range(0, len(documents), 2000):
        added += store.add(documents[start : start + 2000]).passages_added
        if added >= PASSAGES:
            break
    return store


def run() -> str:
    settings = Settings()
    store = build_store(settings)
    passages = store.stats().passages
    rng = random.Random(7)
    pool = [q for name in RETRIEVAL_SETS for q in query_texts(name)]
    queries = rng.sample(pool, QUERIES)
    store.search(queries[0], k=10)  # warm-up
    rows = []
    for mode in ("dense", "bm25", "hybrid"):
        p50s, p95s = [], []
        for _ in range(ROUNDS):
            latencies = []
            for query in queries:
                started = time.perf_counter()
                store.search(query, k=10, mode=mode)
                latencies.append((time.perf_counter() - started) * 1000)
            p50s.append(percentile(latencies, 50))
            p95s.append(percentile(latencies, 95))
        rows.append([mode, spread(p50s), spread(p95s)])
    store.close()
    return (
        "## Search latency\n\n"
        f"{passages} real passages (flat FAISS index), {QUERIES} real claims from the three query sets, one "
        f"query at a time, top 10, including query embedding and the DuckDB lookup of the hits; {ROUNDS} rounds, "
        "median (min-max) of each round's percentile, milliseconds.\n\n" + table(["mode", "p50 ms", "p95 ms"], rows)
    )
