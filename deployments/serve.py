"""Serve every Sanad flow from one process (no work pool): ``sanad serve`` or ``python -m deployments.serve``.

``ingest-evidence`` polls the configured feeds (SANAD_FEEDS) on SANAD_INGEST_CRON (hourly by
default) and ``reverify-claims`` re-scores stale claims on SANAD_REVERIFY_CRON (nightly).
"""

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.ingest_evidence import IngestRequest, ingest_evidence
from flows.reverify_claims import ReverifyRequest, reverify_claims
from flows.verify_article import verify_article
from flows.verify_batch import verify_batch
from verify.settings import Settings

DEPLOYMENT = "sanad"


def deployments(settings: Settings) -> list[RunnerDeployment]:
    """The four deployments, with schedules from ``settings``."""
    return [
        verify_article.to_deployment(name=DEPLOYMENT, tags=["sanad"], description="Verify one article."),
        verify_batch.to_deployment(name=DEPLOYMENT, tags=["sanad"], description="Verify many URLs."),
        ingest_evidence.to_deployment(
            name=DEPLOYMENT,
            tags=["sanad"],
            cron=settings.ingest_cron,
            parameters={"request": IngestRequest(feeds=settings.feeds).model_dump(mode="json")},
            description="Poll the desk's feeds into the evidence store.",
        ),
        reverify_claims.to_deployment(
            name=DEPLOYMENT,
            tags=["sanad"],
            cron=settings.reverify_cron,
            parameters={"request": ReverifyRequest().model_dump(mode="json")},
            description="Re-score stale claims against the current evidence.",
        ),
    ]


def main(limit: int = 4) -> None:
    """Serve all deployments until interrupted; at most ``limit`` flow runs at once."""
    serve(*deployments(Settings()), limit=limit)


if __name__ == "__main__":
    main()
