"""Warm workers (``sanad worker``) against a real Prefect server: two share a batch and one killed mid-task
leaves its article to its run; a worker over a read replica answers searches until the writer's store moves
ahead of it; a worker refuses to start on a store built with another embedding model."""

import contextlib
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import prefect_server, sanad_env, stop
from tests.support.local_http import QuietHandler, serving
from tests.support.prefect_api import SANAD, api_json, wait_for
from tests.support.shared import SAMPLE_ARTICLE

ARTICLE_PAGES = 4


@contextlib.contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A ``sanad worker --limit 1``, connected and warm, for the block."""
    process = subprocess.Popen(
        [str(SANAD), "worker", "--limit", "1"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    identifier = f"{socket.gethostname()}-{process.pid}"

    def connected():
        listed = api_json("POST", f"{env['PREFECT_API_URL']}/task_workers/filter", json={})
        return any(found["identifier"] == identifier for found in listed)

    try:
        wait_for(connected, 180, "the warm worker to connect", process)
        yield process
    finally:
        stop(process)


def received(log: Path) -> int:
    """Task runs a worker's log says it received."""
    return log.read_text(errors="replace").count("Received task run")


class Articles(QuietHandler):
    """``/0`` .. ``/3``: the sample article as pages (13 claims: seconds of work on a worker, time to kill it)."""

    def do_GET(self) -> None:
        data = f"<html><body><article>{SAMPLE_ARTICLE.read_text(encoding='utf-8')}</article></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_two_workers_share_a_batch_and_a_killed_one_loses_nothing(served):
    api, env, logs = served["api"], served["env"], served["logs"]
    second_log = logs / "second-worker.log"
    first_before = received(logs / "serve.log")
    deployment = api_json("GET", f"{api}/deployments/name/verify-batch/sanad")
    with worker(env, second_log) as second, serving(Articles) as base:
        parameters = {
            "request": {"urls": [f"{base}/{n}" for n in range(ARTICLE_PAGES)]},
            "review": {"pause": False},
        }
        run = api_json(
            "POST", f"{api}/deployments/{deployment['id']}/create_flow_run", 201, json={"parameters": parameters}
        )
        second_id = f"{socket.gethostname()}-{second.pid}"

        def claimed_by_second():
            runs = api_json("POST", f"{api}/task_runs/filter", json={"sort": "EXPECTED_START_TIME_DESC", "limit": 20})
            for found in runs:
                variable = f"{api}/variables/name/sanad_worker_{found['id'].replace('-', '')}"
                if (
                    (found["state"] or {}).get("type") == "RUNNING"  # a task run just created has no state yet
                    and httpx.get(variable, timeout=5).json().get("value") == second_id
                ):
                    return found
            return None

        lost = wait_for(claimed_by_second, 600, "the second worker to take an article")
        os.kill(second.pid, signal.SIGKILL)
        second.wait(timeout=30)

        def finished():
            state = api_json("GET", f"{api}/flow_runs/{run['id']}")["state"]["type"]
            return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        assert wait_for(finished, 900, "the batch") == "COMPLETED"
    summaries = api_json("GET", f"{api}/flow_runs/{run['id']}")
    assert summaries["state"]["type"] == "COMPLETED"
    assert received(second_log) >= 1 and received(logs / "serve.log") > first_before  # both took work
    assert api_json("GET", f"{api}/task_runs/{lost['id']}")["state"]["type"] == "CRASHED"

    from verify.reports import ReportFilter, ReportStore

    children = api_json(
        "POST", f"{api}/flow_runs/filter", json={"flow_runs": {"parent_flow_run_id": {"any_": [run["id"]]}}}
    )
    reports = ReportStore(served["home"] / "reports.duckdb", read_only=True)
    assert len(children) == ARTICLE_PAGES
    for child in children:
        assert child["state"]["type"] == "COMPLETED"
        assert reports.run(child["id"]).status == "completed"
        rows = reports.report(ReportFilter(run_id=child["id"]))
        assert rows and all(row.verdict is not None and row.verdict.run_id == child["id"] for row in rows)
    batch_runs = [run["id"], *(child["id"] for child in children)]  # a batch article logs under its verify-url task
    logs_of_lost = api_json("POST", f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": batch_runs}}})
    assert any(
        f"(task run {lost['id']}) stopped; doing the work in this process" in entry["message"] for entry in logs_of_lost
    )


@pytest.fixture(scope="module")
def replica_setup(tmp_path_factory, sanad_home, e5):
    """A Prefect server, a writer's SANAD_HOME with the demo corpus, and a replica home whose store is a
    replica of the writer's, with a warm worker over the replica (the only worker on this server)."""
    root = tmp_path_factory.mktemp("replica")
    writer = sanad_env(root, sanad_home / "models")
    replica_home = root / "replica-home"
    replica_home.mkdir()
    (replica_home / "models").symlink_to(sanad_home / "models")
    replica_env = {**writer, "SANAD_HOME": str(replica_home)}
    subprocess.run(
        [str(SANAD), "evidence", "replicate", str(replica_home / "evidence")],
        env=writer,
        check=True,
        capture_output=True,
    )
    logs = root / "logs"
    logs.mkdir()
    with prefect_server(writer, logs), worker(replica_env, logs / "replica-worker.log") as process:
        yield {"writer": writer, "replica": replica_env, "worker": process}


def search(env: dict[str, str], query: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SANAD), "evidence", "search", query, "--k", "3", "--mode", "bm25"], env=env, capture_output=True, text=True
    )


def test_a_worker_on_a_replica_answers_until_the_writer_moves_ahead(replica_setup, tmp_path):
    writer, replica = replica_setup["writer"], replica_setup["replica"]
    worker_log = Path(replica["SANAD_HOME"]).parent / "logs" / "replica-worker.log"
    before = received(worker_log)
    first = search(writer, "Cham Wings Benghazi")
    assert first.returncode == 0, first.stderr
    assert received(worker_log) == before + 1  # the replica's worker answered

    news = tmp_path / "news.jsonl"
    news.write_text(
        '{"id": "zeppelin-1", "text": "A zeppelin named Quokkaberg landed in Misrata harbour on Tuesday.", '
        '"publisher": "Test Wire", "language": "en"}\n'
    )
    subprocess.run([str(SANAD), "evidence", "add", str(news)], env=writer, check=True, capture_output=True)
    stale = search(writer, "Quokkaberg zeppelin")
    assert stale.returncode == 0, stale.stderr
    assert "older than its caller's" in stale.stderr + stale.stdout  # refused, in one line
    assert "Quokkaberg" in stale.stdout  # and searched here instead, on the writer's store
    assert received(worker_log) == before + 2

    subprocess.run(
        [str(SANAD), "evidence", "replicate", str(Path(replica["SANAD_HOME"]) / "evidence")],
        env=writer,
        check=True,
        capture_output=True,
    )
    fresh = search(writer, "Quokkaberg zeppelin")
    assert fresh.returncode == 0, fresh.stderr
    assert "older than" not in fresh.stderr + fresh.stdout
    assert "Quokkaberg" in fresh.stdout
    assert received(worker_log) == before + 3


def test_a_worker_refuses_a_store_built_with_another_model(tmp_path):
    from evidence_store.store import EvidenceStore
    from evidence_store.types import DocumentInput
    from tests.support.embedders import HashEmbedder
    from verify.settings import Settings

    home = tmp_path / "home"
    with EvidenceStore.open(None, Settings(home=home), HashEmbedder()) as store:
        store.add([DocumentInput(text="Cham Wings flew to Benghazi in 2019.", external_id="a")])
    env = {**os.environ, "SANAD_HOME": str(home), "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    refused = subprocess.run([str(SANAD), "worker"], env=env, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "was built with embedding model" in refused.stderr
