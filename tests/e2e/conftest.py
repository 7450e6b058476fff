"""A real Prefect server and a real ``sanad serve`` process, shared by the end-to-end tests."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evidence_store.demo import DEMO_CORPUS
from tests.support.prefect_api import SANAD, wait_for
from tests.support.shared import REPO

FLOWS = ("verify-article", "verify-batch", "ingest-evidence", "reverify-claims")  # what `sanad serve` deploys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """SIGINT, then SIGKILL after a grace period (Prefect's serve ignores SIGINT in some shells)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def sanad_env(root: Path, models: Path) -> dict[str, str]:
    """The environment of a Prefect server on a free port and a SANAD_HOME under ``root`` holding the demo
    corpus (and a link to ``models``)."""
    home = root / "sanad"
    home.mkdir()
    (home / "models").symlink_to(models)
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "SANAD_HOME": str(home),
        "HF_HUB_OFFLINE": "1",
    }
    subprocess.run([str(SANAD), "evidence", "add", str(DEMO_CORPUS)], env=env, check=True, capture_output=True)
    return env


@contextlib.contextmanager
def prefect_server(env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen]:
    """``prefect server start`` on the port ``env`` names, healthy, for the block."""
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("prefect")),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            env["PREFECT_SERVER_API_PORT"],
        ],
        env=env,
        stdout=(logs / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        api = env["PREFECT_API_URL"]
        wait_for(lambda: httpx.get(f"{api}/health", timeout=2).json() is True, 120, "the Prefect server", server)
        yield server
    finally:
        stop(server)
        shutil.rmtree(env["PREFECT_HOME"], ignore_errors=True)


@pytest.fixture(scope="session")
def served(tmp_path_factory, sanad_home, e5):
    """(api url, ui url, env) of a Prefect server with every Sanad flow served against the demo corpus, and the
    warm worker that ``sanad serve`` starts."""
    root = tmp_path_factory.mktemp("served")
    env = sanad_env(root, sanad_home / "models")
    api, home = env["PREFECT_API_URL"], Path(env["SANAD_HOME"])
    logs = root / "logs"
    logs.mkdir()
    serving = None
    with prefect_server(env, logs):
        try:
            serving = subprocess.Popen(
                [str(SANAD), "serve", "--limit", "4"],
                env=env,
                cwd=REPO,
                stdout=(logs / "serve.log").open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

            def all_registered():
                found = [httpx.get(f"{api}/deployments/name/{flow}/sanad", timeout=5).status_code for flow in FLOWS]
                return all(status == 200 for status in found)

            wait_for(all_registered, 120, "sanad serve to register its deployments", serving)
            ui = api.removesuffix("/api")
            yield {"api": api, "ui": ui, "env": env, "home": home, "logs": logs}
        finally:
            if serving is not None:
                stop(serving)
