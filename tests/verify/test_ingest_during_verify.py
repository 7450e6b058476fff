"""An ingest runs while two processes verify articles against the same store and a reviewer reads the
reports: every run completes with its verdicts, every document lands, nobody sees a lock error."""

import multiprocessing
import traceback
from pathlib import Path

from evidence_store.check import check_store
from evidence_store.store import EvidenceStore
from tests.support.concurrency import BATCHES, PER_BATCH, document, settings_for
from tests.support.embedders import HashEmbedder
from tests.support.report_factories import make_article, make_citation, make_claims, make_verdict
from verify.pipeline import retrieve_evidence
from verify.reports import ReportStore

VERIFIERS, RUNS = 2, 2


def ingest(path: str, results) -> None:
    try:
        with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
            for batch in range(BATCHES):
                store.add([document(9, batch, n) for n in range(PER_BATCH)])
        results.put(("ingest", 0, None))
    except BaseException:
        results.put(("ingest", 0, traceback.format_exc()))


def verify_runs(worker: int, path: str, reports_path: str, results) -> None:
    """What a verify-article run does with the stores: search evidence per claim, append its verdicts."""
    try:
        reports = ReportStore(Path(reports_path))
        with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
            for index in range(RUNS):
                article = make_article(f"v{worker}-{index}")
                claims = make_claims(article)
                run_id = reports.start_run("verify-article", {"worker": worker}, run_id=f"verify-{worker}-{index}")
                hits = retrieve_evidence(claims, store, top_k=3)
                verdicts = []
                for claim, found in zip(claims, hits, strict=True):
                    citations = tuple(make_citation(hit.passage) for hit in found[:2])
                    label = "supported" if citations else "unverified"
                    verdicts.append(make_verdict(claim, label).model_copy(update={"citations": citations}))
                reports.record_article(article)
                reports.record_claims(claims)
                reports.record_verdicts(
                    run_id,
                    list(zip(claims, verdicts, strict=True)),
                    embedding_model=store.embedder.name,
                    store_generation=store.stats().generation,
                )
                reports.finish_run(run_id, "completed")
        results.put(("verify", worker, None))
    except BaseException:
        results.put(("verify", worker, traceback.format_exc()))


def review_loop(path: str, reports_path: str, ready, stop, results) -> None:
    reads, error = 0, None
    try:
        with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
            ready.set()
            while not stop.is_set():
                if Path(reports_path).exists():
                    ReportStore(Path(reports_path), read_only=True).report()
                store.search("flight landed in Benghazi", k=3, mode="bm25")
                reads += 1
                stop.wait(0.05)
    except BaseException:
        error = traceback.format_exc()
    results.put(("review", reads, error))


def test_an_ingest_during_verify_runs_and_reviews(tmp_path):
    path, reports_path = str(tmp_path / "evidence"), str(tmp_path / "reports.duckdb")
    with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
        store.add([document(8, 0, n) for n in range(PER_BATCH)])  # the desk's evidence so far
    context = multiprocessing.get_context("spawn")
    results, ready, stop = context.Queue(), context.Event(), context.Event()
    reviewer = context.Process(target=review_loop, args=(path, reports_path, ready, stop, results))
    reviewer.start()
    assert ready.wait(timeout=120), "the reviewer never opened the store"  # so its reads overlap the writes
    workers = [
        context.Process(target=ingest, args=(path, results)),
        *(context.Process(target=verify_runs, args=(w, path, reports_path, results)) for w in range(VERIFIERS)),
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=180) for _ in workers]
    stop.set()
    outcomes.append(results.get(timeout=60))
    for process in [*workers, reviewer]:
        process.join(timeout=30)

    errors = [error for _, _, error in outcomes if error]
    assert errors == [], "\n".join(errors)
    assert next(value for kind, value, _ in outcomes if kind == "review") > 0
    reports = ReportStore(Path(reports_path), read_only=True)
    for worker in range(VERIFIERS):
        for index in range(RUNS):
            run = reports.run(f"verify-{worker}-{index}")
            assert run.status == "completed"
    rows = reports.report()
    assert len(rows) == VERIFIERS * RUNS * 3 and all(row.verdict is not None for row in rows)
    assert all(row.verdict.verdict.citations for row in rows if row.verdict.verdict.label == "supported")
    with EvidenceStore.open(Path(path), settings_for(path), HashEmbedder()) as store:
        assert store.stats().documents == PER_BATCH * (BATCHES + 1)
    assert check_store(Path(path), settings_for(path)).ok
