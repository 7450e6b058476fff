"""``sanad serve`` (the Prefect deployments of every flow, with warm workers beside them) and ``sanad worker``."""

import contextlib
import ctypes
import signal
import subprocess
import sys
from collections.abc import Iterator

import typer

from flows.cli.common import friendly_errors

_PR_SET_PDEATHSIG = 1


def _terminated_with_parent() -> None:
    """In the child before it runs: SIGTERM it when its parent dies (Linux), so that a ``sanad serve`` killed
    outright leaves no worker holding the models."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def worker_processes(count: int, limit: int) -> Iterator[list[subprocess.Popen]]:
    """``count`` ``sanad worker`` processes, stopped (SIGTERM, then SIGKILL) when the block ends, or sent SIGTERM
    when this process dies."""
    command = [sys.executable, "-c", "from flows.cli import app; app()", "worker", "--limit", str(limit)]
    processes = [subprocess.Popen(command, preexec_fn=_terminated_with_parent) for _ in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def serve(
    limit: int = typer.Option(4, "--limit", min=1, help="Flow runs at once in this process."),
    workers: int = typer.Option(
        1, "--workers", min=0, help="Warm workers to start beside the deployments (0: runs load models themselves)."
    ),
) -> None:
    """Serve verify-article, verify-batch, ingest-evidence (hourly) and reverify-claims (nightly), with warm
    workers that keep the models loaded for the runs (`sanad worker`).

    Needs a Prefect server (PREFECT_API_URL, e.g. from `prefect server start`).
    """
    from flows import runtime
    from flows.served import serve_all

    with friendly_errors(), runtime.prefect_errors():
        runtime.start_prefect_api()
        with worker_processes(workers, limit=1):
            serve_all(limit=limit)


def worker(limit: int = typer.Option(1, "--limit", min=1, help="Tasks at once in this worker.")) -> None:
    """Load the models once, then do the model-bound work of runs (verify-article's analysis, `sanad evidence
    search`, `sanad claims extract`) that Prefect hands this worker, until interrupted.

    Start one per machine (or more where cores allow): they share the work. Needs PREFECT_API_URL.
    """
    from flows import runtime, warm

    with friendly_errors(), runtime.prefect_errors():
        warm.serve_tasks(limit)
