"""A store folder's write lock: one writer at a time across processes, and a clear error, not an
endless wait, when another process holds it too long."""

import contextlib
import fcntl
import logging
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

from evidence_store.duck import WAIT_NOTICE_S, DatabaseBusyError, describe_process

log = logging.getLogger(__name__)


class StoreBusyError(DatabaseBusyError):
    """Another process held the store's write lock for longer than the lock timeout."""


def _holder_pid(path: Path) -> int | None:
    try:
        pid = path.read_text().strip()
    except OSError:
        return None
    return int(pid) if pid.isdigit() else None


def _busy(path: Path, timeout_s: float) -> StoreBusyError:
    pid = _holder_pid(path)
    holder, command = "another process", ""
    if pid is not None:
        holder, _, command = describe_process(pid).partition(" (")
        command = command.removesuffix(")") + "; " if command else ""
    return StoreBusyError(
        f"{path.parent} is being written by {holder} for over {timeout_s:.0f}s "
        f"({command}SANAD_STORE_LOCK_TIMEOUT_S); try again when it finishes"
    )


def _notice(path: Path, timeout_s: float) -> None:
    pid = _holder_pid(path)
    log.warning(
        "waiting for %s: being written by %s (gives up after %.0fs, SANAD_STORE_LOCK_TIMEOUT_S)",
        path.parent,
        "another process" if pid is None else describe_process(pid),
        timeout_s,
    )


@contextlib.contextmanager
def hold_lock(path: Path, *, timeout_s: float, exclusive: bool = True) -> Iterator[None]:
    """Hold the ``flock`` on ``path`` (exclusive for writers, shared for checkers), retrying with
    backoff; a wait past ``WAIT_NOTICE_S`` is logged once, naming the writer, and ``StoreBusyError``
    comes after ``timeout_s``. An exclusive holder writes its pid into the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        noticed = False
        delay = 0.02
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= timeout_s:
                    raise _busy(path, timeout_s) from None
                if not noticed and waited >= WAIT_NOTICE_S:
                    noticed = True
                    _notice(path, timeout_s)
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.5)
        if exclusive:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
