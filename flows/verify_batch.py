"""The ``verify-batch`` flow: many URLs, verified with a concurrency limit, one report per article."""

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows import runtime
from flows.params import ArticleInput, BatchRequest, ReviewStep, VerifyOptions, VerifySummary
from flows.settings import FlowSettings
from flows.verify_article import run_verify_article


@task(name="verify-url", cache_policy=NO_CACHE)
def verify_url_task(url: str, options: VerifyOptions, review: ReviewStep) -> VerifySummary | str:
    """Run verify-article for one URL (its own flow run, report and review step); a failure is returned, not
    raised."""
    try:
        return run_verify_article(ArticleInput(url=url), options, review)
    except Exception as exc:
        get_run_logger().warning("%s failed: %s", url, exc)
        return f"{type(exc).__name__}: {exc}"


def batch_task_runner(settings: FlowSettings) -> ThreadPoolTaskRunner:
    """Threads for ``SANAD_BATCH_CONCURRENCY`` articles at once (applied where the flow is served)."""
    return ThreadPoolTaskRunner(max_workers=max(1, settings.batch_concurrency))


@flow(name="verify-batch")
@runtime.fails_cleanly
def verify_batch(request: BatchRequest, review: ReviewStep = ReviewStep()) -> list[VerifySummary | str]:  # noqa: B008
    """Verify each URL as its own verify-article run, a few at a time (SANAD_BATCH_CONCURRENCY); with
    ``review.pause`` each article's run waits for its own reviewer."""
    urls = list(dict.fromkeys(url.strip() for url in request.urls if url.strip()))
    futures = verify_url_task.map(urls, options=unmapped(request.options), review=unmapped(review))
    results = [future.result() for future in futures]
    create_table_artifact(
        key="batch-summary",
        table=[
            {
                "url": url,
                "status": "failed" if isinstance(result, str) else "verified",
                "claims": "" if isinstance(result, str) else result.claims,
                "supported": "" if isinstance(result, str) else result.supported,
                "disputed": "" if isinstance(result, str) else result.disputed,
                "unverified": "" if isinstance(result, str) else result.unverified,
                "run / error": result if isinstance(result, str) else result.run_id,
            }
            for url, result in zip(urls, results, strict=True)
        ],
        description="Articles of this batch",
    )
    return results
