"""Short-lived DuckDB connections: opened on demand, released when idle, retried when locked.

DuckDB lets one process hold a database file; any other process that opens it fails
at once. So Sanad never holds a file for long: a connection is opened for a burst of
work, closed after ``idle_release_s`` without use, and an open that meets another
process's lock is retried with backoff for up to ``lock_timeout_s``.
"""

import atexit
import contextlib
import random
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb


class DatabaseBusyError(RuntimeError):
    """Another process kept the database locked for longer than the lock timeout."""


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting lock" in text)


_open_files: "weakref.WeakSet[DuckFile]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Close connections before interpreter shutdown (a timer closing one then would crash)."""
    for duck_file in list(_open_files):
        duck_file.close()


class DuckFile:
    """One DuckDB file shared by the threads of a process, opened lazily and released when idle."""

    def __init__(
        self, path: Path, *, idle_release_s: float = 2.0, lock_timeout_s: float = 60.0, read_only: bool = False
    ) -> None:
        self.path = Path(path)
        self.idle_release_s = idle_release_s
        self.lock_timeout_s = lock_timeout_s
        self.read_only = read_only  # several read-only processes may share the file; a writer excludes them all
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        _open_files.add(self)

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError(
                        f"{self.path} is held by another process for over {self.lock_timeout_s:.0f}s "
                        f"({str(exc).splitlines()[0]}); try again when it finishes"
                    ) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.5)

    def _schedule_release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.idle_release_s <= 0:
            self.close()
            return
        self._timer = threading.Timer(self.idle_release_s, self.close)
        self._timer.daemon = True
        self._timer.start()

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The process's connection, held (and exclusive to this thread) for the ``with`` block."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._con is None:
                if not self.read_only:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self._con = self._open()
            try:
                yield self._con
            finally:
                self._schedule_release()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside BEGIN ... COMMIT, rolled back if the block raises."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def close(self) -> None:
        """Release the file now (later use reopens it)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._con is not None:
                self._con.close()
                self._con = None
