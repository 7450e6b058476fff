"""The deployments of Sanad's four flows, configured from ``FlowSettings`` when they are served.

``sanad serve`` and ``deployments/serve.py`` serve this list; ``deployments/pool.py`` gives a process work
pool's workers the same configured flows and ``prefect.yaml`` the same schedules, so each schedule and
concurrency setting has one source.
"""

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment

from flows.ingest_evidence import ingest_evidence, task_runner
from flows.params import IngestRequest, ReverifyRequest, ReviewStep
from flows.reverify_claims import reverify_claims
from flows.settings import FlowSettings
from flows.verify_article import verify_article
from flows.verify_batch import batch_task_runner, verify_batch

DEPLOYMENT = "sanad"
# runs launched from the UI pause for a reviewer; the demo and the CLI call the flows with the pause off
REVIEWED = {"review": ReviewStep(pause=True).model_dump(mode="json")}


def configured_flows(settings: FlowSettings) -> dict[str, Flow]:
    """Each flow by name, with the task runner its settings ask for (batch concurrency, a Dask cluster)."""
    return {
        "verify-article": verify_article,
        "verify-batch": verify_batch.with_options(task_runner=batch_task_runner(settings)),
        "ingest-evidence": ingest_evidence.with_options(task_runner=task_runner(settings)),
        "reverify-claims": reverify_claims,
    }


def schedules(settings: FlowSettings | None = None) -> dict[str, str]:
    """The cron of each scheduled flow; also a ``prefect.yaml`` build step, whose outputs its schedules name."""
    settings = settings or FlowSettings()
    return {"ingest_cron": settings.ingest_cron, "reverify_cron": settings.reverify_cron}


def deployments(settings: FlowSettings) -> list[RunnerDeployment]:
    """The four deployments, with schedules and task runners from ``settings``."""
    flows = configured_flows(settings)
    crons = schedules(settings)
    return [
        flows["verify-article"].to_deployment(
            name=DEPLOYMENT, tags=["sanad"], parameters=REVIEWED, description="Verify one article, then review it."
        ),
        flows["verify-batch"].to_deployment(
            name=DEPLOYMENT, tags=["sanad"], parameters=REVIEWED, description="Verify many URLs, reviewing each."
        ),
        flows["ingest-evidence"].to_deployment(
            name=DEPLOYMENT,
            tags=["sanad"],
            cron=crons["ingest_cron"],
            parameters={"request": IngestRequest(feeds=settings.feeds).model_dump(mode="json")},
            description="Poll the desk's feeds into the evidence store.",
        ),
        flows["reverify-claims"].to_deployment(
            name=DEPLOYMENT,
            tags=["sanad"],
            cron=crons["reverify_cron"],
            parameters={"request": ReverifyRequest().model_dump(mode="json")},
            description="Re-score stale claims against the current evidence.",
        ),
    ]


# how often the runner asks the server for runs to start: Prefect's default, 10 s, was half the wait of a
# UI-launched article once its model-bound work went to a warm worker
POLL_S = 1


def serve_all(limit: int = 4) -> None:
    """Serve all deployments until interrupted; at most ``limit`` flow runs at once."""
    serve(*deployments(FlowSettings()), limit=limit, query_seconds=POLL_S)
