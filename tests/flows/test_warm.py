"""The warm-worker protocol (``flows.warm``) against a real Prefect server and a real ``sanad worker``:
a worker answers as the store would, refuses other models or an older store (the caller then works itself),
and nothing goes to a worker when none serves the task."""

import logging
import os
import shutil
import socket
import subprocess

import pytest
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from evidence_store.types import DocumentInput
from flows import runtime, warm
from tests.support.prefect_api import SANAD, wait_for
from verify.model_versions import SHIPPED_STANCE_DIR, model_versions
from verify.settings import Settings


@pytest.fixture
def search_worker(flow_home, e5, tmp_path):
    """A ``sanad worker`` process over ``flow_home``'s store, connected to this session's Prefect server and
    sharing its result storage; killed after the test (a worker in a thread of this process would leave its
    websocket open, listed by the server, after its thread ends)."""
    runtime.evidence_store().add(
        [DocumentInput(text="Cham Wings flew fighters from Damascus to Benghazi in 2019.", external_id="cw")]
    )
    prefect = get_current_settings()
    env = {
        **os.environ,
        "PREFECT_API_URL": str(prefect.api.url),
        "PREFECT_HOME": str(prefect.home),
        "PREFECT_LOCAL_STORAGE_PATH": str(prefect.results.local_storage_path),
    }
    process = subprocess.Popen(
        [str(SANAD), "worker", "--limit", "1"],
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    worker = f"{socket.gethostname()}-{process.pid}"
    try:
        wait_for(lambda: worker in warm.workers(warm.search_task), 180, "the worker", process)
        yield runtime.evidence_store(), worker
    finally:
        process.kill()
        process.wait(timeout=30)
        wait_for(lambda: worker not in warm.workers(warm.search_task), 60, "the server to forget the worker")


def test_a_worker_answers_as_the_store_does(search_worker):
    store, worker = search_worker
    found = warm.on_worker(warm.search_task, ["Cham Wings Benghazi"], 3, "hybrid", None)
    assert found is not None and found.worker == worker
    here = store.search("Cham Wings Benghazi", k=3)
    assert [hit.passage.passage_id for hit in found.hits[0]] == [hit.passage.passage_id for hit in here]


def test_a_worker_refuses_an_older_store_or_other_models(search_worker, caplog):
    expected = warm.caller_expects()
    ahead = expected.model_copy(update={"generation": expected.generation + 1})
    other = expected.model_copy(update={"models": expected.models.model_copy(update={"stance": "trained:0"})})
    with caplog.at_level(logging.WARNING, logger="flows.warm"):
        assert warm.on_worker(warm.search_task, ["Cham Wings"], 3, "hybrid", None, expect=ahead) is None
        assert warm.on_worker(warm.search_task, ["Cham Wings"], 3, "hybrid", None, expect=other) is None
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        "older than its caller's" in message and "doing the work in this process" in message for message in messages
    )
    assert any("other models than its caller (stance: trained:" in m and "wanted trained:0)" in m for m in messages)


def test_nothing_goes_to_a_worker_without_a_prefect_api(flow_home):
    with temporary_settings(updates={PREFECT_API_URL: None}):
        assert warm.workers(warm.search_task) == set()
        assert warm.on_worker(warm.search_task, ["x"], 1, "hybrid", None) is None


def test_model_versions_name_the_stance_files(tmp_path):
    copy = tmp_path / "stance"
    shutil.copytree(SHIPPED_STANCE_DIR, copy)
    shipped = model_versions(Settings(home=tmp_path))
    assert model_versions(Settings(home=tmp_path, stance_model_dir=copy)) == shipped
    (copy / "stance.json").write_text((copy / "stance.json").read_text() + "\n")
    changed = model_versions(Settings(home=tmp_path, stance_model_dir=copy))
    assert changed.differences(shipped) == [f"stance: {changed.stance}, wanted {shipped.stance}"]
    assert changed.embedding == shipped.embedding and changed.checkworthy == shipped.checkworthy
