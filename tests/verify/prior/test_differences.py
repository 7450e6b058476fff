"""Statements on one topic that differ in a specific are different claims, whatever their similarity."""

import pytest

from verify.prior.matching import differences
from verify.prior.places import places


@pytest.mark.parametrize(
    ("claim", "reviewed", "found"),
    [
        (
            "Cham Wings resumed flights to Benghazi in 2021",
            "Cham Wings flew fighters to Benghazi in March 2020",
            ("year",),
        ),
        (
            "أجنحة الشام استأنفت رحلاتها إلى بنغازي عام 2021",
            "أجنحة الشام نقلت مقاتلين إلى بنغازي في مارس 2020",
            ("year",),
        ),
        (
            "A video shows celebrations in Yemen after the ceasefire",
            "A video shows celebrations in Gaza after the ceasefire",
            ("place",),
        ),
        ("فيديو لاحتفالات في اليمن بعد وقف إطلاق النار", "فيديو لاحتفالات في غزة بعد وقف إطلاق النار", ("place",)),
        ("The ministry hired 300 teachers", "The ministry hired 12 teachers", ("number",)),
        ("حزمة اقتصادية قيمتها 50 مليون درهم", "حزمة اقتصادية قيمتها 50 مليار درهم", ("number",)),
        ("The fund spent 3 million dollars", "The fund spent 3 billion dollars", ("number",)),
        ("لم تتوقف رحلات أجنحة الشام إلى بنغازي", "توقفت رحلات أجنحة الشام إلى بنغازي", ("negation",)),
        ("Electricity was cut in all of Europe", "Electricity was cut in some European countries", ()),
        ("فيديو لاحتفالات في غزة", "مقطع يظهر احتفالات أهالي غزة بعد الاتفاق", ()),
        ("Cham Wings flew fighters to Benghazi in March 2020", "Cham Wings carried fighters to Benghazi", ()),
        (  # a place more on one side is another claim (counting it as detail cost precision: model card)
            "مروحية تلقي في البحر جثث مرتزقة قتلوا في ليبيا بعدما أرسلتهم أنقرة",
            "مروحية تلقي في البحر جثث مرتزقة قتلوا في ليبيا",
            ("place",),
        ),
    ],
)
def test_differences(claim, reviewed, found):
    assert differences(claim, reviewed) == found


def test_places_are_found_with_joined_prefixes_in_both_scripts():
    assert places("رحلات من دمشق إلى بنغازي ولليبيا") == {"دمشق", "بنغازي", "ليبيا"}
    assert places("Flights from Damascus to Benghazi") == {"damascus", "benghazi"}
    assert places("مغني إسرائيلي") == set()  # an adjective is not the place
