from hypothesis import given
from hypothesis import strategies as st

from evidence_store.text.sentences import _next_visible, split_sentences


def sentences(text: str) -> list[str]:
    return [text[span.start : span.end] for span in split_sentences(text)]


def test_english_abbreviations_and_decimals_do_not_split():
    text = "The U.S. Treasury acted on Dec. 23, 2016. Dr. Smith said growth was 3.5 percent. J. Doe agreed."
    assert sentences(text) == [
        "The U.S. Treasury acted on Dec. 23, 2016.",
        "Dr. Smith said growth was 3.5 percent.",
        "J. Doe agreed.",
    ]


def test_english_quotes_stay_whole():
    text = 'He said "It flew twice. Then it stopped!" Officials denied it. Was it true?'
    assert sentences(text) == ['He said "It flew twice. Then it stopped!"', "Officials denied it.", "Was it true?"]


def test_arabic_splits_on_arabic_question_mark_not_on_comma():
    text = "وصل الوفد إلى دمشق، والتقى بالمسؤولين. ما نتيجة الزيارة؟ لا أحد يعرف!"
    assert sentences(text) == ["وصل الوفد إلى دمشق، والتقى بالمسؤولين.", "ما نتيجة الزيارة؟", "لا أحد يعرف!"]


def test_arabic_guillemets_and_doctor_abbreviation():
    text = "قال د. محمد إن «الرحلات لم تتوقف. أبدا» في حديثه. وأضاف أن الأمر جديد."
    assert sentences(text) == ["قال د. محمد إن «الرحلات لم تتوقف. أبدا» في حديثه.", "وأضاف أن الأمر جديد."]


def test_arabic_ascii_quotes_with_attached_prefix_stay_whole():
    text = 'وقال لـ"عربي21": "الزيارة رمزية. وليست جديدة"، كما صرح. وانتهى اللقاء.'
    assert sentences(text) == ['وقال لـ"عربي21": "الزيارة رمزية. وليست جديدة"، كما صرح.', "وانتهى اللقاء."]


def test_line_breaks_end_sentences_and_spans_are_exact():
    text = "  عنوان قصير\nجملة أولى. جملة ثانية…  \n\n Last line"
    spans = split_sentences(text)
    assert [text[s.start : s.end] for s in spans] == ["عنوان قصير", "جملة أولى.", "جملة ثانية…", "Last line"]
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans)


def test_empty_and_whitespace():
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


# ------------------------------------------------------------------ linear at the size limits (issue 22)


@given(st.text(alphabet=" \t\u00a0\u2003a.،؟", max_size=40), st.integers(min_value=0, max_value=45))
def test_the_next_visible_character_is_found_without_copying_the_line(line, start):
    assert _next_visible(line, start) == line[start:].lstrip()[:1]


def test_a_one_line_text_at_the_article_limit_splits_in_one_pass():
    # 2.9 MB on one line: copying the rest of the line at each of its 90,000 sentence ends took minutes.
    text = " ".join(f"Sentence number {index} ends here." for index in range(90_000))
    spans = split_sentences(text)
    assert len(spans) == 90_000
    assert text[spans[-1].start : spans[-1].end] == "Sentence number 89999 ends here."
