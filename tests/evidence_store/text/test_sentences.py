from evidence_store.text.sentences import split_sentences


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
