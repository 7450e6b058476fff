"""The served deployments take their schedules, feeds and task runners from the settings when served."""

import yaml
from prefect.task_runners import ThreadPoolTaskRunner

from flows.params import ReviewStep
from flows.served import REVIEWED, configured_flows, deployments, schedules
from flows.settings import FlowSettings
from tests.support.shared import REPO


def test_deployments_take_crons_feeds_and_batch_concurrency_from_the_settings(monkeypatch):
    monkeypatch.setenv("SANAD_INGEST_CRON", "5 * * * *")
    monkeypatch.setenv("SANAD_FEEDS", '["https://news.example/rss.xml"]')
    monkeypatch.setenv("SANAD_BATCH_CONCURRENCY", "3")
    settings = FlowSettings()

    served = {deployment.flow_name: deployment for deployment in deployments(settings)}

    assert sorted(served) == ["ingest-evidence", "reverify-claims", "verify-article", "verify-batch"]
    assert [s.schedule.cron for s in served["ingest-evidence"].schedules] == ["5 * * * *"]
    assert [s.schedule.cron for s in served["reverify-claims"].schedules] == ["30 2 * * *"]
    assert served["ingest-evidence"].parameters["request"]["feeds"] == ["https://news.example/rss.xml"]
    runner = configured_flows(settings)["verify-batch"].task_runner
    assert isinstance(runner, ThreadPoolTaskRunner) and runner._max_workers == 3


def test_prefect_yaml_schedules_come_from_the_settings_step(monkeypatch):
    monkeypatch.setenv("SANAD_REVERIFY_CRON", "15 3 * * *")
    spec = yaml.safe_load((REPO / "deployments" / "prefect.yaml").read_text())

    (step,) = spec["build"]
    assert step == {"flows.served.schedules": {"id": "sanad"}}
    outputs = schedules()
    crons = {
        deployment["entrypoint"]: [s["cron"] for s in deployment.get("schedules", [])]
        for deployment in spec["deployments"]
    }
    assert crons["deployments/pool.py:ingest_evidence"] == ["{{ sanad.ingest_cron }}"]
    assert outputs == {"ingest_cron": "0 * * * *", "reverify_cron": "15 3 * * *"}


def test_runs_launched_from_the_ui_pause_for_review_and_scheduled_ones_do_not():
    served = {deployment.flow_name: deployment for deployment in deployments(FlowSettings())}
    spec = yaml.safe_load((REPO / "deployments" / "prefect.yaml").read_text())
    pool = {deployment["entrypoint"]: deployment.get("parameters", {}) for deployment in spec["deployments"]}
    for flow in ("verify-article", "verify-batch"):
        assert served[flow].parameters == REVIEWED == {"review": {"pause": True, "timeout_minutes": 60}}
        assert pool[f"deployments/pool.py:{flow.replace('-', '_')}"] == REVIEWED  # the work pool's the same
    for flow in ("ingest-evidence", "reverify-claims"):  # the scheduled ones never wait for a person
        assert "review" not in served[flow].parameters
    assert ReviewStep().pause is False  # the flow itself (the demo, the CLI, scripts) does not pause
