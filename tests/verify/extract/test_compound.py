import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from verify.extract.compound import _JOINS, _WORD, split_clauses
from verify.extract.lexicon import match_view


def clauses(text: str) -> list[str]:
    return [text[start:end] for start, end in split_clauses(text, 0, len(text))]


def test_arabic_compound_splits_at_clause_connectives_not_at_every_comma():
    text = (
        "الرحلات لم تتوقف بين دمشق وبنغازي، وتحديدا على خطوط الشركة المفروض عليها عقوبات أمريكية، "
        "فالتواصل ليس جديدا بين البلدين منذ سنوات طويلة، لذا حفتر وبشار الآن في خندق واحد، "
        "ومن المتوقع أن ينسقوا المواقف والعمليات المشتركة بينهما"
    )
    assert clauses(text) == [
        "الرحلات لم تتوقف بين دمشق وبنغازي، وتحديدا على خطوط الشركة المفروض عليها عقوبات أمريكية",
        "فالتواصل ليس جديدا بين البلدين منذ سنوات طويلة",
        "لذا حفتر وبشار الآن في خندق واحد",
        "ومن المتوقع أن ينسقوا المواقف والعمليات المشتركة بينهما",
    ]


def test_english_compound_and_short_tail_stays_joined():
    text = (
        "The economy grew by 3 percent last year, but unemployment rose to 7 percent in the south; officials blamed it."
    )
    assert clauses(text) == [
        "The economy grew by 3 percent last year",
        "but unemployment rose to 7 percent in the south; officials blamed it.",
    ]


def test_lists_and_short_sentences_do_not_split():
    text = "The delegation met ministers, generals and bankers, and visited the airport."
    assert clauses(text) == [text]


def test_spans_are_offsets_into_the_text():
    text = "Prefix. The army said the road was open, while the police said it was closed to all traffic."
    spans = split_clauses(text, 8, len(text))
    assert [text[s:e] for s, e in spans] == [
        "The army said the road was open",
        "while the police said it was closed to all traffic.",
    ]


# ------------------------------------------------------------------ linear in the sentence (issue 22)


def _reference_split(text: str, start: int, end: int, min_words: int = 6) -> list[tuple[int, int]]:
    """The rule as first written (folds the whole text, recounts from the last cut at every join)."""
    view = match_view(text)
    cuts = [start]
    for match in _JOINS.finditer(view, start, end):
        if len(_WORD.findall(view[cuts[-1] : match.start()])) >= min_words:
            cuts.append(match.end())
    if len(cuts) > 1 and len(_WORD.findall(view[cuts[-1] : end])) < min_words:
        cuts.pop()
    spans = []
    for left, right in itertools.pairwise([*cuts, end]):
        stop = right
        while stop > left and (view[stop - 1].isspace() or view[stop - 1] in "،,;؛"):
            stop -= 1
        spans.append((left, stop))
    return spans


PIECE = st.sampled_from(["word", "كلمة", "، لكن", ", but", "; ", "؛", " ", "١٢", "فالأمر", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECE, max_size=60).map(" ".join), st.data())
def test_clauses_are_those_of_the_rule_as_first_written(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    min_words = data.draw(st.integers(1, 8))
    assert split_clauses(text, start, end, min_words) == _reference_split(text, start, end, min_words)


def test_a_sentence_of_many_short_clauses_is_split_in_one_pass():
    # 600 KB of "a; ": every join recounted the words since the last cut, and each sentence folded the
    # whole article, so this took hours.
    sentence = "word; " * 100_000
    spans = split_clauses(sentence, 0, len(sentence))
    assert spans[:-1] == [(offset, offset + 34) for offset in range(0, 16_665 * 36, 36)]  # six words each
    assert spans[-1] == (16_665 * 36, len(sentence) - 2)  # the last ten: four alone would be too short
