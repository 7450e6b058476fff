"""Running a call that might hang (a dripping server, a FIFO) so that the test fails instead of the suite hanging."""

import threading
from collections.abc import Callable

import pytest


def bounded(call: Callable[[], object], guard_s: float = 60, on_hang: Callable[[], None] | None = None) -> object:
    """The result (or exception) of ``call``, run in a thread; the test fails if it is still running after
    ``guard_s``, after ``on_hang`` (if given) has released whatever it is stuck on."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(guard_s)
    if worker.is_alive():
        if on_hang is not None:
            on_hang()
        pytest.fail(f"still running after {guard_s}s")
    return outcome[0]
