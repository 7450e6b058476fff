"""SIGKILL a process in the middle of recording verify runs: the reports database stays valid, the
run is marked failed (even for a reader who opens it first), and no run is left half-written."""

from pathlib import Path

import duckdb
import pytest

from tests.support.crash import kill_child
from verify.reports import ReportStore

# (stage, occurrence); "random" kills after that many seconds
POINTS = [("verdicts", 1), ("verdicts", 7), ("scoring", 3), ("random", 0.05), ("random", 0.15)]


def verdict_and_evidence_counts(database: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute(
            "SELECT v.run_id, count(DISTINCT v.verdict_id), count(e.verdict_id) FROM verdicts v "
            "LEFT JOIN verdict_evidence e USING (verdict_id) GROUP BY v.run_id"
        ).fetchall()
    return {run_id: (verdicts, evidence) for run_id, verdicts, evidence in found}


@pytest.mark.parametrize(("stage", "when"), POINTS, ids=[f"{s}-{w}" for s, w in POINTS])
def test_a_killed_verify_run_is_failed_and_never_half_written(tmp_path, stage, when):
    database = tmp_path / "reports.duckdb"
    kill_child("tests.support.reports_crash_child", database, stage, when)

    reader = ReportStore(database, read_only=True)
    rows = reader.report()  # a reviewer is the first to look after the crash
    with duckdb.connect(str(database), read_only=True) as con:
        run_ids = [run_id for (run_id,) in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]
    runs = [reader.run(run_id) for run_id in run_ids]
    statuses = [run.status for run in runs]
    completed = ["completed"] * len(runs)
    assert statuses in (completed, [*completed[1:], "failed"]), statuses  # never left running
    if stage != "random":
        assert statuses[-1] == "failed"
    for run in runs:
        if run.status == "failed":
            assert "ended without finishing the run" in run.error and run.finished_at is not None
    counts = verdict_and_evidence_counts(database)
    for run in runs:  # all of a run's verdicts and their evidence, or none
        assert counts.get(run.run_id, (0, 0)) in ((0, 0), (3, 4)), (run.run_id, counts)
        if run.status == "completed":
            assert counts[run.run_id] == (3, 4)
    if stage == "verdicts":
        assert counts.get(runs[-1].run_id) is None  # killed inside the transaction: nothing of it stays

    assert all(row.verdict is None or len(row.verdict.verdict.citations) in (0, 2) for row in rows)
    writer = ReportStore(database)  # and work goes on
    run_id = writer.start_run("verify-article", run_id="after-the-crash")
    writer.finish_run(run_id, "completed")
    assert writer.report() == reader.report()
