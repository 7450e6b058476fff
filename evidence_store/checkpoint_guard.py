"""Checkpoints that a killed process cannot tear: a copy of the file is kept until each one ends.

A DuckDB checkpoint rewrites metadata blocks of the database file in place. A process killed
in the middle of that write (SIGKILL, the OOM killer, a cancelled flow run) leaves a block
whose checksum no longer matches, and the whole file refuses to open ("Corrupt database
file ... in block at location 12288"); measured here about once in 1,600 random kills of a
process recording verify runs. The write-ahead log is not at risk: it is only appended to,
and DuckDB removes it only after the checkpoint is complete.

So Sanad's connections never checkpoint on their own (``CONNECT_CONFIG``, and no checkpoint
on close); ``guarded_checkpoint`` copies the file to ``<db>.pre-checkpoint`` first and removes
the copy when the checkpoint is done. If a process finds the copy and no live process
checkpointing, the checkpoint was interrupted: with the log still there, the copy plus the
log is exactly the state before it, so the copy goes back in place
(``recover_interrupted_checkpoint``); with the log gone, the checkpoint finished and the copy
is stale.
"""

import contextlib
import fcntl
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb

# DuckDB checkpoints by itself once the log reaches this size: never, here (guarded_checkpoint does it)
CONNECT_CONFIG = {"checkpoint_threshold": "1000GB"}


def _beside(database: Path, suffix: str) -> Path:
    return database.with_name(database.name + suffix)


def partial_copy(database: Path) -> Path:
    """Where ``guarded_checkpoint`` writes its copy of ``database`` until the copy is whole."""
    return _beside(database, ".pre-checkpoint.partial")


def wal_bytes(database: Path) -> int:
    """Size of DuckDB's write-ahead log beside ``database`` (0 when there is none)."""
    try:
        return _beside(database, ".wal").stat().st_size
    except FileNotFoundError:
        return 0


@contextlib.contextmanager
def _checkpoint_lock(database: Path, wait: bool) -> Iterator[bool]:
    """Hold ``<db>.checkpoint`` while checkpointing; yields False if not waiting and a live process holds it."""
    fd = os.open(_beside(database, ".checkpoint"), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _copy_without_opening(source: Path, target: Path) -> None:
    """Copy ``source`` in a child process: closing any descriptor of a file drops every POSIX lock that
    this process holds on it, DuckDB's included, and another process could then open the database too."""
    subprocess.run(["cp", "--", str(source), str(target)], check=True, capture_output=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """Make a writable connection leave checkpoints to ``guarded_checkpoint`` (none on close)."""
    con.execute("PRAGMA disable_checkpoint_on_shutdown")


def guarded_checkpoint(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    """CHECKPOINT ``database`` (open on ``con``), keeping a copy of the file until it is done."""
    copy, partial = _beside(database, ".pre-checkpoint"), partial_copy(database)
    with _checkpoint_lock(database, wait=True):
        _copy_without_opening(database, partial)
        _fsync(partial)
        partial.replace(copy)
        _fsync(database.parent)
        con.execute("CHECKPOINT")
        copy.unlink()


def recover_interrupted_checkpoint(database: Path) -> bool:
    """Undo a checkpoint whose process died half-way; True if the copy went back in place.

    Call before opening ``database``. Does nothing while a live process is checkpointing it
    (the open then waits for that process's lock as usual).
    """
    copy = _beside(database, ".pre-checkpoint")
    if not copy.exists():
        return False
    with _checkpoint_lock(database, wait=False) as ours:
        if not ours or not copy.exists():
            return False
        partial_copy(database).unlink(missing_ok=True)
        if wal_bytes(database) == 0:  # the checkpoint ended and removed the log: the file is whole
            copy.unlink()
            return False
        copy.replace(database)
        _fsync(database.parent)
        return True


def remove_partial_copy(database: Path) -> bool:
    """Remove the half-made copy that a process killed while copying left (the copy is never used, but can
    be as large as the database); waits for a live checkpoint to end first. True if there was one."""
    with _checkpoint_lock(database, wait=True):
        partial = partial_copy(database)
        if not partial.exists():
            return False
        partial.unlink()
        return True
