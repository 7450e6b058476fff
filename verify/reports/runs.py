"""Run bookkeeping: readable run ids, and failing runs whose process died without finishing them."""

import os
import re
import socket
import uuid
from datetime import datetime

import duckdb

from verify.reports.types import ReportsError

_KIND = re.compile(r"[a-z][a-z0-9-]{0,63}")


def new_run_id(kind: str, now: datetime) -> str:
    """A unique, sortable, readable id such as ``verify-article-20261129T041500-3fa2c1``."""
    return f"{kind}-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def check_kind(kind: str) -> str:
    """``kind`` if it is a lowercase slug such as ``verify-article``; else a clear error."""
    if not _KIND.fullmatch(kind):
        raise ReportsError(f"run kind {kind!r} must be a lowercase slug such as 'verify-article'")
    return kind


def this_host() -> str:
    """The name runs of this machine are recorded under."""
    return socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def orphaned_runs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(run id, pid) of the running runs of this host whose process is gone."""
    running = con.execute(
        "SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ?", [this_host()]
    ).fetchall()
    return [(run_id, pid) for run_id, pid in running if not process_alive(pid)]


def fail_orphaned_runs(con: duckdb.DuckDBPyConnection, now: datetime) -> list[str]:
    """Mark failed the running runs of this host whose process is gone; returns their ids."""
    host = this_host()
    orphans = orphaned_runs(con)
    for run_id, pid in orphans:
        con.execute(
            "UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ?",
            [now, f"process {pid} on {host} ended without finishing the run", run_id],
        )
    return [run_id for run_id, _ in orphans]
