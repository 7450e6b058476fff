"""Four verify-article runs at once in `sanad serve`, while a reviewer keeps reading the reports."""

import threading

from tests.support.prefect_api import api_json, wait_for
from verify.reports import ReportFilter, ReportStore

ARTICLES = [
    "The US Treasury imposed sanctions on the Syrian airline Cham Wings in December 2016. "
    "Treasury said the airline had flown militants into Syria for the government.",
    "وصل وفد من حكومة شرق ليبيا إلى دمشق في مارس 2020 والتقى وزير الخارجية السوري وليد المعلم. "
    "ووقع الجانبان مذكرة تفاهم لإعادة فتح السفارتين.",
    "Libya's Government of National Accord signed a security and military cooperation agreement with Turkey "
    "in November 2019. The Turkish parliament ratified the agreement weeks later.",
    "Cham Wings operated regular flights between Damascus and Benghazi in 2019 and 2020, according to United "
    "Nations experts who monitor the arms embargo on Libya.",
]


def create_run(api: str, deployment_id: str, text: str) -> str:
    # a script launching runs turns off the review pause that the deployment asks for
    parameters = {"article": {"text": text}, "options": {"max_claims": 5}, "review": {"pause": False}}
    run = api_json("POST", f"{api}/deployments/{deployment_id}/create_flow_run", 201, json={"parameters": parameters})
    return run["id"]


def test_four_concurrent_runs_and_a_reader_lose_nothing(served):
    api, home = served["api"], served["home"]
    deployment = api_json("GET", f"{api}/deployments/name/verify-article/sanad")
    reports_db = home / "reports.duckdb"
    reader_errors: list[Exception] = []
    reads = {"count": 0}
    stop = threading.Event()

    def read_loop():
        reader = ReportStore(reports_db, read_only=True)
        while not stop.is_set():
            try:
                if reports_db.exists():
                    reader.report()
                    reads["count"] += 1
            except Exception as exc:  # any error here would reach a reviewer
                if "no reports database" not in str(exc):
                    reader_errors.append(exc)
            stop.wait(0.2)

    reader = threading.Thread(target=read_loop, daemon=True)
    reader.start()
    run_ids = [create_run(api, deployment["id"], text) for text in ARTICLES]

    def all_finished():
        states = [api_json("GET", f"{api}/flow_runs/{run_id}")["state"]["type"] for run_id in run_ids]
        done = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
        return states if all(state in done for state in states) else None

    states = wait_for(all_finished, 900, "four concurrent verify-article runs")
    stop.set()
    reader.join(timeout=30)
    assert states == ["COMPLETED"] * 4
    assert not reader_errors, reader_errors
    assert reads["count"] > 0

    store = ReportStore(reports_db, read_only=True)
    for run_id in run_ids:
        assert store.run(run_id).status == "completed"
        rows = store.report(ReportFilter(run_id=run_id))
        assert rows, f"run {run_id} recorded no claims"
        assert all(row.verdict is not None and row.verdict.run_id == run_id for row in rows)
