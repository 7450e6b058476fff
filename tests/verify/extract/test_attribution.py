import pytest

from verify.extract.attribution import find_attribution, trim_span


def said(sentence: str) -> tuple[str | None, str] | None:
    found = find_attribution(sentence)
    return None if found is None else (found.speaker, sentence[found.content_start : found.content_end])


@pytest.mark.parametrize(
    ("sentence", "speaker", "content"),
    [
        # verb first, speaker after the verb, content after أن
        (
            'من جانبه أكد المتحدث باسم الجيش، العميد أحمد سالم أن "الرحلات لم تتوقف بين دمشق وبنغازي".',
            "المتحدث باسم الجيش، العميد أحمد سالم",
            "الرحلات لم تتوقف بين دمشق وبنغازي",
        ),
        # subject first, إلى أن
        (
            "لكن أستاذ العلوم السياسية، سامي علي أشار إلى أن هناك رغبة في بناء تحالفات جديدة.",
            "أستاذ العلوم السياسية، سامي علي",
            "هناك رغبة في بناء تحالفات جديدة",
        ),
        # addressee phrase after the speaker is not part of the speaker; إن after قالت
        (
            "وقالت وزارة الصحة في بيان إن عدد الإصابات ارتفع إلى ٥٠٠ حالة.",
            "وزارة الصحة",
            "عدد الإصابات ارتفع إلى ٥٠٠ حالة",
        ),
        # colon after an addressee; no named speaker; trailing "كما صرح" is not content
        (
            'وحول دلالة الزيارة، قال لـ"عربي21": "الزيارة رمزية فقط وليست جديدة"، كما صرح.',
            None,
            "الزيارة رمزية فقط وليست جديدة",
        ),
        # tatweel-free feminine verb with a pronoun subject
        ("وأوضحت في تصريحات صحفية أن الوفد وصل إلى دمشق يوم الأحد.", None, "الوفد وصل إلى دمشق يوم الأحد"),
        ("بحسب وزارة الصحة، ارتفع عدد الإصابات إلى 500 حالة.", "وزارة الصحة", "ارتفع عدد الإصابات إلى 500 حالة"),
        (
            "The minister said on Monday that unemployment fell to 5 percent.",
            "The minister",
            "unemployment fell to 5 percent",
        ),
        ('"We will not leave the city," said John Smith.', "John Smith", "We will not leave the city"),
        (
            "Unemployment fell to 5 percent last year, the minister said.",
            "the minister",
            "Unemployment fell to 5 percent last year",
        ),
        ("According to the World Bank, growth slowed to 2 percent.", "the World Bank", "growth slowed to 2 percent"),
        ("Growth slowed to 2 percent, according to the World Bank.", "the World Bank", "Growth slowed to 2 percent"),
        ("He told reporters that the border was closed on Friday.", None, "the border was closed on Friday"),
        (
            "John Smith, the airport director, said that three flights landed.",
            "John Smith, the airport director",
            "three flights landed",
        ),
        (
            "Traders welcomed the flights, but the opposition said the planes carried fighters.",
            "the opposition",
            "the planes carried fighters",
        ),
    ],
)
def test_speaker_and_content(sentence, speaker, content):
    assert said(sentence) == (speaker, content)


@pytest.mark.parametrize(
    "sentence",
    [
        "وصل وفد عسكري ليبي إلى دمشق يوم الأحد في زيارة هي الأولى منذ سنوات.",
        'ووصل مدير المخابرات إلى دمشق لدحر ما أسموهم المجموعات الإرهابية"، وفق زعمهم.',
        "التقى الوفد بمسؤولين بين دمشق وبنغازي.",
        "Three charter flights landed in Benghazi last week.",
        "The talks covered trade, security and flights.",
        "The airline has been under United States sanctions since December 2016.",  # "States" is not "states"
        "The reports show that prices rose across the region.",  # a noun, not a reporting verb
    ],
)
def test_sentences_without_attribution(sentence):
    assert find_attribution(sentence) is None


def test_trim_span_strips_enclosing_and_unbalanced_quotes_only():
    text = '"حفتر" نجح في استغلال الوجود التركي'
    assert trim_span(text, 0, len(text)) == (0, len(text))  # a quoted name at the start stays
    text = '"الزيارة رمزية فقط، وليست جديدة'
    assert text[slice(*trim_span(text, 0, len(text)))] == "الزيارة رمزية فقط، وليست جديدة"
    text = "«الرحلات لم تتوقف»."
    assert text[slice(*trim_span(text, 0, len(text)))] == "الرحلات لم تتوقف"
    text = '"A "B" C"'
    assert text[slice(*trim_span(text, 0, len(text)))] == 'A "B" C'


def test_an_unpunctuated_page_is_not_one_reported_statement():
    # 370 KB without a sentence end: each of its 10,000 reporting verbs recounted every word (hours).
    sentence = "a b c d e f g h i j k l m n o p said " * 10_000
    assert find_attribution(sentence) is None
    assert find_attribution(sentence[-60:] + "the plan would work.") is not None  # an ordinary one still is
