"""Two ingest processes on one store while a third process searches it: no lost rows, no lock error,
consistent indexes. And a database held too long gives one clear error, not a hang."""

import multiprocessing
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from evidence_store.check import check_store
from evidence_store.duck import DatabaseBusyError, DuckFile
from evidence_store.store import EvidenceStore
from tests.support.concurrency import BATCHES, PER_BATCH, WRITERS, document, settings_for
from tests.support.embedders import HashEmbedder


def ingest(worker: int, path: str, reading, results) -> None:
    """One `sanad evidence add`-like process: batches of new documents, one add each, once the reader reads."""
    try:
        with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
            assert reading.wait(120), "the reader never started"
            for batch in range(BATCHES):
                report = store.add([document(worker, batch, n) for n in range(PER_BATCH)])
                assert len(report.added) == PER_BATCH, report
        results.put(("writer", worker, None))
    except BaseException:
        results.put(("writer", worker, traceback.format_exc()))


def search_loop(path: str, reading, stop, results) -> None:
    """A reviewer searching and counting while the writers work; counts must never go down."""
    reads, seen, error = 0, 0, None
    try:
        with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
            while not stop.is_set():
                documents = store.stats().documents
                hits = store.search("flight landed in Benghazi cargo", k=5)
                if documents < seen:
                    raise AssertionError(f"documents went from {seen} to {documents}")
                if documents and not hits:
                    raise AssertionError(f"{documents} documents but no hit")
                seen, reads = documents, reads + 1
                reading.set()
                stop.wait(0.01)
    except BaseException:
        error = traceback.format_exc()
    results.put(("reader", reads, error))


def test_two_ingests_and_a_reader_lose_nothing(tmp_path):
    path = str(tmp_path / "store")
    context = multiprocessing.get_context("spawn")
    results, reading, stop = context.Queue(), context.Event(), context.Event()
    writers = [context.Process(target=ingest, args=(w, path, reading, results)) for w in range(WRITERS)]
    reader = context.Process(target=search_loop, args=(path, reading, stop, results))
    for process in [*writers, reader]:  # all three open a store that does not exist yet
        process.start()
    outcomes = [results.get(timeout=120) for _ in writers]
    stop.set()
    outcomes.append(results.get(timeout=60))
    for process in [*writers, reader]:
        process.join(timeout=30)

    errors = [error for _, _, error in outcomes if error]
    assert errors == [], "\n".join(errors)
    assert next(value for kind, value, _ in outcomes if kind == "reader") > 1
    with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
        ids = {doc.doc_id for doc in store.documents()}
        assert ids == {f"w{w}-b{b}-{n}" for w in range(WRITERS) for b in range(BATCHES) for n in range(PER_BATCH)}
        for worker, batch, n in ((0, 5, 2), (1, 0, 0)):
            hit = store.search(f"flight w{worker}b{batch}n{n}", k=1, mode="bm25")[0]
            assert hit.passage.doc_id == f"w{worker}-b{batch}-{n}"
    assert check_store(Path(path), settings_for(path)).ok


def test_a_database_held_too_long_is_one_clear_error(tmp_path):
    database = tmp_path / "evidence.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(database)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with (
            pytest.raises(DatabaseBusyError, match=rf"is held by process {holder.pid} .* for over 1s .*try again when"),
            DuckFile(database, lock_timeout_s=1.0).connect(),
        ):
            pass
        assert 1.0 <= time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()
    with DuckFile(database, lock_timeout_s=5.0).connect() as con:  # the holder gone, it opens at once
        assert con.execute("SELECT 42").fetchall() == [(42,)]
