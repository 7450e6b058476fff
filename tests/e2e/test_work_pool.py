"""deployments/prefect.yaml registers the four flows on a process work pool, with the schedules of Sanad's settings,
and a worker runs one."""

import json
import subprocess
import sys
from pathlib import Path

from evidence_store.demo import DEMO_CORPUS
from tests.support.prefect_api import api_json, wait_for
from tests.support.shared import REPO

PREFECT = str(Path(sys.executable).with_name("prefect"))


def test_prefect_yaml_deploys_to_a_process_pool_and_a_worker_runs_a_flow(served, tmp_path):
    env = {
        **served["env"],
        "SANAD_REPO": str(REPO),
        "SANAD_REVERIFY_CRON": "15 3 * * *",
        "SANAD_INGEST_ROOTS": json.dumps([str(DEMO_CORPUS.parent)]),  # the flow reads files there only
    }
    api = served["api"]
    subprocess.run([PREFECT, "work-pool", "create", "sanad", "--type", "process"], env=env, check=True, cwd=REPO)
    deployed = subprocess.run(
        [PREFECT, "deploy", "--all", "--no-prompt", "--prefect-file", "deployments/prefect.yaml"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]

    flows = ("verify-article", "verify-batch", "ingest-evidence", "reverify-claims")
    found = {name: api_json("GET", f"{api}/deployments/name/{name}/sanad-pool") for name in flows}
    assert all(deployment["work_pool_name"] == "sanad" for deployment in found.values())
    assert [s["schedule"]["cron"] for s in found["ingest-evidence"]["schedules"]] == ["0 * * * *"]
    assert [s["schedule"]["cron"] for s in found["reverify-claims"]["schedules"]] == ["15 3 * * *"]  # the setting

    run = api_json(
        "POST",
        f"{api}/deployments/{found['ingest-evidence']['id']}/create_flow_run",
        201,
        json={"parameters": {"request": {"sources": [str(DEMO_CORPUS)]}}},
    )
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "sanad", "--run-once"], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    try:

        def finished():
            state = api_json("GET", f"{api}/flow_runs/{run['id']}")["state"]["type"]
            return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        assert wait_for(finished, 300, "the worker's ingest-evidence run") == "COMPLETED"
    finally:
        worker.kill()
        worker.wait(timeout=30)
