from verify.extract.compound import split_clauses


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
