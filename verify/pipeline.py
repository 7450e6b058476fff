"""The verification pipeline without orchestration: an article in, claims and their verdicts out.

The Prefect flows call these steps as tasks; benchmarks call them in turn.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from evidence_store.embedding.embedder import Embedder, load_embedder
from evidence_store.store import EvidenceStore
from evidence_store.types import SearchHit
from verify.extract.claims import extract_claims
from verify.extract.intake import ArticleError, article_from_html, article_from_text
from verify.prior.matching import FactCheckIndex, PriorMatch, best_matches, fact_check_index, load_match_model
from verify.prior.verdicts import apply_prior_checks
from verify.settings import Settings
from verify.stance.factory import load_stance_model
from verify.types import Article, Claim, Verdict
from verify.verifier import evidence_from_hits, judge

Progress = Callable[[int, int], None]


class ArticleSource(BaseModel):
    """What a fact-checker gives: a fetched page or pasted text/HTML, plus metadata they know."""

    model_config = ConfigDict(frozen=True)

    text: str  # page body (HTML or text) or pasted article
    url: str | None = None
    content_type: str | None = None  # of a fetched page; None for pasted input (sniffed)
    title: str | None = None
    publisher: str | None = None
    published_at: datetime | None = None
    language: str | None = None  # None: detected


def _is_html(source: ArticleSource) -> bool:
    if source.content_type is not None:
        return source.content_type in ("text/html", "application/xhtml+xml")
    head = source.text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head or "<article" in head


def read_article(source: ArticleSource, settings: Settings) -> Article:
    """Clean the input into an ``Article``; metadata given by the user wins over what the page says."""
    where = source.url or "pasted text"
    if _is_html(source):
        article = article_from_html(source.text, settings, url=source.url, source=where)
    elif source.content_type in (None, "text/plain", "text/markdown"):
        article = article_from_text(source.text, settings, url=source.url, source=where)
    else:
        raise ArticleError(f"{where}: {source.content_type} is not an article page")
    overrides = {
        name: value
        for name, value in (
            ("title", source.title),
            ("publisher", source.publisher),
            ("published_at", source.published_at),
            ("language", source.language),
        )
        if value
    }
    return article.model_copy(update=overrides) if overrides else article


def find_claims(article: Article, settings: Settings, max_claims: int) -> list[Claim]:
    """The article's check-worthy claims, best first, at most ``max_claims``."""
    return extract_claims(article, settings)[:max_claims]


def matching_embedder(settings: Settings, store: EvidenceStore) -> Embedder:
    """The embedder that claim matching compares claims with (``prior_match_embedding_model``): the store's own
    when it is the same model, else that model, loaded once per process."""
    if settings.prior_match_embedding_model == store.embedder.name:
        return store.embedder
    return load_embedder(settings.model_copy(update={"embedding_model": settings.prior_match_embedding_model}))


def prior_check_index(store: EvidenceStore, settings: Settings) -> FactCheckIndex | None:
    """The store's fact-checks indexed for claim matching (built once per store generation), or ``None`` when
    prior checks are off or the store holds none, so that no matching model is loaded for nothing."""
    if not settings.prior_checks or not store.has_fact_checks():
        return None
    return fact_check_index(store, matching_embedder(settings, store), load_stance_model(settings))


def match_prior_checks(claims: Sequence[Claim], store: EvidenceStore, settings: Settings) -> list[PriorMatch | None]:
    """Each claim's published fact-check of the same claim, where one is matched confidently (else ``None``)."""
    index = prior_check_index(store, settings) if claims else None
    if index is None:
        return [None] * len(claims)
    model = load_match_model(index.embedder.name)
    if settings.prior_match_threshold is not None:
        model = model.model_copy(update={"threshold": settings.prior_match_threshold})
    candidates = index.match([claim.check_text for claim in claims], model)
    return best_matches(candidates, model)


def newly_fact_checked(
    claims: Sequence[Claim], verified_at: Sequence[datetime], store: EvidenceStore, settings: Settings
) -> list[Claim]:
    """The claims matched to a fact-check stored after they were last verified (they need verifying again)."""
    stored = {doc.doc_id: doc.added_at for doc in store.documents([p.doc_id for p in store.fact_checks()])}
    newest = max(stored.values(), default=None)
    older = [(claim, when) for claim, when in zip(claims, verified_at, strict=True) if newest and when < newest]
    matches = match_prior_checks([claim for claim, _ in older], store, settings)
    return [
        claim
        for (claim, when), match in zip(older, matches, strict=True)
        if match is not None and stored[match.passage.doc_id] > when
    ]


def retrieve_evidence(claims: Sequence[Claim], store: EvidenceStore, top_k: int) -> list[list[SearchHit]]:
    """The ``top_k`` passages (hybrid search, any language) for what each claim asserts. Prior fact-checks
    are left out: they are matched (``match_prior_checks``), since read as evidence their restatement of
    the claim looks like support."""
    if not claims:
        return []
    found = store.search_many([claim.check_text for claim in claims], k=top_k, mode="hybrid")
    return [[hit for hit in hits if hit.passage.claim_reviewed is None] for hits in found]


def score_claims(
    claims: Sequence[Claim],
    hits: Sequence[Sequence[SearchHit]],
    settings: Settings,
    on_progress: Progress | None = None,
    prior: Sequence[PriorMatch | None] | None = None,
) -> list[Verdict]:
    """One calibrated verdict per claim from the stance of its retrieved passages; a claim with a matched
    prior fact-check (``prior``, from ``match_prior_checks``) follows its rating."""
    if not claims:
        return []
    verdicts = judge(
        [claim.check_text for claim in claims],
        [evidence_from_hits(found) for found in hits],
        settings,
        languages=[claim.language for claim in claims],
        on_progress=on_progress,
        retrieved=True,
        claim_ids=[claim.claim_id for claim in claims],
        claim_types=[claim.claim_type for claim in claims],
        speakers=[claim.speaker for claim in claims],
    )
    if prior is None:
        return verdicts
    return apply_prior_checks(verdicts, prior)


def pair_verdicts(claims: Sequence[Claim], verdicts: Sequence[Verdict]) -> list[tuple[Claim, Verdict]]:
    """Each claim with its verdict, matched by the claim id the verdict carries."""
    by_id = {verdict.claim_id: verdict for verdict in verdicts}
    if len(by_id) != len(verdicts) or set(by_id) != {claim.claim_id for claim in claims}:
        raise ValueError("the verdicts are not one per claim")
    return [(claim, by_id[claim.claim_id]) for claim in claims]


def searched_generation(hits: Sequence[Sequence[SearchHit]], store: EvidenceStore) -> int:
    """The store generation the hits were found at (the store's current one when nothing was found)."""
    found = {hit.store_generation for claim_hits in hits for hit in claim_hits}
    return max(found) if found else store.generation()
