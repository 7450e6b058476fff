"""Peak memory of ``sanad serve``: a real Prefect server, ``sanad serve``, one verify-article run.

The serve process and every process it starts (its warm worker, which holds the models, and each flow run's
process) are sampled every 0.2 s; the peak is of their summed resident memory.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

from bench.article import MAX_CLAIMS, SAMPLE, _home
from bench.report import table
from verify.settings import Settings

BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def _tree_mib(root: psutil.Process) -> tuple[float, float]:
    """(resident MiB of ``root`` alone, of ``root`` and all its descendants)."""
    processes = [root, *root.children(recursive=True)]
    sizes = []
    for process in processes:
        try:
            sizes.append(process.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            sizes.append(0.0)
    return sizes[0], sum(sizes)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def served(home: Path, workers: int = 1) -> Iterator[tuple[str, str, subprocess.Popen, dict[str, str]]]:
    """(API URL, verify-article deployment id, the ``sanad serve`` process, its environment) of a real Prefect
    server and ``sanad serve --workers N`` over ``home``, its warm workers connected; both are stopped on exit."""
    port = _port()
    api = f"http://127.0.0.1:{port}/api"
    with tempfile.TemporaryDirectory(prefix="sanad-bench-prefect-") as prefect_home:
        env = {
            **os.environ,
            "PREFECT_HOME": prefect_home,
            "PREFECT_API_URL": api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "SANAD_HOME": str(home),
        }
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
        command = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(command, env=env, **quiet)
        serving = None
        try:
            _wait(lambda: httpx.get(f"{api}/health", timeout=2).json() is True, 180, "the Prefect server")
            serving = subprocess.Popen([str(BIN / "sanad"), "serve", "--workers", str(workers)], env=env, **quiet)
            deployment = _wait(
                lambda: httpx.get(f"{api}/deployments/name/verify-article/sanad", timeout=5).json().get("id"),
                180,
                "sanad serve",
            )
            _wait(lambda: len(httpx.post(f"{api}/task_workers/filter", json={}).json()) >= workers, 180, "workers")
            yield api, deployment, serving, env
        finally:
            if serving is not None:
                _stop(serving)
            _stop(server)


def launch_sample(api: str, deployment: str) -> str:
    """Create a verify-article run of the sample article on the deployment, as the UI's form does; its id."""
    parameters = {
        "article": {"text": SAMPLE.read_text(encoding="utf-8")},
        "options": {"max_claims": MAX_CLAIMS},
        "review": {"pause": False},  # the deployment pauses UI-launched runs for a reviewer
    }
    for attempt in range(5):  # a server busy starting up answers 503 at times; Prefect's own client retries it
        created = httpx.post(
            f"{api}/deployments/{deployment}/create_flow_run", json={"parameters": parameters}, timeout=10
        )
        if created.status_code < 500:
            break
        time.sleep(2**attempt)
    if created.status_code != 201:
        raise RuntimeError(f"creating the run: {created.status_code} {created.text[:500]}")
    return created.json()["id"]


def finished_run(api: str, run_id: str, timeout: float = 900) -> dict:
    """The flow run once it has ended (completed, failed or crashed)."""

    def ended() -> dict | None:
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
        return run if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") else None

    return _wait(ended, timeout, "the verify-article run")


def run() -> str:
    settings = Settings()
    with served(_home(settings)) as (api, deployment, serving, _):
        root = psutil.Process(serving.pid)
        idle, _ = _tree_mib(root)
        peak = {"serve": idle, "tree": idle}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                alone, tree = _tree_mib(root)
                peak["serve"], peak["tree"] = max(peak["serve"], alone), max(peak["tree"], tree)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        state = finished_run(api, launch_sample(api, deployment))["state"]["type"]
        done.set()
        sampler.join()
    rows = [
        ["`sanad serve`, deployments registered, idle", f"{idle:.0f}"],
        ["`sanad serve` process, peak during the run", f"{peak['serve']:.0f}"],
        ["`sanad serve`, its warm worker (models loaded) and the flow-run process, peak", f"**{peak['tree']:.0f}**"],
    ]
    return (
        "## Memory of `sanad serve`\n\n"
        "A real Prefect server (`prefect server start`), `sanad serve` against the demo corpus store, and one "
        f"`verify-article` run of the sample article ({MAX_CLAIMS} claims at most; it ended {state}) created "
        "through the API. Resident memory, MiB, sampled every 0.2 s. The warm worker that `sanad serve` starts "
        "holds e5, the check-worthiness head, the stance model and (the demo store holds a fact-check) EmbeddingGemma "
        "for claim matching; each flow run is a separate process that sends "
        "its model-bound work there.\n\n" + table(["what", "MiB"], rows)
    )
