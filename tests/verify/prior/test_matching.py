"""Claims matched to published fact-checks in a real store (e5), with the real EmbeddingGemma and stance models."""

from datetime import UTC, datetime, timedelta

import pytest

from evidence_store.errors import InvalidInput
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from tests.support.claims import standalone_claim
from verify import pipeline
from verify.prior.matching import load_match_model

pytestmark = pytest.mark.slow

WHEN = datetime(2024, 3, 2, tzinfo=UTC)


def _fact_check(key: str, claim: str, rating: str, publisher: str, language: str = "ar") -> DocumentInput:
    return DocumentInput(
        text=f"Fact-check by {publisher}. Claim: {claim} Rating: {rating}.",
        external_id=f"claimreview-{key}",
        url=f"https://factcheck.example/{key}",
        title=None,
        publisher=publisher,
        published_at=WHEN,
        language=language,
        claim_reviewed=claim,
        rating=rating,
    )


FACT_CHECKS = [
    _fact_check("flights", "طائرات أجنحة الشام نقلت مقاتلين سوريين إلى بنغازي في مارس 2020", "زائف", "مسبار"),
    _fact_check("gas", "قطر تهدد بوقف إمدادات الغاز عن العالم إذا لم يتوقف قصف غزة", "خبر كاذب", "فتبينوا"),
    _fact_check("power", "Electricity was cut in some European countries on Monday", "Misleading", "AFP", "en"),
    _fact_check("clinic", "وزارة الصحة الليبية افتتحت مستشفى جديدا في سبها", "صحيح", "منصة فالصو"),
]
EVIDENCE = [
    DocumentInput(
        text="Cham Wings flights from Damascus landed in Benghazi, the interior ministry said.",
        external_id="report-1",
        publisher="Libya Observer",
        published_at=WHEN,
        language="en",
    ),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory, settings, e5):
    with EvidenceStore.open(tmp_path_factory.mktemp("prior") / "store", settings, e5) as opened:
        opened.add(FACT_CHECKS + EVIDENCE)
        yield opened


def _matches(store, settings, *texts):
    claims = [standalone_claim(text, f"a:{n}", "en" if text.isascii() else "ar") for n, text in enumerate(texts)]
    return claims, pipeline.match_prior_checks(claims, store, settings)


def test_a_claim_restating_a_fact_checked_one_is_matched(store, settings):
    _, (flights, gas) = _matches(
        store,
        settings,
        "طائرات أجنحة الشام نقلت مقاتلين سوريين إلى بنغازي في مارس 2020",
        "قطر هددت بوقف إمدادات الغاز عن العالم إذا لم يتوقف قصف غزة",
    )
    assert flights is not None and flights.passage.doc_id == "claimreview-flights"
    assert gas is not None and gas.passage.doc_id == "claimreview-gas" and gas.passage.rating == "خبر كاذب"


def test_the_same_topic_with_a_specific_changed_is_not_matched(store, settings):
    _, matches = _matches(
        store,
        settings,
        "طائرات أجنحة الشام استأنفت رحلاتها إلى بنغازي عام 2021",  # a year changed
        "طائرات أجنحة الشام نقلت مقاتلين سوريين إلى طرابلس في مارس 2020",  # a place changed
        "ليس صحيحا أن قطر تهدد بوقف إمدادات الغاز عن العالم",  # the claim denied
        "وزارة الصحة الليبية أغلقت مستشفى في سبها",  # another event at the same place
    )
    assert matches == [None, None, None, None]


def test_fact_checks_are_matched_not_read_as_evidence(store, settings):
    claims = [standalone_claim("طائرات أجنحة الشام نقلت مقاتلين سوريين إلى بنغازي في مارس 2020", "b:0", "ar")]
    hits = pipeline.retrieve_evidence(claims, store, top_k=5)
    assert hits[0] and all(hit.passage.claim_reviewed is None for hit in hits[0])
    prior = pipeline.match_prior_checks(claims, store, settings)
    (verdict,) = pipeline.score_claims(claims, hits, settings, prior=prior)
    assert verdict.label == "disputed" and verdict.prior_fact_check is not None
    assert verdict.citations[0].passage.url == "https://factcheck.example/flights"
    assert verdict.justification.startswith("Previously fact-checked by مسبار on 2024-03-02: rated «زائف» (false)")


def test_prior_checks_can_be_turned_off(store, settings):
    claims, _ = _matches(store, settings)
    off = settings.model_copy(update={"prior_checks": False})
    claim = standalone_claim("طائرات أجنحة الشام نقلت مقاتلين سوريين إلى بنغازي في مارس 2020", "c:0", "ar")
    assert pipeline.match_prior_checks([claim], store, off) == [None] and claims == []


def test_claims_matched_by_a_fact_check_stored_since_their_verdict_are_found(store, settings):
    matched = standalone_claim("طائرات أجنحة الشام نقلت مقاتلين سوريين إلى بنغازي في مارس 2020", "d:0", "ar")
    other = standalone_claim("The central bank kept interest rates unchanged in March", "d:1")
    stored = max(doc.added_at for doc in store.documents() if doc.claim_reviewed)
    before, after = stored - timedelta(hours=1), stored + timedelta(hours=1)
    assert pipeline.newly_fact_checked([matched, other], [before, before], store, settings) == [matched]
    assert pipeline.newly_fact_checked([matched], [after], store, settings) == []


def test_a_claim_about_all_matches_its_check_about_some(store, settings):
    """Issue 21's example of one claim: 'all of Europe' and 'some European countries'."""
    _, (match,) = _matches(store, settings, "Electricity was cut in all of Europe on Monday")
    assert match is not None and match.passage.doc_id == "claimreview-power"


def test_claims_are_compared_with_embeddinggemma_not_the_stores_e5(store, settings):
    """The store embeds with e5; matching loads EmbeddingGemma, and its fitted model, on its own."""
    embedder = pipeline.matching_embedder(settings, store)
    assert store.embedder.name == "intfloat/multilingual-e5-small"
    assert embedder.name == "google/embeddinggemma-300m" and embedder.dimension == 768
    assert load_match_model(embedder.name).embedding_model == embedder.name


def test_matching_with_a_model_nothing_was_fitted_on_is_refused_in_one_line(store, settings):
    e5_matching = settings.model_copy(update={"prior_match_embedding_model": store.embedder.name})
    claim = standalone_claim("طائرات أجنحة الشام نقلت مقاتلين سوريين إلى بنغازي في مارس 2020", "e:0", "ar")
    with pytest.raises(InvalidInput, match="no claim-matching model was fitted on intfloat/multilingual-e5-small"):
        pipeline.match_prior_checks([claim], store, e5_matching)


def test_a_store_without_fact_checks_loads_no_matching_model(tmp_path, settings, e5):
    """Nothing is matched, and no model is loaded: this one does not exist, so loading it would fail."""
    unknown = settings.model_copy(update={"prior_match_embedding_model": "no-such/matching-model"})
    claim = standalone_claim("Cham Wings flights from Damascus landed in Benghazi", "f:0", "en")
    with EvidenceStore.open(tmp_path / "store", settings, e5) as plain:
        plain.add(EVIDENCE)
        assert not plain.has_fact_checks()
        assert pipeline.match_prior_checks([claim], plain, unknown) == [None]
