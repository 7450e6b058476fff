"""Real domain objects (Article, Claim, Passage, Citation, Verdict) for the tests that record and render reports."""

from datetime import UTC, datetime

from evidence_store.types import Passage
from verify.reports import ReportStore
from verify.types import Article, Citation, Claim, StanceScore, Verdict, VerdictLabel

SENTENCES = (
    "وصل وفد من قوات حفتر إلى دمشق يوم الأحد.",
    "The US Treasury designated Cham Wings in December 2016, the minister said.",
    "Turkey has 20,000 soldiers in Libya.",
)
PUBLISHERS = ("US Department of the Treasury", "Reuters", "Al Jazeera", "BBC Arabic")
NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


def make_article(article_id: str = "article-1", sentences: tuple[str, ...] = SENTENCES) -> Article:
    """An article whose text is ``sentences`` joined by spaces."""
    return Article(
        article_id=article_id,
        text=" ".join(sentences),
        title=f"Haftar's delegation in Damascus ({article_id})",
        publisher="Arabi21",
        url=f"https://example.org/news/{article_id}",
        published_at=datetime(2020, 3, 3, tzinfo=UTC),
        language="ar",
    )


def make_claims(article: Article, sentences: tuple[str, ...] = SENTENCES) -> list[Claim]:
    """One claim per sentence, with spans into ``article.text``; the second has a speaker."""
    claims, previous = [], None
    for index, sentence in enumerate(sentences):
        start = article.text.index(sentence)
        claims.append(
            Claim(
                claim_id=f"{article.article_id}:c{index}",
                article_id=article.article_id,
                text=sentence,
                start=start,
                end=start + len(sentence),
                language="ar" if index == 0 else "en",
                checkworthiness=0.5 + index / 10,
                claim_type="quote" if index == 1 else "factual",
                speaker="the Foreign Minister" if index == 1 else None,
                attributed_content="The US Treasury designated Cham Wings in December 2016." if index == 1 else None,
                title=article.title,
                previous_sentence=previous,
            )
        )
        previous = sentence
    return claims


def make_passage(passage_id: int, publisher: str | None = None, text: str | None = None) -> Passage:
    """A passage of document ``doc-{passage_id}`` with full provenance."""
    return Passage(
        passage_id=passage_id,
        doc_id=f"doc-{passage_id}",
        order=0,
        text=text or f"Evidence passage number {passage_id} about Cham Wings and Haftar.",
        char_start=0,
        char_end=60,
        language="en",
        url=f"https://evidence.example.com/doc/{passage_id}",
        title=f"Document {passage_id}",
        publisher=publisher or PUBLISHERS[passage_id % len(PUBLISHERS)],
        published_at=datetime(2016, 12, 1 + passage_id % 28, tzinfo=UTC),
    )


def make_citation(passage: Passage, supports: float = 0.8, refutes: float = 0.1) -> Citation:
    """A citation of ``passage`` with the given stance."""
    stance = StanceScore(supports=supports, refutes=refutes, neutral=round(1 - supports - refutes, 6))
    return Citation(passage=passage, stance=stance, relevance=0.86, weight=0.5)


def make_verdict(
    claim: Claim,
    label: VerdictLabel,
    confidence: float = 0.8,
    passage_ids: tuple[int, ...] = (1,),
    conflicting: bool = False,
) -> Verdict:
    """A verdict on ``claim`` citing ``passage_ids`` (none when unverified)."""
    citations = () if label == "unverified" else tuple(make_citation(make_passage(pid)) for pid in passage_ids)
    return Verdict(
        claim_id=claim.claim_id,
        claim_text=claim.check_text,
        label=label,
        confidence=confidence,
        conflicting=conflicting,
        citations=citations,
        justification=f"{label} by {len(citations)} passage(s)",
        stance_model="test/stance",
        created_at=NOW,
    )


FACT_CHECK_URL = "https://misbar.example/fact-check/haftar-damascus"


def make_fact_check(passage_id: int = 50) -> Passage:
    """The opening passage of a stored fact-check (ClaimReview) by مسبار that rated the first sample claim false."""
    return Passage(
        passage_id=passage_id,
        doc_id=f"claimreview-{passage_id}",
        order=0,
        text="ادعاء وصول وفد من قوات حفتر إلى دمشق زائف: الصور المتداولة قديمة.",
        char_start=0,
        char_end=66,
        language="ar",
        url=FACT_CHECK_URL,
        title="هل وصل وفد من قوات حفتر إلى دمشق؟",
        publisher="مسبار",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        claim_reviewed="وصل وفد عسكري من قوات حفتر إلى دمشق",
        rating="زائف",
    )


def make_prior_verdict(claim: Claim, passage_ids: tuple[int, ...] = (1,)) -> Verdict:
    """A disputed verdict on ``claim`` that follows ``make_fact_check``'s rating, citing it first and then
    ``passage_ids`` as the stance model read them (as ``verify.prior.verdicts.follow_prior_check`` builds it)."""
    prior = Citation(
        passage=make_fact_check(),
        stance=StanceScore(supports=0.0, refutes=0.93, neutral=0.07),
        relevance=0.91,
        weight=1.0,
        prior_fact_check=True,
    )
    evidence = tuple(make_citation(make_passage(pid), supports=0.2, refutes=0.3) for pid in passage_ids)
    return Verdict(
        claim_id=claim.claim_id,
        claim_text=claim.check_text,
        label="disputed",
        confidence=0.93,
        citations=(prior, *evidence),
        justification=f"Previously fact-checked by مسبار on 2024-05-01: rated «زائف» (false) ({FACT_CHECK_URL}). "
        "Evidence: unverified by 1 passage(s)",
        stance_model="test/stance",
        created_at=NOW,
    )


def record_one_verdict(store: ReportStore, article: Article, claim: int = 0) -> tuple[list[Claim], str]:
    """A verify-article run (left running) over ``article``'s sample claims with one supported verdict, for claim
    number ``claim``; returns the claims and the run's id."""
    claims = make_claims(article)
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims(claims)
    verdict = make_verdict(claims[claim], "supported")
    store.record_verdicts(run_id, [(claims[claim], verdict)], embedding_model="e5", store_generation=1)
    return claims, run_id


def record_sample_run(store: ReportStore) -> str:
    """A completed verify-article run over the sample claims, machine verdicts supported, disputed and
    unverified, no reviews; returns its id."""
    article = make_article()
    claims = make_claims(article)
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims(claims)
    verdicts = [
        make_verdict(claims[0], "supported", 0.9, (1, 2)),
        make_verdict(claims[1], "disputed", 0.7, (3,)),
        make_verdict(claims[2], "unverified", 0.3),
    ]
    store.record_verdicts(run_id, list(zip(claims, verdicts, strict=True)), embedding_model="e5", store_generation=1)
    store.finish_run(run_id, "completed")
    return run_id
