"""What keeping a large store in step costs: a small add, a remove, an open and a full rebuild at 100k.

Runs on a copy of the cached 100k-passage segmented store of ``bench.segments`` (real texts, synthetic
vectors), so the times are the store's own work (DuckDB, FAISS, BM25 postings, saves), not embedding.
"""

import shutil
import tempfile
import time
from pathlib import Path

from bench.data import real_passages
from bench.report import spread, table
from bench.segments import SyntheticPassages, segmented_store
from evidence_store.bm25 import Postings
from evidence_store.embedding.embedder import load_embedder
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from verify.settings import Settings

SIZE = 100_000
ROUNDS = 3
NEW = 100


def _stopwatch(times: dict[str, list[float]], started: float):
    """``lap(name)`` records the seconds since the previous lap (or ``started``) under ``name``."""
    last = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        times.setdefault(name, []).append(now - last[0])
        last[0] = now

    return lap


def run() -> str:
    settings = Settings().model_copy(update={"index_type": "flat"})
    embedder = SyntheticPassages(load_embedder(settings))
    pool = real_passages(SIZE + ROUNDS * NEW)
    source = segmented_store(SIZE, settings, embedder, pool)
    extra = pool[SIZE:]
    times: dict[str, list[float]] = {}
    kind = ""
    with tempfile.TemporaryDirectory(prefix="sanad-bench-") as scratch:
        for round_ in range(ROUNDS):
            path = Path(scratch) / f"copy-{round_}"
            shutil.copytree(source, path)
            batch = extra[round_ * NEW : (round_ + 1) * NEW]
            documents = [DocumentInput(text=p["text"], external_id=p["id"], language=p["lang"]) for p in batch]
            started = time.perf_counter()
            store = EvidenceStore.open(path, settings, embedder)
            lap = _stopwatch(times, started)
            lap("open (load FAISS and BM25)")
            store.add(documents)
            lap(f"add {NEW} documents (one commit, vectors given)")
            store.remove([doc.external_id for doc in documents[:10]])
            lap("remove 10 documents")
            store.rebuild_indexes()
            lap("rebuild FAISS and BM25 from DuckDB")
            kind = store.stats().index_type
            store.close()
            shutil.rmtree(path)
    with EvidenceStore.open(source, settings, embedder) as store:
        _, _, tokens, _ = store.db.index_inputs(with_vectors=False)
    million = tokens * (1_000_000 // len(tokens) + 1)
    del million[1_000_000:]
    for _ in range(2):
        started = time.perf_counter()
        Postings.build(million)
        times.setdefault("BM25 postings build over 1M passages (the 100k real token lists, repeated)", []).append(
            time.perf_counter() - started
        )
    rows = [[operation, spread(seconds, "{:.2f}")] for operation, seconds in times.items()]
    return (
        "## Keeping a large store in step\n\n"
        f'A copy of the {SIZE:,}-passage store of "Segmented indexes" ({kind} index, 10 segments), {ROUNDS} rounds, '
        "median (min-max) seconds. Vectors are synthetic, so these are the store's own costs: the DuckDB transaction, "
        "a new segment for the new passages (FAISS and BM25 postings) or tombstones for the removed ones, and "
        "the manifest; the rebuild puts every passage into one segment.\n\n" + table(["operation", "seconds"], rows)
    )
