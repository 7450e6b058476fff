"""A wait for a database another process holds says who holds it, and ends in one clear error after the
setting's limit; Sanad's own reads let the file go when their query ends."""

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_store.duck import DatabaseBusyError, DuckFile
from evidence_store.locking import StoreBusyError, hold_lock
from verify.reports.store import ReportStore

SANAD = Path(sys.executable).with_name("sanad")


def hold(code: str) -> subprocess.Popen:
    """A process that runs ``code``, prints ``held`` and sleeps (killed by the test)."""
    process = subprocess.Popen(
        [sys.executable, "-c", f"{code}\nprint('held', flush=True)\nimport time; time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


@pytest.fixture
def reports_db(tmp_path) -> Path:
    database = tmp_path / "reports.duckdb"
    ReportStore(database).start_run("verify-article")
    return database


@pytest.fixture
def reviewer_shell(reports_db) -> Iterator[subprocess.Popen]:
    """A reviewer's read-only DuckDB connection left open, as in the duckdb shell or a notebook."""
    process = hold(f"import duckdb; con = duckdb.connect({str(reports_db)!r}, read_only=True)")
    yield process
    process.kill()
    process.wait()


def test_a_wait_names_the_holder_once_then_fails_after_the_limit(reports_db, reviewer_shell, caplog):
    caplog.set_level(logging.WARNING, logger="evidence_store.duck")
    pattern = rf"held by process {reviewer_shell.pid} \(python.*\) for over 2s \(SANAD_DB_LOCK_TIMEOUT_S\); try again"
    with pytest.raises(DatabaseBusyError, match=pattern) as raised, DuckFile(reports_db, lock_timeout_s=2.0).connect():
        pass
    assert "\n" not in str(raised.value)
    notices = [record.getMessage() for record in caplog.records if "waiting for" in record.getMessage()]
    assert len(notices) == 1, notices
    assert notices[0].startswith(f"waiting for {reports_db}: held by process {reviewer_shell.pid} (python")


def test_the_limit_is_a_setting_and_the_cli_says_so_on_stderr(tmp_path, reports_db, reviewer_shell):
    home = reports_db.parent
    env = {**os.environ, "SANAD_HOME": str(home), "SANAD_DB_LOCK_TIMEOUT_S": "2", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [SANAD, "review", "no-such-claim", "--verdict", "supported", "--note", "checked"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith(f"waiting for {reports_db}: held by process {reviewer_shell.pid}") for line in lines)
    assert lines[-1].startswith(f"error: {reports_db} is held by process {reviewer_shell.pid}"), result.stderr
    assert "for over 2s (SANAD_DB_LOCK_TIMEOUT_S)" in lines[-1]
    assert "Traceback" not in result.stderr


def test_a_process_waiting_in_line_is_named_to_those_behind_it(reports_db, reviewer_shell, caplog):
    first = hold(
        "import threading\nfrom evidence_store.duck import DuckFile\n"
        f"threading.Thread(target=lambda: DuckFile({str(reports_db)!r}, lock_timeout_s=60).connect().__enter__(),"
        " daemon=True).start()"
    )
    try:
        queue = reports_db.with_name(reports_db.name + ".queue")
        for _ in range(200):  # until the first writer stands in line
            if queue.exists() and queue.read_text() == str(first.pid):
                break
            time.sleep(0.05)
        caplog.set_level(logging.WARNING, logger="evidence_store.duck")
        with (
            pytest.raises(DatabaseBusyError, match=rf"held by process {first.pid} \(.*\), first in line for over 2s"),
            DuckFile(reports_db, lock_timeout_s=2.0).connect(),
        ):
            pass
        assert any(f"held by process {first.pid}" in record.getMessage() for record in caplog.records)
    finally:
        first.kill()
        first.wait()


def test_a_reviewers_read_lets_the_file_go_when_the_query_ends(reports_db):
    reader = hold(
        "from pathlib import Path\nfrom verify.reports.store import ReportStore\n"
        f"store = ReportStore(Path({str(reports_db)!r}), read_only=True)\nstore.report()\nstore.needing_review()"
    )
    try:  # the reader process lives on, its store object too; a writer gets the file well within the limit
        store = ReportStore(reports_db, lock_timeout_s=10.0)
        run_id = store.start_run("verify-article")
        assert store.run(run_id).run_id == run_id
    finally:
        reader.kill()
        reader.wait()


def test_a_wait_for_the_store_write_lock_names_the_writer(tmp_path, caplog):
    lock = tmp_path / "store" / ".write.lock"
    writer = hold(
        f"from pathlib import Path\nfrom evidence_store.locking import hold_lock\n"
        f"held = hold_lock(Path({str(lock)!r}), timeout_s=5)\nheld.__enter__()"
    )
    try:
        caplog.set_level(logging.WARNING, logger="evidence_store.locking")
        with (
            pytest.raises(StoreBusyError, match=rf"is being written by process {writer.pid} for over 2s \(python"),
            hold_lock(lock, timeout_s=2.0),
        ):
            pass
        notices = [record.getMessage() for record in caplog.records]
        assert notices == [
            f"waiting for {lock.parent}: being written by process {writer.pid} ({notices[0].split('(', 1)[1]}"
        ]
        assert "SANAD_STORE_LOCK_TIMEOUT_S" in notices[0]
    finally:
        writer.kill()
        writer.wait()
