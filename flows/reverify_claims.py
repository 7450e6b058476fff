"""The ``reverify-claims`` flow: score stored claims again against the current evidence store."""

from datetime import timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from evidence_store.errors import InvalidInput
from flows import runtime
from flows.params import ReverifyRequest, ReverifySummary, Scope, VerifyOptions
from verify import pipeline
from verify.reports.markdown import BADGES
from verify.reports.types import VerdictChange
from verify.types import Claim

BATCH = 64  # claims retrieved and scored together


def select_claims(request: ReverifyRequest) -> list[Claim]:
    """The stored claims ``request`` names, each once."""
    reports = runtime.reports()
    if request.scope is Scope.article:
        if not request.article_id.strip():
            raise InvalidInput("scope 'article' needs an article id")
        return reports.claims_for_reverification(article_id=request.article_id.strip())
    if request.scope is Scope.all:
        return reports.claims_for_reverification()
    if request.scope is Scope.unverified:
        return reports.claims_for_reverification(unverified_only=True)
    chosen = reports.claims_for_reverification(unverified_only=True)
    chosen += reports.claims_for_reverification(older_than=timedelta(days=request.older_than_days))
    verified = [row for row in reports.report() if row.verdict is not None]
    chosen += pipeline.newly_fact_checked(
        [row.claim for row in verified],
        [row.verdict.recorded_at for row in verified],
        runtime.evidence_store(),
        request.options.apply(runtime.settings()),
    )
    return list({claim.claim_id: claim for claim in chosen}.values())


@task(name="rescore-batch", cache_policy=NO_CACHE)
def rescore_task(run_id: str, claims: list[Claim], options: VerifyOptions) -> list[VerdictChange]:
    """Retrieve, score and append one verdict per claim; returns the changed ones."""
    settings = options.apply(runtime.settings())
    store = runtime.evidence_store()
    prior = pipeline.match_prior_checks(claims, store, settings)
    hits = pipeline.retrieve_evidence(claims, store, options.top_k)
    verdicts = pipeline.score_claims(claims, hits, settings, prior=prior)
    return runtime.reports().record_verdicts(
        run_id,
        pipeline.pair_verdicts(claims, verdicts),
        embedding_model=store.embedder.name,
        store_generation=pipeline.searched_generation(hits, store),
    )


def changes_markdown(changes: list[VerdictChange], claims: int) -> str:
    """Every changed verdict: old, new, and the evidence that changed it."""
    lines = ["# Re-verification", "", f"{claims} claims scored again; **{len(changes)} changed**."]
    for change in changes:
        lines += [
            "",
            f"## {BADGES[change.old_label]} ({change.old_confidence:.0%}) → {BADGES[change.new_label]} "
            f"({change.new_confidence:.0%})",
            "",
            f"> {change.claim_text}",
            "",
            f"claim `{change.claim_id}`",
        ]
        for heading, citations in (
            ("New evidence", change.evidence_added),
            ("No longer cited", change.evidence_removed),
        ):
            if citations:
                lines += ["", f"{heading}:"]
                for citation in citations:
                    passage = citation.passage
                    date = passage.published_at.date().isoformat() if passage.published_at else "undated"
                    name = f"{passage.publisher or passage.doc_id}, {date}"
                    link = f"[{name}]({passage.url})" if passage.url else name
                    lines.append(f"- {link}: {citation.cited_as} — {' '.join(passage.text.split())[:160]}")
    return "\n".join(lines)


@flow(name="reverify-claims")
@runtime.fails_cleanly
def reverify_claims(request: ReverifyRequest = ReverifyRequest()) -> ReverifySummary:  # noqa: B008
    """Score stored claims against today's evidence; report every verdict that changed."""
    logger = get_run_logger()
    claims = select_claims(request)
    reports = runtime.reports()
    run_id = reports.start_run("reverify", request, run_id=flow_run.get_id())
    changes: list[VerdictChange] = []
    try:
        for start in range(0, len(claims), BATCH):
            changes += rescore_task(run_id, claims[start : start + BATCH], request.options)
            logger.info("claims re-scored: %d/%d", min(start + BATCH, len(claims)), len(claims))
    except BaseException as exc:
        reports.finish_run(run_id, "failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    reports.finish_run(run_id, "completed")
    for change in changes:
        logger.info("changed: %s %s -> %s", change.claim_id, change.old_label, change.new_label)
    create_markdown_artifact(
        key="verdict-changes", markdown=changes_markdown(changes, len(claims)), description="Changed verdicts"
    )
    return ReverifySummary(run_id=run_id, claims=len(claims), changed=len(changes))
