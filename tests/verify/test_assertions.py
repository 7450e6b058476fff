"""What a text asserts beyond its topic: assessments, views and denials, and the stance a verdict may count."""

import pytest

from verify.extract.assertions import NEUTRAL, assesses, counted_stance, denies, introduces_a_view
from verify.types import StanceScore

TOPICAL = "أعيد افتتاح السفارة الليبية في دمشق رسمياً بحضور نائب وزير الخارجية السوري فيصل المقداد"
DENIAL = "نفت شركة أجنحة الشام السورية للطيران أن تكون قد نقلت مقاتلين سوريين إلى ليبيا على متن رحلاتها."
LEANS_SUPPORT = StanceScore(supports=0.6, refutes=0.1, neutral=0.3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الزيارة رمزية فقط، وتم الترتيب لها في مرحلة سابقة", True),
        ('هذا الوفد يأتي في إطار التعاون بين "حفتر" والنظام السوري', True),
        ("The raid was aimed at recruiting fighters for Haftar.", True),
        ("The sanctions will be lifted next year.", True),
        (TOPICAL, False),
        ("The Cham Wings plane landed at Benina airport in Benghazi on 3 March.", False),
    ],
)
def test_assessments_are_told_from_reports_of_what_happened(text, expected):
    assert assesses(text) is expected


def test_a_reporting_verb_can_present_a_statement_as_a_view():
    assert introduces_a_view("ورأى وزير التخطيط الليبي السابق، عيسى التويجر أن")
    assert introduces_a_view("The analyst argued that")
    assert not introduces_a_view("وأكد المتحدث باسم الوزارة أن")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DENIAL, True),
        ("ووصفت الشركة ما يُقال عن نقلها مسلحين بأنه إشاعات.", True),
        ("Putin denied that the Russian state was behind any fighters in Libya.", True),
        ("The ministry said a Cham Wings plane carried mercenaries to Benghazi.", False),
    ],
)
def test_denials_are_recognised(text, expected):
    assert denies(text) is expected


def test_a_passage_that_does_not_address_an_opinion_counts_as_neutral():
    assert counted_stance("الزيارة رمزية فقط", "opinion", TOPICAL, LEANS_SUPPORT) == NEUTRAL
    assert counted_stance("الزيارة رمزية فقط", "opinion", TOPICAL, LEANS_SUPPORT, restates=True) == LEANS_SUPPORT
    assessing = "قال محللون إن زيارة الوفد إلى دمشق كانت رمزية"
    assert counted_stance("الزيارة رمزية فقط", "opinion", assessing, LEANS_SUPPORT) == LEANS_SUPPORT
    assert counted_stance("أعيد افتتاح السفارة الليبية", "factual", TOPICAL, LEANS_SUPPORT) == LEANS_SUPPORT


def test_a_denial_never_counts_as_support_unless_the_claim_reports_a_denial():
    accusation = "نقلت رحلات أجنحة الشام مقاتلين سوريين إلى ليبيا"
    counted = counted_stance(accusation, "factual", DENIAL, LEANS_SUPPORT)
    assert counted.supports == 0.0 and counted.refutes == LEANS_SUPPORT.refutes
    assert counted.neutral == pytest.approx(LEANS_SUPPORT.neutral + LEANS_SUPPORT.supports)
    reported = "نفت أجنحة الشام نقل مقاتلين إلى ليبيا"
    assert counted_stance(reported, "factual", DENIAL, LEANS_SUPPORT) == LEANS_SUPPORT
