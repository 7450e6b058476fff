"""Short-lived DuckDB connections: opened on demand, released when idle or wanted, retried when locked.

DuckDB lets one process hold a database file; any other process that opens it fails
at once. So Sanad never holds a file for long: a connection is opened for a burst of
work, closed after ``idle_release_s`` without use, and an open that meets another
process's lock is retried for up to ``lock_timeout_s`` (``SANAD_DB_LOCK_TIMEOUT_S``). A wait
of over ``WAIT_NOTICE_S`` is logged once, at WARNING, naming the process that holds the file
(DuckDB's lock error names it; a process waiting in line writes its pid into the queue file).

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
import logging
import os
import random
import re
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb

from evidence_store import checkpoint_guard
from evidence_store.errors import SanadError
from evidence_store.settings import StoreSettings

log = logging.getLogger(__name__)
WAIT_NOTICE_S = 1.0  # a wait for a file longer than this is logged once, naming its holder
_HELD_IN = re.compile(r"held in (.*?) \(PID (\d+)\)")


class DatabaseBusyError(SanadError, RuntimeError):
    """Another process kept the database locked for longer than the lock timeout."""


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting lock" in text)


def describe_process(pid: int) -> str:
    """``process PID (COMMAND)``, the command from ``/proc`` where readable, shortened."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    words = raw.decode(errors="replace").rstrip("\0").split("\0")
    command = " ".join(" ".join([os.path.basename(words[0]), *words[1:]]).split())  # one line, whatever it held
    if len(command) > 80:
        command = command[:79] + "…"
    return f"process {pid} ({command})" if command else f"process {pid}"


def _lock_holder(message: str) -> str | None:
    """The process a DuckDB lock error names, described; None if it names none."""
    match = _HELD_IN.search(message)
    return describe_process(int(match.group(2))) if match else None


class _Wait:
    """One wait for a file: logs once past ``WAIT_NOTICE_S`` and words the error past the deadline."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self.started = time.monotonic()
        self.deadline = self.started + timeout_s
        self.holder = "another process"
        self._noticed = False

    def held_by(self, holder: str | None) -> None:
        """Note who holds the file (or who stands ahead in line), and say so once the wait grows long."""
        if holder:
            self.holder = holder
        if not self._noticed and time.monotonic() - self.started >= WAIT_NOTICE_S:
            self._noticed = True
            log.warning(
                "waiting for %s: held by %s (gives up after %.0fs, SANAD_DB_LOCK_TIMEOUT_S)",
                self.path,
                self.holder,
                self.timeout_s,
            )

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def error(self) -> DatabaseBusyError:
        return DatabaseBusyError(
            f"{self.path} is held by {self.holder} for over {self.timeout_s:.0f}s "
            "(SANAD_DB_LOCK_TIMEOUT_S); try again when it finishes"
        )


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
    def turn(self, wait: _Wait) -> Iterator[bool]:
        """Stand first in line for the block; yields False if the deadline passed while waiting in line.
        The first in line writes its pid into the file, for those behind it to name."""
        with self._descriptor() as fd:
            delay = 0.005
            while fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    wait.held_by(self._first_in_line())
                    if wait.expired():
                        yield False
                        return
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 0.05)
            if fd is not None:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield True

    def _first_in_line(self) -> str | None:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            return None
        return f"{describe_process(int(pid))}, first in line" if pid.isdigit() else None

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
        lock_timeout_s: float | None = None,
        read_only: bool = False,
        checkpoint_wal_bytes: int = 16 << 20,
        checkpoint_on_release: bool = True,
    ) -> None:
        self.path = Path(path)
        self.idle_release_s = idle_release_s
        self.checkpoint_wal_bytes = checkpoint_wal_bytes
        self.checkpoint_on_release = checkpoint_on_release
        # None: SANAD_DB_LOCK_TIMEOUT_S (StoreSettings.db_lock_timeout_s)
        self.lock_timeout_s = StoreSettings().db_lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        self.read_only = read_only  # several read-only processes may share the file; a writer excludes them all
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._queue = _Queue(self.path.with_name(self.path.name + ".queue"))
        _open_files.add(self)

    def _open(self) -> duckdb.DuckDBPyConnection:
        wait = _Wait(self.path, self.lock_timeout_s)
        with self._queue.turn(wait) as in_line:
            if not in_line:
                raise wait.error()
            delay = 0.005
            while True:
                try:
                    return self._connect_now()
                except duckdb.IOException as exc:
                    if not _is_lock_error(exc):
                        raise
                    wait.held_by(_lock_holder(str(exc)))
                if wait.expired():
                    raise wait.error()
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
