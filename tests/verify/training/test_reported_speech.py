import random

from verify.training.reported_speech import frame, reported_speech_pairs
from verify.training.stance_data import NEUTRAL, REFUTES, SUPPORTS, StanceExample

_AR = StanceExample(
    "الشركة نقلت مقاتلين إلى ليبيا", "نقلت الشركة مقاتلين إلى ليبيا على متن رحلاتها", SUPPORTS, "ar", "ans_train"
)
_EN = StanceExample(
    "The airline flew fighters to Libya.", "The airline flew fighters to Libya in 2020.", SUPPORTS, "en", "x"
)


def _pairs(count: int) -> list[StanceExample]:
    return [_AR, _EN] * count


_EN_REFUTING = StanceExample(
    "The airport did not reopen.", "The airport reopened to flights on Monday.", REFUTES, "en", "x"
)


def test_a_denied_or_rumoured_passage_refutes_and_a_confirmed_one_keeps_its_stance():
    out = reported_speech_pairs(_pairs(200), 400, random.Random(1))
    by_kind = {p.source: p.label for p in out}
    assert by_kind == {
        "reported_denied": REFUTES,
        "reported_rumour": REFUTES,
        "reported_confirmed": SUPPORTS,
        "reported_both_denied": SUPPORTS,
    }
    assert len(out) == 400  # each pair of the input framed once at most, and there are 400
    for pair in out:
        original = _AR if pair.language == "ar" else _EN
        assert original.passage.rstrip(".")[1:] in pair.passage  # the evidence is kept whole inside its frame
        if pair.source == "reported_both_denied":
            assert pair.claim != original.claim and original.claim.rstrip(".")[1:] in pair.claim
        else:
            assert pair.claim == original.claim


def test_frames_follow_the_language_and_arabic_verbs_agree_with_the_actor():
    rng = random.Random(3)
    arabic = {frame("نقلت الشركة مقاتلين", "denied", rng) for _ in range(200)}
    english = {frame("The airline flew fighters.", "denied", rng) for _ in range(50)}
    assert all("نقلت الشركة مقاتلين" in text for text in arabic)
    assert all("the airline flew fighters." in text for text in english)
    assert all(not any("\u0600" <= ch <= "\u06ff" for ch in text) for text in english)
    assert any(text.startswith("نفت الحكومة") for text in arabic)  # feminine actor, feminine verb
    assert any(text.startswith("نفى الجيش") for text in arabic)  # masculine actor, masculine verb
    assert not any(text.startswith(("نفى الحكومة", "نفت الجيش")) for text in arabic)


def test_a_confirmed_refutation_still_refutes_and_a_refutation_is_never_denied():
    out = reported_speech_pairs([_EN_REFUTING] * 50, 50, random.Random(2))
    assert out and {p.source for p in out} == {"reported_confirmed", "reported_confirmed_negation"}
    assert {p.label for p in out} == {REFUTES}
    assert all("the airport reopened to flights on Monday" in p.passage for p in out)


def test_only_a_refutation_by_negation_gets_the_negation_share():
    changed_number = StanceExample("The airport reopened on Monday.", "It reopened on Friday.", REFUTES, "en", "x")
    out = reported_speech_pairs([changed_number] * 30, 30, random.Random(3))
    assert out and {p.source for p in out} == {"reported_confirmed"}


def test_a_denied_neutral_passage_stays_neutral():
    neutral = StanceExample("The airline's flights did not stop.", "The airline flew fighters.", NEUTRAL, "en", "x")
    out = reported_speech_pairs([neutral] * 40, 40, random.Random(4))
    denied = [p for p in out if p.source == "reported_denied_neutral"]
    assert denied and {p.label for p in denied} == {NEUTRAL}
    assert all("denied" in p.passage or "rejected" in p.passage or "dismissed" in p.passage for p in denied)
    assert {p.source for p in out} == {"reported_denied_neutral", "reported_confirmed"}


def test_only_single_statements_are_framed():
    question = StanceExample("Did the airline fly fighters?", "Did the airline fly fighters?", SUPPORTS, "en", "x")
    long = StanceExample("A claim.", " ".join(["word"] * 80), SUPPORTS, "en", "x")
    abstract = StanceExample("A claim.", "A short abstract sentence.", SUPPORTS, "en", "scifact_train")
    assert reported_speech_pairs([question, long, abstract], 10, random.Random(0)) == []
    neutral = StanceExample("A claim.", "Another sentence.", NEUTRAL, "en", "x")
    assert [p.label for p in reported_speech_pairs([neutral], 10, random.Random(0))] == [NEUTRAL]
