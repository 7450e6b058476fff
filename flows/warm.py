"""Warm workers: the model-bound work of a run, done by long-lived processes that load the models once.

``sanad worker`` (and ``sanad serve``, which starts one beside the deployments) opens the evidence store and
loads e5, the check-worthiness heads and the stance model, then serves the tasks below with Prefect's task
worker (``prefect.task_worker.serve``). A caller submits one with ``.delay()`` and whichever subscribed worker
is free takes it, so workers started on several machines share the load with no code change.

A caller uses a worker only when the Prefect server knows one serving that task (Prefect keys a task by its
code, so only a worker running the same Sanad counts) and does the work itself otherwise. A worker that
refuses (other models than its caller's, an evidence store older than its caller's) or is lost mid-task (it
left the server's list of workers) leaves the work to the caller too, said in one logged line.
"""

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.exceptions import MissingContextError, ObjectNotFound
from prefect.futures import PrefectDistributedFuture
from prefect.runtime import task_run
from prefect.settings import PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW, get_current_settings, temporary_settings
from prefect.states import Crashed
from prefect.tasks import Task
from prefect.variables import Variable
from pydantic import BaseModel, ConfigDict

from evidence_store.db import EvidenceDB
from evidence_store.errors import SanadError
from evidence_store.store import _DB_FILE as STORE_DB_FILE
from evidence_store.store import EvidenceStore
from evidence_store.types import SearchHit, SearchMode
from flows import runtime
from flows.params import VerifyOptions
from verify import pipeline
from verify.extract.claims import extract_claims
from verify.extract.intake import article_from_text
from verify.model_versions import ModelVersions
from verify.prior.matching import PriorMatch
from verify.stance.factory import load_stance_model
from verify.types import Article, Claim, Verdict

log = logging.getLogger(__name__)
POLL_S = 2.0  # at most this long between a waiting caller's looks at its task run and the worker running it
CLAIM_GRACE_S = 30.0  # a worker that took a task and has not claimed it within this is taken to be lost


class WorkerRefused(SanadError, RuntimeError):
    """A worker cannot do the work as its caller would: other models, or an older evidence store."""


class WorkerLost(SanadError, RuntimeError):
    """The worker that took a task stopped before finishing it (or, before one took it, every worker serving it)."""


class Expected(BaseModel):
    """What a caller needs of the worker that does its work."""

    model_config = ConfigDict(frozen=True)

    models: ModelVersions
    generation: int  # the caller's evidence store generation: the worker's store must be at least as new


class Analysis(BaseModel):
    """One article's claims with their prior fact-checks, evidence and verdicts, and where they were made."""

    model_config = ConfigDict(frozen=True)

    claims: list[Claim]
    prior: list[PriorMatch | None]
    hits: list[list[SearchHit]]
    verdicts: list[Verdict]
    embedding_model: str
    store_generation: int
    worker: str  # host-pid of the worker that made it; "" when made in the caller's process


class Searched(BaseModel):
    """Search hits for each query, and the worker that found them."""

    model_config = ConfigDict(frozen=True)

    hits: list[list[SearchHit]]
    worker: str


def worker_name() -> str:
    """This process as Prefect's task worker names itself (``TaskWorker.client_id``): host-pid."""
    return f"{socket.gethostname()}-{os.getpid()}"


def caller_expects() -> Expected:
    """The models this process's settings name, and its evidence store's generation (0 if it has none)."""
    generation = EvidenceDB.stored_generation(runtime.settings().store_dir / STORE_DB_FILE)
    return Expected(models=runtime.models(), generation=generation)


def claim_variable(task_run_id: UUID) -> str:
    """The Prefect variable naming the worker that runs a task run."""
    return f"sanad_worker_{task_run_id.hex}"


@contextlib.contextmanager
def claimed(expect: Expected | None) -> Iterator[None]:
    """In a worker, a Prefect variable names this worker as the one running this task run while it runs, so that
    its caller notices if this worker goes (a task run's own fields are rewritten by the engine's events)."""
    run_id = task_run.get_id()
    if expect is None or run_id is None:
        yield
        return
    name = claim_variable(UUID(run_id))
    # _sync here and in the caller: inside an async flow, Prefect's dispatch hands back an unawaited coroutine
    Variable.set(name, worker_name(), overwrite=True, _sync=True)
    try:
        yield
    finally:
        Variable.unset(name, _sync=True)


def checked_store(expect: Expected | None) -> EvidenceStore:
    """This worker's evidence store, once its models and store are what ``expect`` asks (``WorkerRefused``)."""
    store = runtime.evidence_store()
    if expect is None:
        return store
    differences = runtime.models().differences(expect.models)
    if differences:
        raise WorkerRefused(f"worker {worker_name()} has other models than its caller ({'; '.join(differences)})")
    generation = store.generation()
    if generation < expect.generation:
        raise WorkerRefused(
            f"worker {worker_name()}'s evidence store {store.path} is at generation {generation}, older than "
            f"its caller's {expect.generation}: sync the replica (see deployments/README.md)"
        )
    return store


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except MissingContextError:
        return log


# refresh_cache: a task worker gives cache-less tasks Prefect's default cache, which would answer a later
# identical call from an earlier result (a search from before the store changed)
@task(name="analyse-claims", cache_policy=NO_CACHE, refresh_cache=True)
def analyse_task(article: Article, options: VerifyOptions, expect: Expected | None = None) -> Analysis:
    """Extract the article's claims, match prior fact-checks, retrieve evidence and score each claim."""
    with claimed(expect):
        return analysis_of(article, options, expect)


def analysis_of(article: Article, options: VerifyOptions, expect: Expected | None) -> Analysis:
    store = checked_store(expect)
    logger = _logger()
    settings = options.apply(runtime.settings())
    claims = pipeline.find_claims(article, settings, options.max_claims)
    logger.info("%d check-worthy claims", len(claims))
    prior = pipeline.match_prior_checks(claims, store, settings)
    logger.info("%d of %d claims previously fact-checked", sum(m is not None for m in prior), len(claims))
    hits = pipeline.retrieve_evidence(claims, store, options.top_k)
    progress = runtime.progress_logger(logger, "stance pairs scored")
    verdicts = pipeline.score_claims(claims, hits, settings, on_progress=progress, prior=prior)
    return Analysis(
        claims=claims,
        prior=prior,
        hits=hits,
        verdicts=verdicts,
        embedding_model=store.embedder.name,
        store_generation=pipeline.searched_generation(hits, store),
        worker=worker_name() if expect is not None else "",
    )


@task(name="search-evidence", cache_policy=NO_CACHE, refresh_cache=True)
def search_task(
    queries: list[str], k: int, mode: SearchMode, language: str | None, expect: Expected | None = None
) -> Searched:
    """The best ``k`` passages for each query."""
    with claimed(expect):
        hits = checked_store(expect).search_many(queries, k=k, mode=mode, language=language)
    return Searched(hits=hits, worker=worker_name())


@task(name="find-claims", cache_policy=NO_CACHE, refresh_cache=True)
def claims_task(article: Article, min_score: float | None, expect: Expected | None = None) -> list[Claim]:
    """The article's check-worthy claims, best first."""
    with claimed(expect):
        checked_store(expect)
        return extract_claims(article, runtime.settings(), min_score=min_score)


SERVED: tuple[Task, ...] = (analyse_task, search_task, claims_task)


def warm_up() -> None:
    """Load what the served tasks use: the evidence store (and e5), the check-worthiness heads, the stance model, and
    where the store holds fact-checks, the claim-matching embedder with the fact-checks embedded."""
    settings = runtime.settings()
    store = runtime.evidence_store()
    store.embedder.warm_up()
    store.search("warm-up", k=1)
    sample = article_from_text("A warm-up sentence said that 12 people came in 2020.", settings, source="warm-up")
    extract_claims(sample, settings)
    load_stance_model(settings).warm_up()
    pipeline.prior_check_index(store, settings)


def serve_tasks(limit: int) -> None:
    """Warm up, then take the served tasks from Prefect until interrupted, ``limit`` at a time."""
    from prefect.task_worker import serve

    if get_current_settings().api.url is None:
        raise SanadError("a warm worker needs a Prefect server: set PREFECT_API_URL (e.g. from `prefect server start`)")
    started = time.perf_counter()
    warm_up()
    log.warning(
        "warm worker %s ready in %.1f s: serving %s, %d at a time",
        worker_name(),
        time.perf_counter() - started,
        ", ".join(served.name for served in SERVED),
        limit,
    )
    # a task run without a flow run (a command-line search) logs here, not to the API: no warning each time
    with temporary_settings(updates={PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW: "ignore"}):
        serve(*SERVED, limit=limit)


def workers(work: Task) -> set[str]:
    """The task workers serving ``work`` (its code version) that are connected to the Prefect server, by id."""
    if get_current_settings().api.url is None:
        return set()
    try:
        with get_client(sync_client=True) as client:
            answer = client._client.post(
                "/task_workers/filter", json={"task_worker_filter": {"task_keys": [work.task_key]}}
            )
    except httpx.HTTPError:
        return set()
    return {worker["identifier"] for worker in answer.json()} if answer.status_code == 200 else set()


def on_worker(work: Task, *args: Any, expect: Expected | None = None) -> Any | None:
    """``work(*args, expect)`` done by a warm worker, ``expect`` being what this process needs of it (by default
    ``caller_expects()``); None when none serves it, or it refused or was lost (the caller then works itself)."""
    if not workers(work):
        return None
    expect = expect or caller_expects()  # only now: it reads the store's generation
    with ThreadPoolExecutor(1) as outside_the_run:  # a new thread carries none of this run's Prefect context
        future = outside_the_run.submit(work.delay, *args, expect).result()
    try:
        return _result(work, future)
    except (WorkerRefused, WorkerLost) as exc:
        _logger().warning("%s; doing the work in this process", exc)
        return None


# Why the thread: ``.delay()`` inside a served flow run made a task run that Prefect never handed to a worker
# (its future then failed "has no state which means it hasn't started yet"); outside any run, as from the
# command line, the task run is created through the API and queued at once. And the caller polls the task
# run itself: ``PrefectDistributedFuture.wait`` read a task run not yet recorded and failed ObjectNotFound.


def _result(work: Task, future: PrefectDistributedFuture) -> Any:
    """The task's result once it ends; ``WorkerLost`` when the worker that took it is gone, or before one started
    it any worker that could hold it in reserve (a worker receives its next task while busy), or when one took
    it and never claimed it within ``CLAIM_GRACE_S``, or none finished it within ``SANAD_WORKER_TIMEOUT_S``."""
    unclaimed_since: float | None = None
    seen = workers(work)  # every worker that could have taken it: a worker holds one received task in reserve
    deadline = time.monotonic() + runtime.flow_settings().worker_timeout_s
    pause = 0.1
    while True:
        time.sleep(pause)
        pause = min(2 * pause, POLL_S)
        with get_client(sync_client=True) as client:
            try:
                run = client.read_task_run(future.task_run_id)
            except ObjectNotFound:  # not recorded yet
                continue
            if run.state is not None and run.state.is_final():
                return future.result()
            taken_by = Variable.get(claim_variable(run.id), default="", _sync=True)
            taken = run.state is not None and not run.state.is_scheduled()
            if taken and not taken_by and unclaimed_since is None:
                unclaimed_since = time.monotonic()
            alive = workers(work)
            silent = unclaimed_since is not None and not taken_by and time.monotonic() - unclaimed_since > CLAIM_GRACE_S
            held_by_gone = not taken and bool(seen - alive)  # still queued, and a worker that may hold it left
            seen |= alive
            if not alive or (taken_by and taken_by not in alive) or silent or held_by_gone:
                client.set_task_run_state(run.id, Crashed(message="its warm worker stopped"), force=True)
                Variable.unset(claim_variable(run.id), _sync=True)
                raise WorkerLost(f"the warm worker running {work.name} (task run {run.id}) stopped")
            if time.monotonic() > deadline:
                client.set_task_run_state(run.id, Crashed(message="no warm worker finished it in time"), force=True)
                raise WorkerLost(
                    f"no warm worker finished {work.name} (task run {run.id}) within SANAD_WORKER_TIMEOUT_S"
                )


def search_on_worker(
    queries: Sequence[str], k: int, mode: SearchMode, language: str | None
) -> list[list[SearchHit]] | None:
    """Search through a warm worker when one serves searches (None when none does)."""
    found = on_worker(search_task, list(queries), k, mode, language)
    return None if found is None else found.hits
