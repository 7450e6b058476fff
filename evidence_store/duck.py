"""Short-lived DuckDB connections: opened on demand, released when idle or wanted, retried when locked.

DuckDB lets one process hold a database file; any other process that opens it fails
at once. So Sanad never holds a file for long: a connection is opened for a burst of
work, closed after ``idle_release_s`` without use, and an open that meets another
process's lock is retried for up to ``lock_timeout_s``.

A process that keeps using its connection would never be idle, and would starve the
others; so processes that want the file queue on a lock file beside it (``<db>.queue``),
and the holder lets go at the end of its current block as soon as someone is queued.
Each block (a query, a transaction) is whole; between blocks the file changes hands.

A writable connection checkpoints only through ``checkpoint_guard``, so that a process killed
mid-checkpoint cannot tear the file: after a block that leaves the write-ahead log at
``checkpoint_wal_bytes`` or more (DuckDB's own default, 16 MiB), and, with
``checkpoint_on_release``, whenever it lets the file go (as DuckDB does on close). A file
written in many small bursts (the reports) turns the latter off and keeps a small log
instead: each open replays the log, but each checkpoint copies the whole file.
"""

import atexit
import contextlib
import fcntl
import os
import random
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb

from evidence_store import checkpoint_guard
from evidence_store.errors import SanadError


class DatabaseBusyError(SanadError, RuntimeError):
    """Another process kept the database locked for longer than the lock timeout."""


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting lock" in text)


_open_files: "weakref.WeakSet[DuckFile]" = weakref.WeakSet()
_WATCH_S = 0.05  # how often an idle connection checks whether another process is waiting for the file


class _Queue:
    """The line for one database file: the holder of its ``flock`` opens the database next."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _descriptor(self) -> Iterator[int | None]:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:  # a folder we cannot write to: no line, plain retries
            yield None
            return
        try:
            yield fd
        finally:
            os.close(fd)  # which also releases a lock still held

    @contextlib.contextmanager
    def turn(self, deadline: float) -> Iterator[bool]:
        """Stand first in line for the block; yields False if the deadline passed while waiting in line."""
        with self._descriptor() as fd:
            delay = 0.005
            while fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 0.05)
            yield True

    def someone_waiting(self) -> bool:
        """Whether another process stands in line (holds its lock)."""
        with self._descriptor() as fd:
            if fd is None:
                return False
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False


@atexit.register
def _close_all() -> None:
    """Close connections before interpreter shutdown (a timer closing one then would crash)."""
    for duck_file in list(_open_files):
        duck_file.close()


class DuckFile:
    """One DuckDB file shared by the threads of a process, opened lazily, released when idle or wanted."""

    def __init__(
        self,
        path: Path,
        *,
        idle_release_s: float = 2.0,
        lock_timeout_s: float = 60.0,
        read_only: bool = False,
        checkpoint_wal_bytes: int = 16 << 20,
        checkpoint_on_release: bool = True,
    ) -> None:
        self.path = Path(path)
        self.idle_release_s = idle_release_s
        self.checkpoint_wal_bytes = checkpoint_wal_bytes
        self.checkpoint_on_release = checkpoint_on_release
        self.lock_timeout_s = lock_timeout_s
        self.read_only = read_only  # several read-only processes may share the file; a writer excludes them all
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._queue = _Queue(self.path.with_name(self.path.name + ".queue"))
        _open_files.add(self)

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout_s
        with self._queue.turn(deadline) as in_line:
            delay = 0.005
            while True:
                try:
                    if in_line:
                        return self._connect_now()
                    problem = "another process stayed ahead in line"
                except duckdb.IOException as exc:
                    if not _is_lock_error(exc):
                        raise
                    problem = str(exc).splitlines()[0]
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError(
                        f"{self.path} is held by another process for over {self.lock_timeout_s:.0f}s "
                        f"({problem}); try again when it finishes"
                    )
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.05)

    def _connect_now(self) -> duckdb.DuckDBPyConnection:
        checkpoint_guard.recover_interrupted_checkpoint(self.path)
        con = duckdb.connect(str(self.path), read_only=self.read_only, config=checkpoint_guard.CONNECT_CONFIG)
        if not self.read_only:
            checkpoint_guard.configure(con)
        return con

    def _checkpoint_if_due(self, con: duckdb.DuckDBPyConnection, releasing: bool = False) -> None:
        if self.read_only:
            return
        due = 1 if releasing and self.checkpoint_on_release else self.checkpoint_wal_bytes
        if checkpoint_guard.wal_bytes(self.path) >= due:
            checkpoint_guard.guarded_checkpoint(con, self.path)

    def _schedule_release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.idle_release_s <= 0:
            self.close()
            return
        self._watch(time.monotonic())

    def _watch(self, idle_since: float) -> None:
        """While idle, look every ``_WATCH_S`` whether to let go: idle long enough, or someone in line."""
        timer = threading.Timer(_WATCH_S, lambda: self._release_if_due(timer, idle_since))
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _release_if_due(self, timer: threading.Timer, idle_since: float) -> None:
        with self._lock:
            if self._timer is not timer or self._con is None:  # used again since, or closed
                return
            if time.monotonic() - idle_since >= self.idle_release_s or self._queue.someone_waiting():
                self.close()
            else:
                self._watch(idle_since)

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
                self._checkpoint_if_due(self._con)
            finally:
                if self._queue.someone_waiting():
                    self.close()  # let the next process in
                else:
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
                try:
                    self._checkpoint_if_due(self._con, releasing=True)
                finally:
                    self._con.close()
                    self._con = None
