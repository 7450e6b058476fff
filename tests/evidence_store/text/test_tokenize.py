from evidence_store.text.tokenize import tokenize


def test_arabic_variants_share_tokens():
    # diacritics, tatweel, article and conjunction prefixes do not change the token
    forms = ["العقوبات", "العُقُوبَات", "والعقوبات", "بالعقوبات", "العقوبـــات"]
    assert len({tuple(tokenize(form)) for form in forms}) == 1


def test_alef_and_taa_marbuta_variants_match():
    assert tokenize("أجنحة") == tokenize("اجنحه")


def test_stop_words_are_dropped():
    assert tokenize("the airline of the year") == tokenize("airline year")
    assert tokenize("في دمشق") == tokenize("دمشق")


def test_english_is_stemmed_and_digits_folded():
    assert tokenize("sanctioned airlines") == tokenize("sanctions airline")
    assert tokenize("٢٠١٦") == ["2016"]


def test_no_tokens_from_punctuation():
    assert tokenize("... ، ؟ !!") == []
