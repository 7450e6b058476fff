"""A store folder's write lock: one writer at a time across processes, and a clear error, not an
endless wait, when another process holds it too long."""

import contextlib
import fcntl
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

from evidence_store.duck import DatabaseBusyError


class StoreBusyError(DatabaseBusyError):
    """Another process held the store's write lock for longer than the lock timeout."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        return "another process"
    return f"process {pid}" if pid.isdigit() else "another process"


@contextlib.contextmanager
def hold_lock(path: Path, *, timeout_s: float, exclusive: bool = True) -> Iterator[None]:
    """Hold the ``flock`` on ``path`` (exclusive for writers, shared for checkers), retrying with
    backoff; ``StoreBusyError`` after ``timeout_s``. An exclusive holder writes its pid into the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout_s
        delay = 0.02
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"{path.parent} is being written by {_holder(path)} for over {timeout_s:.0f}s "
                        "(SANAD_STORE_LOCK_TIMEOUT_S); try again when it finishes"
                    ) from None
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
