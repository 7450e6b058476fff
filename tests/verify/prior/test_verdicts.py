"""A matched prior fact-check decides the verdict, cites itself first and flags disagreement for review."""

from datetime import UTC, datetime

import pytest

from evidence_store.types import Passage
from verify.prior.matching import PriorMatch
from verify.prior.verdicts import apply_prior_checks, follow_prior_check, rated_label
from verify.types import Citation, StanceScore, Verdict

FACT_CHECK = Passage(
    passage_id=7,
    doc_id="claimreview-0123456789abcdef",
    order=0,
    text="Fact-check by مسبار. Claim: طائرات أجنحة الشام نقلت مقاتلين إلى بنغازي. Rating: زائف.",
    char_start=0,
    char_end=80,
    language="ar",
    url="https://misbar.example/cham-wings",
    title="لا دليل على نقل مقاتلين",
    publisher="مسبار",
    published_at=datetime(2024, 3, 2, tzinfo=UTC),
    claim_reviewed="طائرات أجنحة الشام نقلت مقاتلين إلى بنغازي",
    rating="زائف",
)
EVIDENCE = Passage(
    passage_id=3,
    doc_id="doc-3",
    order=0,
    text="Cham Wings flights carried fighters to Benghazi, officials said.",
    char_start=0,
    char_end=64,
    language="en",
    url=None,
    title=None,
    publisher="Example Wire",
    published_at=datetime(2024, 1, 5, tzinfo=UTC),
)


def _verdict(label: str, citations: tuple[Citation, ...] = ()) -> Verdict:
    return Verdict(
        claim_id="c1",
        claim_text="Cham Wings flew fighters to Benghazi",
        label=label,
        confidence=0.7,
        citations=citations,
        justification="Supported by Example Wire (2024-01-05).",
        stance_model="test",
        created_at=datetime(2024, 5, 1, tzinfo=UTC),
    )


def _match(rating: str = "زائف", probability: float = 0.97) -> PriorMatch:
    return PriorMatch(
        passage=FACT_CHECK.model_copy(update={"rating": rating}), probability=probability, similarity=0.93
    )


SUPPORTING = Citation(
    passage=EVIDENCE, stance=StanceScore(supports=0.8, refutes=0.1, neutral=0.1), relevance=0.85, weight=1.0
)


@pytest.mark.parametrize(
    ("rating", "label"),
    [("زائف", "disputed"), ("Misleading", "disputed"), ("صحيح", "supported"), ("Mostly True", "supported"),
     ("نصف حقيقي", "unverified"), ("Satire", "unverified"), ("لم ترفع الأردن التأشيرة عن الليبيين", "unverified")],
)  # fmt: skip
def test_the_rating_gives_the_label(rating, label):
    followed = follow_prior_check(_verdict("unverified"), _match(rating))
    assert followed.label == label and rated_label(rating)[0] == label
    assert followed.prior_fact_check is not None and followed.prior_fact_check.passage.rating == rating


def test_the_fact_check_is_cited_first_with_its_provenance():
    followed = follow_prior_check(_verdict("unverified"), _match())
    first = followed.citations[0]
    assert first.prior_fact_check and first.passage.url == "https://misbar.example/cham-wings"
    assert first.cited_as == "refutes" and first.stance.refutes == pytest.approx(0.97)
    assert followed.confidence == pytest.approx(0.97) and not followed.conflicting
    assert followed.justification.startswith("Previously fact-checked by مسبار on 2024-03-02: rated «زائف» (false)")
    assert "https://misbar.example/cham-wings" in followed.justification


def test_evidence_pointing_the_other_way_is_flagged_for_review():
    followed = follow_prior_check(_verdict("supported", (SUPPORTING,)), _match())
    assert followed.label == "disputed" and followed.conflicting
    assert [c.prior_fact_check for c in followed.citations] == [True, False]
    assert "points the other way" in followed.justification


def test_agreeing_evidence_is_not_a_conflict():
    followed = follow_prior_check(_verdict("supported", (SUPPORTING,)), _match("صحيح"))
    assert followed.label == "supported" and not followed.conflicting


def test_claims_without_a_match_keep_their_verdict():
    plain = _verdict("supported", (SUPPORTING,))
    kept, followed = apply_prior_checks([plain, plain], [None, _match()])
    assert kept == plain and kept.prior_fact_check is None
    assert followed.label == "disputed"
    with pytest.raises(ValueError, match="one per claim"):
        apply_prior_checks([plain], [])
