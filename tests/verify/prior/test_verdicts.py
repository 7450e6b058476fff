"""A matched prior fact-check decides the verdict, cites itself first and flags disagreement for review."""

from datetime import UTC, datetime

import pytest

from tests.support.report_factories import FACT_CHECK_URL, make_citation, make_fact_check, make_passage
from verify.prior.labels import rated_label
from verify.prior.matching import PriorMatch
from verify.prior.verdicts import apply_prior_checks, follow_prior_check
from verify.types import Citation, Verdict


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
        passage=make_fact_check().model_copy(update={"rating": rating}), probability=probability, similarity=0.93
    )


SUPPORTING = make_citation(make_passage(3), supports=0.8, refutes=0.1)


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
    assert first.prior_fact_check and first.passage.url == FACT_CHECK_URL
    assert first.cited_as == "refutes" and first.stance.refutes == pytest.approx(0.97)
    assert followed.confidence == pytest.approx(0.97) and not followed.conflicting
    assert followed.justification.startswith("Previously fact-checked by مسبار on 2024-05-01: rated «زائف» (false)")
    assert FACT_CHECK_URL in followed.justification


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
