from evidence_store.text.normalize import arabic_ratio, normalize_arabic, normalize_for_search


def test_diacritics_and_tatweel_are_removed():
    assert normalize_arabic("العُقُوبَاتُ الأمريـــكية") == "العقوبات الامريكيه"


def test_letter_variants_are_unified():
    assert normalize_arabic("أإآٱ ى ة ؤ ئ") == "اااا ي ه و ي"


def test_arabic_indic_digits_become_ascii():
    assert normalize_arabic("عام ٢٠١٦ و۱۹") == "عام 2016 و19"


def test_search_normalisation_folds_case_and_invisible_marks():
    assert normalize_for_search("\u200fCham WINGS\u200e") == "cham wings"


def test_arabic_ratio():
    assert arabic_ratio("abc") == 0.0
    assert arabic_ratio("دمشق") == 1.0
    assert arabic_ratio("1234") == 0.0
