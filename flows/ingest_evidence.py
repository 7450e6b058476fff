"""The ``ingest-evidence`` flow: files, folders, URLs, ClaimReview fact-checks and feeds into the store.

With ``SANAD_DASK_ADDRESS`` set, the flow runs its tasks through ``prefect-dask`` and sends the
chunking and embedding of new documents to that cluster in shards; the rows come back to the
flow's process, the store's single writer, which commits them in one transaction.
"""

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from evidence_store.db import DocumentRow
from evidence_store.embedding.embedder import load_embedder
from evidence_store.ingest.records import IngestIssue
from evidence_store.ingest.sources import FeedIngest, ingest_feed, ingest_roots, load_sources
from evidence_store.rows import PreparedDocument, prepare_rows
from evidence_store.store import AddPlan
from evidence_store.types import AddReport
from flows import runtime
from flows.params import IngestRequest, IngestSummary, OnError
from flows.settings import FlowSettings


@task(name="load-sources", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=runtime.retry_unless_invalid)
def load_sources_task(sources: list[str], on_error: OnError) -> tuple[list, list[IngestIssue]]:
    """Parse sources into documents, reading files only inside ``SANAD_INGEST_ROOTS`` (anyone who can run
    the flow names the paths); network failures are retried."""
    settings = runtime.settings()
    loaded = load_sources(sources, settings, on_error=on_error.value, roots=ingest_roots(settings))
    return list(loaded.documents), list(loaded.issues)


def task_runner(settings: FlowSettings) -> TaskRunner:
    """Dask (through prefect-dask) when ``SANAD_DASK_ADDRESS`` names a scheduler, else threads here (applied
    where the flow is served)."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    return ThreadPoolTaskRunner()


@task(name="embed-shard", cache_policy=NO_CACHE)
def embed_shard_task(documents: list[PreparedDocument]) -> list[DocumentRow]:
    """Chunk and embed one shard on whichever worker runs it (the model loads once per worker)."""
    settings = runtime.settings()
    return prepare_rows(documents, settings, load_embedder(settings))


@task(name="add-documents", cache_policy=NO_CACHE)
def add_documents_task(documents: list) -> AddReport:
    """Chunk, embed and index documents in this process, logging progress."""
    logger = get_run_logger()
    return runtime.evidence_store().add(documents, on_progress=runtime.progress_logger(logger, "embedded passages"))


@task(name="plan-documents", cache_policy=NO_CACHE)
def plan_documents_task(documents: list) -> AddPlan:
    """Set aside documents whose content the store already holds."""
    return runtime.evidence_store().plan(documents)


@task(name="commit-documents", cache_policy=NO_CACHE)
def commit_documents_task(plan: AddPlan, rows: list[DocumentRow]) -> AddReport:
    """Write the embedded rows in one transaction and index them (in the flow's process: one writer)."""
    return runtime.evidence_store().commit(plan, rows)


def add_sharded(documents: list, settings: FlowSettings) -> AddReport:
    """Embed new documents in shards on the Dask cluster, then commit every row here, in input order."""
    logger = get_run_logger()
    plan = plan_documents_task(documents)
    size = settings.dask_shard_documents
    shards = [plan.fresh[start : start + size] for start in range(0, len(plan.fresh), size)]
    rows: list[DocumentRow] = []
    for number, future in enumerate(embed_shard_task.map(shards), start=1):
        rows += future.result()
        logger.info("embedded shard %d/%d on %s", number, len(shards), settings.dask_address)
    return commit_documents_task(plan, rows)


@task(name="poll-feed", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=runtime.retry_unless_invalid)
def poll_feed_task(feed_url: str) -> FeedIngest:
    """Ingest a feed's unseen items."""
    logger = get_run_logger()
    result = ingest_feed(
        runtime.evidence_store(), feed_url, runtime.settings(), runtime.progress_logger(logger, f"{feed_url} passages")
    )
    logger.info(
        "%s: %d items, %d new, %d documents added", feed_url, result.items, result.new_items, len(result.added.added)
    )
    return result


def _markdown(summary: IngestSummary, sources: list[str], feeds: list[str]) -> str:
    lines = [
        "# Evidence ingest",
        "",
        f"- sources: {len(sources)}, feeds: {len(feeds)}",
        f"- documents added: **{summary.documents_added}**, replaced: {summary.documents_replaced}, "
        f"duplicates skipped: {summary.duplicates}",
        f"- passages added: {summary.passages_added}; new feed items: {summary.feed_items_new}",
    ]
    if summary.issues:
        lines += ["", f"## Problems ({len(summary.issues)})", ""] + [f"- {issue}" for issue in summary.issues[:50]]
    return "\n".join(lines)


@flow(name="ingest-evidence")
@runtime.fails_cleanly
def ingest_evidence(request: IngestRequest = IngestRequest()) -> IngestSummary:  # noqa: B008 (Prefect form default)
    """Add documents from files, folders, URLs and feeds; with nothing given, poll the configured feeds."""
    if not request.sources and not request.feeds:
        request = request.model_copy(update={"feeds": runtime.flow_settings().feeds})
    logger = get_run_logger()
    reports: list[AddReport] = []
    issues: list[str] = []
    if request.sources:
        documents, source_issues = load_sources_task(request.sources, request.on_error)
        issues += [str(issue) for issue in source_issues]
        for issue in source_issues:
            logger.warning("skipped %s", issue)
        if documents and runtime.flow_settings().dask_address:
            reports.append(add_sharded(documents, runtime.flow_settings()))
        elif documents:
            reports.append(add_documents_task(documents))
    new_items = 0
    for feed_url in request.feeds:
        result = poll_feed_task(feed_url)
        reports.append(result.added)
        new_items += result.new_items
        issues += [str(issue) for issue in result.issues]
    summary = IngestSummary(
        documents_added=sum(len(r.added) for r in reports),
        documents_replaced=sum(len(r.replaced) for r in reports),
        duplicates=sum(len(r.duplicates) for r in reports),
        passages_added=sum(r.passages_added for r in reports),
        feed_items_new=new_items,
        issues=issues,
    )
    create_markdown_artifact(
        key="evidence-ingest", markdown=_markdown(summary, request.sources, request.feeds), description="Ingest summary"
    )
    return summary
