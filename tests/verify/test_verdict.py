from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store.types import Passage
from verify.calibration import VerdictCalibration
from verify.prior.matching import PriorMatch
from verify.prior.verdicts import follow_prior_check
from verify.settings import Settings
from verify.types import StanceScore, Verdict
from verify.verdict import ScoredEvidence, aggregate, relevance_gate

SETTINGS = Settings(home="/tmp/unused-sanad-home")
IDENTITY = VerdictCalibration()


def _evidence(stance: tuple[float, float, float], relevance: float = 0.9, publisher: str = "Reuters", n: int = 0):
    passage = Passage(
        passage_id=n,
        doc_id=f"doc-{n}",
        order=0,
        text=f"Passage number {n} about Cham Wings flights to Benghazi.",
        char_start=0,
        char_end=50,
        language="en",
        url=None,
        title=None,
        publisher=publisher,
        published_at=datetime(2024, 3, 1, tzinfo=UTC),
    )
    s, r, u = stance
    return ScoredEvidence(passage=passage, relevance=relevance, stance=StanceScore(supports=s, refutes=r, neutral=u))


def _verdict(*evidence: ScoredEvidence) -> Verdict:
    return aggregate("Cham Wings flies to Benghazi.", list(evidence), IDENTITY, SETTINGS, "test-model")


def test_no_evidence_is_unverified_never_supported():
    verdict = _verdict()
    assert verdict.label == "unverified"
    assert verdict.citations == ()
    assert "No evidence" in verdict.justification


def test_strong_relevant_support_is_supported_and_cites_with_publisher_and_date():
    verdict = _verdict(_evidence((0.9, 0.05, 0.05), publisher="Reuters"), _evidence((0.1, 0.1, 0.8), n=1))
    assert verdict.label == "supported"
    assert [c.passage.passage_id for c in verdict.citations] == [0]
    assert verdict.citations[0].weight == pytest.approx(1.0)
    assert "Reuters (2024-03-01)" in verdict.justification
    assert verdict.confidence > 0.5


def test_strong_refutation_is_disputed_and_cites():
    verdict = _verdict(_evidence((0.05, 0.9, 0.05)))
    assert verdict.label == "disputed"
    assert not verdict.conflicting
    assert verdict.citations and verdict.citations[0].stance.label == "refutes"
    assert verdict.justification.startswith("Contradicted by")


def test_strong_evidence_both_ways_is_disputed_and_conflicting():
    verdict = _verdict(_evidence((0.9, 0.05, 0.05), publisher="AFP", n=0), _evidence((0.05, 0.9, 0.05), n=1))
    assert verdict.label == "disputed"
    assert verdict.conflicting
    assert {c.stance.label for c in verdict.citations} == {"supports", "refutes"}
    assert "AFP" in verdict.justification and "Reuters" in verdict.justification


def test_irrelevant_passage_cannot_decide_however_sure_its_stance():
    floor = SETTINGS.verdict_relevance_floor
    verdict = _verdict(_evidence((0.99, 0.005, 0.005), relevance=floor - 0.05))
    assert verdict.label == "unverified"
    assert "relevant enough" in verdict.justification
    assert relevance_gate(floor - 0.05, SETTINGS) == 0.0
    assert relevance_gate(SETTINGS.verdict_relevance_full + 0.01, SETTINGS) == 1.0


def test_a_passage_far_less_relevant_than_the_best_one_cannot_decide():
    margin = SETTINGS.verdict_relevance_margin
    best = _evidence((0.1, 0.05, 0.85), relevance=0.93)  # about this very event: no stance
    neighbour = _evidence((0.05, 0.95, 0.0), relevance=0.93 - margin - 0.01, n=1)  # a neighbouring event
    assert _verdict(best, neighbour).label == "unverified"
    close = _evidence((0.05, 0.95, 0.0), relevance=0.93 - margin / 4, n=1)
    assert _verdict(best, close).label == "disputed"
    assert relevance_gate(0.90, SETTINGS, best_relevance=0.90 + margin / 2) == pytest.approx(0.5)
    assert relevance_gate(0.90, SETTINGS, best_relevance=0.90) == 1.0


def test_only_weak_or_neutral_evidence_is_unverified():
    weak = SETTINGS.verdict_min_strength - 0.05
    verdict = _verdict(_evidence((weak, 0.0, 1 - weak)), _evidence((0.0, weak, 1 - weak), n=1))
    assert verdict.label == "unverified"
    assert verdict.citations == ()


def test_a_calibration_bias_cannot_make_weak_evidence_decisive():
    biased = VerdictCalibration(bias=(8.0, 0.0, 0.0))
    verdict = aggregate("claim", [_evidence((0.1, 0.0, 0.9))], biased, SETTINGS, "test-model")
    assert verdict.label == "unverified"


def test_more_relevant_evidence_gives_more_confidence():
    low = _verdict(_evidence((0.9, 0.05, 0.05), relevance=SETTINGS.verdict_relevance_floor + 0.03))
    high = _verdict(_evidence((0.9, 0.05, 0.05), relevance=0.95))
    assert low.label == high.label == "supported"
    assert high.confidence > low.confidence


def test_evidence_from_search_takes_the_retrieved_temperature():
    calibration = VerdictCalibration(retrieved_temperature=5.0)
    evidence = [_evidence((0.9, 0.05, 0.05)), _evidence((0.2, 0.1, 0.7), n=1)]
    given = aggregate("claim", evidence, calibration, SETTINGS, "test-model")
    searched = aggregate("claim", evidence, calibration, SETTINGS, "test-model", retrieved=True)
    assert given.label == searched.label == "supported"
    assert given.citations == searched.citations
    assert searched.confidence < given.confidence
    assert given.confidence == _verdict(*evidence).confidence  # given evidence: the retrieved temperature unused


def test_decisive_verdict_without_citation_is_rejected_by_the_type():
    with pytest.raises(ValueError):
        Verdict(
            claim_text="x",
            label="supported",
            confidence=0.9,
            justification="x",
            stance_model="m",
            created_at=datetime.now(UTC),
        )


def test_a_decided_verdict_also_cites_the_strongest_passage_against_it():
    support = _evidence((0.85, 0.1, 0.05), publisher="AFP", n=0)
    weaker_denial = _evidence((0.2, 0.45, 0.35), publisher="Reuters", n=1)  # citeable, below the conflict strength
    verdict = _verdict(support, weaker_denial)
    assert verdict.label == "supported" and not verdict.conflicting
    assert [c.stance.label for c in verdict.citations] == ["supports", "refutes"]
    assert verdict.justification.startswith("Supported by AFP")
    assert "Against it: Reuters (2024-03-01) contradicts the claim (0.45)" in verdict.justification
    alone = _verdict(support, _evidence((0.1, 0.1, 0.8), n=1))  # nothing citeable against it
    assert [c.stance.label for c in alone.citations] == ["supports"] and "Against it" not in alone.justification


def test_a_passage_leaning_to_the_verdict_is_not_also_cited_against_it():
    # the English run of issue 23: a passage with supports 0.5 and refutes 0.4 was cited for the verdict and again,
    # last, "against it" — twice, both times shown as supporting, while the justification said it contradicts
    strong = _evidence((0.9, 0.05, 0.05), publisher="AFP", n=0)
    mixed = _evidence((0.5, 0.4, 0.1), publisher="BBC", n=1)
    verdict = _verdict(strong, mixed)
    assert verdict.label == "supported"
    assert [c.passage.passage_id for c in verdict.citations] == [0, 1]
    assert [c.cited_as for c in verdict.citations] == ["supports", "supports"]
    assert "Against it" not in verdict.justification


def test_the_same_passage_given_twice_is_cited_once():
    verdict = _verdict(_evidence((0.9, 0.05, 0.05), n=3), _evidence((0.9, 0.05, 0.05), n=3))
    assert [c.passage.passage_id for c in verdict.citations] == [3]
    assert verdict.citations[0].weight == pytest.approx(1.0)


_STANCES = st.tuples(st.floats(0, 1), st.floats(0, 1)).map(lambda p: (p[0] * (1 - p[1]), p[1] * (1 - p[0])))


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), _STANCES, st.floats(0.7, 1.0)), max_size=8))
def test_citations_are_distinct_and_agree_with_the_justification(items):
    evidence = [
        _evidence((s, r, max(0.0, 1.0 - s - r)), relevance=rel, publisher=f"P{n}", n=n) for n, (s, r), rel in items
    ]
    verdict = _verdict(*evidence)
    ids = [c.passage.passage_id for c in verdict.citations]
    assert len(ids) == len(set(ids))
    side = {"supported": "supports", "disputed": "refutes"}.get(verdict.label)
    if side and not verdict.conflicting:
        *shown, last = verdict.citations
        against = "Against it:" in verdict.justification
        assert all(c.cited_as == side for c in (shown if against else verdict.citations))
        if against:
            assert last.cited_as != side
            stance = "contradicts" if side == "supports" else "supports"
            assert f"Against it: {last.passage.publisher} (2024-03-01) {stance}" in verdict.justification
    if verdict.conflicting:
        assert {c.cited_as for c in verdict.citations} == {"supports", "refutes"}


def test_a_fact_check_found_by_search_too_is_cited_once():
    fact_check = _evidence((0.1, 0.8, 0.1), publisher="Misbar", n=7)
    verdict = _verdict(fact_check, _evidence((0.05, 0.9, 0.05), n=1))
    assert 7 in [c.passage.passage_id for c in verdict.citations]  # search cited the fact-check as evidence
    match = PriorMatch(
        passage=fact_check.passage.model_copy(update={"rating": "زائف"}), probability=0.95, similarity=0.9
    )
    followed = follow_prior_check(verdict, match)
    ids = [c.passage.passage_id for c in followed.citations]
    assert ids[0] == 7 and followed.citations[0].prior_fact_check and len(ids) == len(set(ids))
