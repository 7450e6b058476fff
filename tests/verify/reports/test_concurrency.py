"""Four writer processes and a reading loop share one reports file: no lock error, no lost row."""

import multiprocessing
import time
import traceback
from pathlib import Path

from tests.support.report_factories import make_article, make_claims, make_verdict
from verify.reports import ReportStore

WRITERS = 4
RUNS_PER_WRITER = 4
LABELS = ("supported", "disputed", "unverified")


def write_runs(worker: int, path: str, results) -> None:
    """One flow-like process: per run, an article, its claims and their verdicts, then a review."""
    try:
        store = ReportStore(Path(path))
        for index in range(RUNS_PER_WRITER):
            article = make_article(f"w{worker}-a{index}")
            claims = make_claims(article)
            run_id = store.start_run("verify-article", {"worker": worker, "index": index})
            store.record_article(article)
            store.record_claims(claims)
            scored = [(c, make_verdict(c, LABELS[n], 0.5 + n / 10, (n + 1, n + 2))) for n, c in enumerate(claims)]
            store.record_verdicts(run_id, scored, embedding_model="e5", store_generation=index)
            store.finish_run(run_id, "completed")
            store.add_review(claims[0].claim_id, "supported", f"checked by worker {worker}", f"reviewer-{worker}")
        results.put(("writer", worker, None))
    except BaseException:
        results.put(("writer", worker, traceback.format_exc()))


def read_loop(path: str, ready, stop, results) -> None:
    """A reviewer refreshing the report until told to stop; claim counts must never go down."""
    reads, seen, error = 0, 0, None
    ready.set()
    try:
        while not stop.is_set():
            if not Path(path).exists():
                time.sleep(0.01)
                continue
            store = ReportStore(Path(path), read_only=True)
            rows = store.report()
            store.needing_review()
            if len(rows) < seen:
                raise AssertionError(f"claims went from {seen} to {len(rows)}")
            seen, reads = len(rows), reads + 1
    except BaseException:
        error = traceback.format_exc()
    results.put(("reader", reads, error))


def test_four_writers_and_a_reader_lose_nothing_and_never_see_a_lock_error(tmp_path):
    path = str(tmp_path / "reports.duckdb")
    context = multiprocessing.get_context("spawn")
    results, ready, stop = context.Queue(), context.Event(), context.Event()
    reader = context.Process(target=read_loop, args=(path, ready, stop, results))
    writers = [context.Process(target=write_runs, args=(n, path, results)) for n in range(WRITERS)]
    reader.start()
    assert ready.wait(timeout=120), "the reader never started"  # so its reads overlap the writes
    for process in writers:
        process.start()
    outcomes = [results.get(timeout=120) for _ in writers]
    stop.set()
    outcomes.append(results.get(timeout=60))
    for process in [*writers, reader]:
        process.join(timeout=30)

    errors = [error for _, _, error in outcomes if error]
    assert errors == [], "\n".join(errors)
    assert all(process.exitcode == 0 for process in [*writers, reader])
    reads = next(value for kind, value, _ in outcomes if kind == "reader")
    assert reads > 0

    store = ReportStore(Path(path), read_only=True)
    rows = store.report()
    runs = WRITERS * RUNS_PER_WRITER
    assert len(rows) == runs * len(LABELS)
    assert {row.claim.article_id for row in rows} == {
        f"w{w}-a{i}" for w in range(WRITERS) for i in range(RUNS_PER_WRITER)
    }
    assert sorted(row.verdict.verdict.label for row in rows) == sorted(LABELS * runs)
    assert all(
        len(row.verdict.verdict.citations) == (0 if row.verdict.verdict.label == "unverified" else 2) for row in rows
    )
    assert sum(row.review is not None for row in rows) == runs
    assert len({row.verdict.run_id for row in rows}) == runs
    assert all(store.run(run_id).status == "completed" for run_id in {row.verdict.run_id for row in rows})
