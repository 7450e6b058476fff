"""Claims judged end to end with the real embedding and stance models."""

from datetime import UTC, datetime

import pytest

from evidence_store.types import Passage, SearchHit
from tests.support.claims import standalone_claim
from verify import pipeline
from verify.stance.factory import load_stance_model
from verify.verifier import Evidence, judge

pytestmark = pytest.mark.slow


def _passage(n: int, text: str, publisher: str, language: str = "en") -> Passage:
    return Passage(
        passage_id=n,
        doc_id=f"doc-{n}",
        order=0,
        text=text,
        char_start=0,
        char_end=len(text),
        language=language,
        url=None,
        title=None,
        publisher=publisher,
        published_at=datetime(2024, 5, n + 1, tzinfo=UTC),
    )


SUPPORT = _passage(0, "The US Treasury imposed sanctions on the Syrian airline Cham Wings in 2016.", "Reuters")
REFUTE = _passage(1, "The United States has never imposed sanctions on the Syrian airline Cham Wings.", "Example Wire")
UNRELATED = _passage(2, "Libya's central bank kept interest rates unchanged in March.", "Libya Herald")
CLAIM = "فرضت الولايات المتحدة عقوبات على شركة أجنحة الشام للطيران السورية"


def test_verdicts_follow_the_evidence(settings):
    supported, disputed, nothing, unrelated, both = judge(
        [CLAIM] * 5,
        [
            [Evidence(passage=SUPPORT)],
            [Evidence(passage=REFUTE)],
            [],
            [Evidence(passage=UNRELATED)],
            [Evidence(passage=SUPPORT), Evidence(passage=REFUTE)],
        ],
        settings,
    )
    assert supported.label == "supported" and supported.citations[0].passage.doc_id == "doc-0"
    assert "Reuters (2024-05-01)" in supported.justification
    assert disputed.label == "disputed" and disputed.citations[0].passage.doc_id == "doc-1"
    assert nothing.label == "unverified" and not nothing.citations
    assert unrelated.label == "unverified" and not unrelated.citations
    assert both.label == "disputed"
    for verdict in (supported, disputed, nothing, unrelated, both):
        assert 0.0 <= verdict.confidence <= 1.0
        assert verdict.stance_model.startswith("sanad-stance-e5-lora@")
    assert all(0.0 < c.relevance <= 1.0 for c in supported.citations)


def test_evidence_found_by_search_is_judged_with_the_retrieved_calibration(settings):
    """The pipeline's evidence comes from search, so its confidence takes the temperature fitted on dev
    claims judged on retrieved passages; the label and citations stay those of the same evidence given."""
    english = load_stance_model(settings).calibration.for_language("en")
    assert english.retrieved_fitted_on and english.retrieved_temperature != 1.0
    text = "The US Treasury imposed sanctions on the Syrian airline Cham Wings."
    claim = standalone_claim(text, "a:0-67")
    [given] = judge([text], [[Evidence(passage=SUPPORT, relevance=0.9)]], settings, languages=["en"])
    hit = SearchHit(rank=1, passage=SUPPORT, fused_score=0.03, dense_score=0.9, store_generation=1)
    [searched] = pipeline.score_claims([claim], [[hit]], settings)
    assert given.label == searched.label == "supported"
    assert [c.passage for c in searched.citations] == [c.passage for c in given.citations]
    assert searched.confidence != pytest.approx(given.confidence, abs=1e-3)
    assert (given.claim_id, searched.claim_id) == (None, "a:0-67")  # the pipeline's verdicts name their claim
    assert pipeline.pair_verdicts([claim], [searched]) == [(claim, searched)]
    with pytest.raises(ValueError, match="not one per claim"):
        pipeline.pair_verdicts([claim], [given])


EMBASSY = _passage(3, "The Libyan embassy in Damascus officially reopened in March 2020.", "SANA")
SYMBOLIC = _passage(4, "The eastern Libyan delegation's visit to Damascus was only symbolic.", "Example Wire")
DENIED = _passage(5, "Cham Wings denied that its flights to Benghazi had carried Syrian fighters to Libya.", "Anadolu")


def test_an_opinion_is_decided_only_by_a_passage_that_addresses_it(settings):
    # the stance model alone reads the reopened embassy as refuting the opinion (refutes 0.89)
    opinion = "The eastern Libyan delegation's visit to Damascus was only symbolic."
    topical, addressed = judge(
        [opinion] * 2,
        [[Evidence(passage=EMBASSY)], [Evidence(passage=SYMBOLIC)]],
        settings,
        claim_types=["opinion"] * 2,
        speakers=["Mohamed Buisier"] * 2,
    )
    assert topical.label == "unverified" and not topical.citations
    assert "Mohamed Buisier" in topical.justification and "opinion" in topical.justification
    assert addressed.label == "supported" and addressed.citations[0].passage.doc_id == "doc-4"


def test_a_denial_is_never_cited_as_support_of_what_it_denies(settings):
    accusation, report = judge(
        ["Cham Wings flights to Benghazi carried Syrian fighters to Libya.", "Cham Wings denied carrying fighters."],
        [[Evidence(passage=DENIED)], [Evidence(passage=DENIED)]],
        settings,
    )
    assert all(citation.cited_as != "supports" for citation in accusation.citations)
    assert accusation.label != "supported"
    assert report.label == "supported" and report.citations[0].passage.doc_id == "doc-5"
