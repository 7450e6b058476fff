"""The ``verify-article`` flow: fetch, extract claims, retrieve evidence, score, persist, publish (artifacts).

Parameters are the pydantic models of ``flows.params`` (the Prefect UI renders a form). Domain logic
lives in ``verify.pipeline``; tasks only call it with process-wide resources.
"""

import asyncio
import hashlib
import os
from datetime import datetime, time, timedelta
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import INPUTS, NO_CACHE
from prefect.runtime import flow_run

from evidence_store.errors import InvalidInput
from evidence_store.ingest.fetch import FetchedPage, fetch_url
from flows import runtime, warm
from flows.params import ArticleInput, Language, ReviewStep, VerifyOptions, VerifySummary
from flows.review_step import review_in_run
from flows.warm import Analysis
from verify import pipeline
from verify.extract.intake import ArticleError, article_text_from_file
from verify.reports.markdown import verdicts_markdown, verdicts_table
from verify.settings import Settings
from verify.types import Article, Claim, Verdict

INLINE_TEXT_BYTES = 100_000  # larger pasted text goes by reference: Prefect refuses parameters over 512 KiB


def article_store(settings: Settings) -> Path:
    """Where articles too large to be flow parameters are stored, by the SHA-256 of their text (apart from
    the ingest inbox: an article to verify must not become evidence by mistake)."""
    return settings.home / "articles"


def by_reference(article: ArticleInput, settings: Settings) -> ArticleInput:
    """``article``, with pasted text over ``INLINE_TEXT_BYTES`` stored under ``SANAD_HOME/articles``, named by
    its digest."""
    data = article.text.encode("utf-8", errors="surrogatepass")
    if len(data) <= INLINE_TEXT_BYTES:
        return article
    if len(article.text) > settings.max_article_chars:
        raise ArticleError(
            f"pasted text is {len(article.text):,} characters, over the {settings.max_article_chars:,}-character "
            "limit (SANAD_MAX_ARTICLE_CHARS)"
        )
    digest = hashlib.sha256(data).hexdigest()
    path = article_store(settings) / f"{digest}.txt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(path)
    return article.model_copy(update={"text": "", "stored": digest})


def stored_text(digest: str, settings: Settings) -> str:
    """The text of the stored article named ``digest``, read no further than the article size limit."""
    path = article_store(settings) / f"{digest}.txt"
    if not path.is_file():
        raise ArticleError(f"stored article {digest[:12]}… is not in {article_store(settings)}")
    return article_text_from_file(path, settings)


@task(name="fetch", cache_policy=INPUTS, cache_expiration=timedelta(days=1), persist_result=True)
def fetch_task(url: str) -> FetchedPage:
    """Fetch a page (cached per URL for a day); ``fetch_url`` retries a failure that may pass itself
    (``SANAD_FETCH_RETRIES``), so the task does not retry on top of it."""
    return fetch_url(url, runtime.settings())


@task(name="read-article", cache_policy=NO_CACHE)
def read_article_task(article: ArticleInput, page: FetchedPage | None) -> Article:
    """Clean the page, stored article or pasted text into an article."""
    published = datetime.combine(article.published_on, time()) if article.published_on else None
    if page is not None:
        text = page.text
    elif article.stored:
        text = stored_text(article.stored, runtime.settings())
    else:
        text = article.text
    source = pipeline.ArticleSource(
        text=text,
        url=page.final_url if page else None,
        content_type=page.content_type if page else None,
        title=article.title or None,
        publisher=article.publisher or None,
        published_at=published,
        language=None if article.language is Language.auto else article.language.value,
    )
    return pipeline.read_article(source, runtime.settings())


@task(name="persist", cache_policy=NO_CACHE)
def persist_task(run_id: str, article: Article, analysis: Analysis) -> int:
    """Append the run's article, claims and verdicts to the reports database; returns verdict changes."""
    reports = runtime.reports()
    reports.record_article(article)
    reports.record_claims(analysis.claims)
    changes = reports.record_verdicts(
        run_id,
        pipeline.pair_verdicts(analysis.claims, analysis.verdicts),
        embedding_model=analysis.embedding_model,
        store_generation=analysis.store_generation,
    )
    return len(changes)


def analyse(article: Article, options: VerifyOptions) -> Analysis:
    """The model-bound steps, on a warm worker when one serves them (``flows.warm``), else in this process."""
    remote = warm.on_worker(warm.analyse_task, article, options)
    if remote is not None:  # its task run is not this run's (see flows.warm), so its progress is said here
        get_run_logger().info(
            "claims analysed by warm worker %s: %d check-worthy claims, %d previously fact-checked",
            remote.worker,
            len(remote.claims),
            sum(match is not None for match in remote.prior),
        )
        return remote
    return warm.analyse_task(article, options)


def publish(run_id: str, article: Article, claims: list[Claim], verdicts: list[Verdict]) -> None:
    """The run's report and verdict table as artifacts. Called in the flow body, not in a task: an artifact made
    in a task is filed under that task run (the UI listed it under ``publish``), one made here under the run."""
    scored = pipeline.pair_verdicts(claims, verdicts)
    markdown = verdicts_markdown(article, scored, run_id)
    # _sync: inside verify-article's async flow these would otherwise return coroutines that nobody awaits
    create_markdown_artifact(key="verdict-report", markdown=markdown, description="Claims and verdicts", _sync=True)
    create_table_artifact(key="verdict-table", table=verdicts_table(scored), description="Verdicts", _sync=True)


def verify_one(article: ArticleInput, options: VerifyOptions, kind: str = "verify-article") -> VerifySummary:
    """The body of verify-article up to its review step."""
    if not article.url.strip() and not article.stored and not article.text.strip():
        raise InvalidInput("give the article's URL or paste its text")
    reports = runtime.reports()
    run_id = reports.start_run(kind, {"article": article, "options": options}, run_id=flow_run.get_id())
    try:
        page = fetch_task(article.url.strip()) if article.url.strip() else None
        parsed = read_article_task(article, page)
        analysis = analyse(parsed, options)
        claims, verdicts = analysis.claims, analysis.verdicts
        changed = persist_task(run_id, parsed, analysis)
        publish(run_id, parsed, claims, verdicts)
    except BaseException as exc:
        reports.finish_run(run_id, "failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    reports.finish_run(run_id, "completed")
    labels = [verdict.label for verdict in verdicts]
    return VerifySummary(
        run_id=run_id,
        article_id=parsed.article_id,
        title=parsed.title,
        claims=len(claims),
        previously_fact_checked=sum(verdict.prior_fact_check is not None for verdict in verdicts),
        supported=labels.count("supported"),
        disputed=labels.count("disputed"),
        unverified=labels.count("unverified"),
        changed=changed,
    )


@flow(name="verify-article")
@runtime.fails_cleanly
async def verify_article(
    article: ArticleInput,
    options: VerifyOptions = VerifyOptions(),  # noqa: B008
    review: ReviewStep = ReviewStep(),  # noqa: B008
) -> VerifySummary:
    """Verify one article's check-worthy claims against the evidence store; with ``review.pause``, wait for a
    reviewer to rate them on the run's page (the deployment's default, see ``flows.served``).

    Async for Prefect's engine (its sync engine waits at exit for the heartbeat thread's current one-second
    sleep, about 0.5 s a run; its async engine does not) and for the review pause, which must be awaited
    (``flows.review_step``). The tasks still run one after another in this thread.
    """
    summary = verify_one(article, options)
    if not review.pause:
        return summary
    recorded = await review_in_run(summary.run_id, review)
    return summary.model_copy(update={"reviewed": recorded.reviews})


def run_verify_article(
    article: ArticleInput, options: VerifyOptions | None = None, review: ReviewStep | None = None
) -> VerifySummary:
    """Run the verify-article flow from synchronous code (a CLI, a task thread, a test); large pasted text
    goes by reference, and an expected failure is raised as its ``SanadError``."""
    article = by_reference(article, runtime.settings())
    with runtime.prefect_errors():
        return asyncio.run(verify_article(article, options or VerifyOptions(), review or ReviewStep()))
