from verify.extract.clean import clean_text, normalize_text

ARABIC_PAGE = """هذا الموقع يستخدم ملفات تعريف الارتباط لتحسين تجربتك
وصل وفد عسكري ليبي إلى دمشق يوم الأحد في زيارة هي الأولى منذ سنوات، والتقى بوزير الخارجية السوري وعدد من المسؤولين.
المطار والرحلات
قالت مصادر في المطار إن ثلاث رحلات هبطت في بنغازي خلال الأسبوع الماضي قادمة من دمشق على متن طائرات مستأجرة.
إقرأ أيضاً: وزير الخارجية يستقبل وفدا من بنغازي
شارك المقال
تصوير: وكالة الأنباء الليبية
هذا الموقع يستخدم ملفات تعريف الارتباط لتحسين تجربتك"""

ENGLISH_PAGE = """We use cookies to improve your experience. Accept all
By Jane Doe
Updated 12:30 GMT
Flights resumed
Three charter flights landed in Benghazi last week from Damascus, airport officials said on Monday.
Read more: Libya's eastern government opens embassy in Syria
The airline has been under United States sanctions since December 2016, according to the Treasury.
Photo: Reuters
Share this article
Advertisement
Three charter flights landed in Benghazi last week from Damascus, airport officials said on Monday."""


def lines(text: str) -> list[str]:
    return text.split("\n")


def test_arabic_banner_heading_read_also_share_and_credit_are_removed():
    cleaned = clean_text(ARABIC_PAGE)
    assert lines(cleaned.text) == [
        "وصل وفد عسكري ليبي إلى دمشق يوم الأحد في زيارة هي الأولى منذ سنوات، "
        "والتقى بوزير الخارجية السوري وعدد من المسؤولين.",
        "قالت مصادر في المطار إن ثلاث رحلات هبطت في بنغازي خلال الأسبوع الماضي قادمة من دمشق على متن طائرات مستأجرة.",
    ]
    reasons = {removal.line: removal.reason for removal in cleaned.removed}
    assert reasons["المطار والرحلات"] == "heading"
    assert reasons["إقرأ أيضاً: وزير الخارجية يستقبل وفدا من بنغازي"] == "furniture"
    assert reasons["شارك المقال"] == "furniture"
    assert reasons["تصوير: وكالة الأنباء الليبية"] == "furniture"
    assert [r.reason for r in cleaned.removed if r.line.startswith("هذا الموقع")] == ["repeated", "repeated"]


def test_english_furniture_is_removed_and_a_long_repeat_keeps_its_first_copy():
    cleaned = clean_text(ENGLISH_PAGE)
    assert lines(cleaned.text) == [
        "Three charter flights landed in Benghazi last week from Damascus, airport officials said on Monday.",
        "The airline has been under United States sanctions since December 2016, according to the Treasury.",
    ]
    removed = [removal.line for removal in cleaned.removed]
    for furniture in ("By Jane Doe", "Updated 12:30 GMT", "Flights resumed", "Photo: Reuters", "Advertisement"):
        assert furniture in removed
    assert cleaned.first_heading == "Flights resumed"  # only furniture before it: it is the title


def test_sentence_openings_that_resemble_cues_are_kept():
    text = (
        "Share prices rose sharply in Tripoli after the central bank said it would unify the exchange rate.\n"
        "شارك الرئيس في القمة العربية التي عقدت في الجزائر بحضور ممثلين عن اثنتين وعشرين دولة عضوا.\n"
        "By 2030 the country plans to produce two million barrels of oil a day, the ministry said."
    )
    assert clean_text(text).text == text


def test_a_heading_before_the_body_is_offered_as_title():
    body = "A delegation of Libyan officers and politicians arrived in Damascus on Sunday for talks."
    text = "Haftar delegation visits Damascus\n" + body
    cleaned = clean_text(text)
    assert cleaned.first_heading == "Haftar delegation visits Damascus"
    assert cleaned.text.startswith("A delegation")


def test_short_text_without_a_body_is_not_treated_as_headings():
    assert clean_text("Unemployment rose to 5 percent").text == "Unemployment rose to 5 percent"


def test_normalisation_of_marks_tatweel_spaces_and_line_breaks():
    raw = '\ufeff\u200fقـــال   الوزير\u00a0إن الرحلات لـ"عربي21" توقفت\r\n\r\n  ٢٠٢٠  \u2029end'
    assert normalize_text(raw) == 'قال الوزير إن الرحلات لـ"عربي21" توقفت\n٢٠٢٠\nend'


def test_lines_without_words_are_fragments():
    cleaned = clean_text(
        "12:30\n٢٠٢٠/٣/٥\n" + "The ministry said the flights had stopped in March after the sanctions."
    )
    assert [r.reason for r in cleaned.removed] == ["fragment", "fragment"]


def test_empty_text():
    cleaned = clean_text("   \n\t")
    assert cleaned.text == "" and cleaned.removed == ()
