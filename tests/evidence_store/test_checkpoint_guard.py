"""Checkpoints through the guard: writes wait in the log until it is large, a checkpoint keeps a copy of
the file until it ends, and a checkpoint torn by a killed process is undone from that copy."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from evidence_store import checkpoint_guard
from evidence_store.duck import DuckFile

BLOCK_0 = 12288  # the first block after DuckDB's three header blocks


def write_rows(file: DuckFile, first: int, count: int) -> None:
    with file.transaction() as con:
        con.execute("CREATE TABLE IF NOT EXISTS reports (id INTEGER, body VARCHAR)")
        con.execute("INSERT INTO reports SELECT range, repeat('r', 200) FROM range(?, ?)", [first, first + count])


def row_count(database: Path) -> int:
    with DuckFile(database, idle_release_s=0, read_only=True).connect() as con:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]


def assert_checkpointed(database: Path, rows: int) -> None:
    """The log is gone, no copy is left beside the file, and every row is there."""
    assert checkpoint_guard.wal_bytes(database) == 0
    assert not database.with_name(database.name + ".pre-checkpoint").exists()
    assert row_count(database) == rows


def test_a_released_file_is_checkpointed_by_default(tmp_path):
    database = tmp_path / "evidence.duckdb"
    write_rows(DuckFile(database, idle_release_s=0), 0, 10)
    assert_checkpointed(database, 10)


def test_small_writes_stay_in_the_log_and_a_large_log_is_checkpointed(tmp_path):
    database = tmp_path / "reports.duckdb"
    file = DuckFile(database, idle_release_s=0, checkpoint_wal_bytes=1 << 20, checkpoint_on_release=False)
    write_rows(file, 0, 10)
    assert checkpoint_guard.wal_bytes(database) > 0  # closed without a checkpoint
    assert row_count(database) == 10

    write_rows(file, 10, 20_000)  # over a MiB of log
    assert_checkpointed(database, 20_010)


def test_a_torn_checkpoint_is_undone_from_the_copy(tmp_path):
    database = tmp_path / "reports.duckdb"
    file = DuckFile(database, idle_release_s=0, checkpoint_wal_bytes=1 << 30, checkpoint_on_release=False)
    write_rows(file, 0, 100)
    with file.connect() as con:
        con.execute("CHECKPOINT")
    write_rows(file, 100, 50)  # in the log only
    # what a process killed inside guarded_checkpoint leaves: the copy, the log, and a half-rewritten block
    (tmp_path / "reports.duckdb.pre-checkpoint").write_bytes(database.read_bytes())
    with database.open("r+b") as torn:
        torn.seek(BLOCK_0 + 64)
        torn.write(os.urandom(4096))
    with pytest.raises(duckdb.Error, match="Corrupt database file"):
        duckdb.connect(str(database), read_only=True)

    assert row_count(database) == 150  # the copy went back, and the log replayed onto it
    assert not (tmp_path / "reports.duckdb.pre-checkpoint").exists()
    write_rows(file, 150, 1)
    assert row_count(database) == 151


def test_a_copy_left_after_a_finished_checkpoint_is_dropped(tmp_path):
    database = tmp_path / "reports.duckdb"
    file = DuckFile(database, idle_release_s=0)
    write_rows(file, 0, 5)
    (tmp_path / "reports.duckdb.pre-checkpoint").write_bytes(database.read_bytes())  # older than the file
    with file.connect() as con:
        con.execute("CHECKPOINT")  # the log is gone: the file holds everything
    write_rows(file, 5, 5)

    assert row_count(database) == 10
    assert not (tmp_path / "reports.duckdb.pre-checkpoint").exists()


def test_the_copy_of_a_live_checkpoint_is_left_alone(tmp_path):
    database = tmp_path / "reports.duckdb"
    write_rows(DuckFile(database, idle_release_s=0), 0, 5)
    copy = tmp_path / "reports.duckdb.pre-checkpoint"
    copy.write_bytes(b"not a database")
    with checkpoint_guard._checkpoint_lock(database, wait=True):  # another process is checkpointing
        assert checkpoint_guard.recover_interrupted_checkpoint(database) is False
        assert copy.read_bytes() == b"not a database"


def test_a_half_made_copy_is_removed_once_no_checkpoint_is_making_it(tmp_path):
    database = tmp_path / "reports.duckdb"
    write_rows(DuckFile(database, idle_release_s=0), 0, 5)
    partial = checkpoint_guard.partial_copy(database)
    assert partial == tmp_path / "reports.duckdb.pre-checkpoint.partial"
    partial.write_bytes(database.read_bytes()[:BLOCK_0])  # a copy cut short by a kill
    locked, seen = threading.Event(), []

    def live_checkpoint() -> None:  # holds the lock as guarded_checkpoint does while it copies
        with checkpoint_guard._checkpoint_lock(database, wait=True):
            locked.set()
            time.sleep(0.3)
            seen.append(partial.exists())

    holder = threading.Thread(target=live_checkpoint)
    holder.start()
    locked.wait()
    assert checkpoint_guard.remove_partial_copy(database) is True  # waited for the live checkpoint
    holder.join()
    assert seen == [True] and not partial.exists() and row_count(database) == 5
    assert checkpoint_guard.remove_partial_copy(database) is False


KILLED_MID_CHECKPOINT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from evidence_store.duck import DuckFile

    file = DuckFile(Path(sys.argv[1]), idle_release_s=0, checkpoint_wal_bytes=1)
    print("READY", flush=True)
    with file.transaction() as con:
        con.execute("SET debug_checkpoint_scan_sleep_ms = 60000")  # stall inside the checkpoint after it
        con.execute("INSERT INTO reports SELECT range, 'late' FROM range(1000, 1010)")
    """
)


def test_a_process_killed_inside_a_checkpoint_loses_nothing_committed(tmp_path):
    database = tmp_path / "reports.duckdb"
    write_rows(DuckFile(database, idle_release_s=0), 0, 100)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_CHECKPOINT, str(database)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "READY"
    copy = tmp_path / "reports.duckdb.pre-checkpoint"
    deadline = time.monotonic() + 60
    while not copy.exists() and time.monotonic() < deadline:  # the copy appears just before the checkpoint
        time.sleep(0.02)
    assert copy.exists()
    time.sleep(0.5)  # well inside the stalled checkpoint
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    assert row_count(database) == 110  # the committed transaction survived the kill
    assert not copy.exists()


OPENS_FOR_WRITING = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"


def test_the_file_stays_locked_to_its_holder_across_a_checkpoint(tmp_path):
    database = tmp_path / "reports.duckdb"
    file = DuckFile(database, idle_release_s=60, checkpoint_wal_bytes=1)
    write_rows(file, 0, 10)  # checkpointed through the guard; the connection stays open
    assert checkpoint_guard.wal_bytes(database) == 0
    other = subprocess.run([sys.executable, "-c", OPENS_FOR_WRITING, str(database)], capture_output=True, text=True)
    file.close()
    assert other.returncode != 0 and "lock" in other.stderr, other.stderr  # DuckDB's lock held throughout
