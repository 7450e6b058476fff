import json
from functools import cache

import pytest
from pydantic import ValidationError

from evidence_store.ratings import _SCALE, _index, normalise_rating, rating_coverage
from tests.support.shared import shared_file

# real ratings of claimreview_ar_public.jsonl, shortened where they run on
ANIR_MISLEADING = "اتضح لأنير أن هذا الادعاء مضلل؛ حيث قمنا بالتحقق من الجهات الحكومية المعنية بحكومة الوحدة الوطنية"
YOOPYUP_MISLEADING = "تحقق يوب يوب من الادعاء ووجد أنه مضلل إذ أن موقع  vK الروسي هو شبكة تواصل اجتماعي روسية"
QATAR_FALSE = "خبر كاذب - حتى وقت كتابة هذا التقرير لا توجد أي أخبار رسمية من جانب قطر عن وقف إمدادات الغاز"
JORDAN_CORRECTION = "لم ترفع الأردن التأشيرة عن الليبيين وإنما ألغت وثيقة الموافقة المسبقة فقط"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Arabic, as published
        ("زائف", "false"),
        ("خطأ", "false"),
        ("خاطئ", "false"),
        ("خاطىء", "false"),
        ("كاذب", "false"),
        ("خبر كاذب", "false"),
        ("مفبرك", "false"),
        ("اشاعة", "false"),
        ("إشاعة", "false"),
        ("وليدة ذكاء إصطناعي", "false"),
        ("مضلل", "misleading"),
        ("تضليل", "misleading"),
        ("سياق مجتزأ", "misleading"),
        ("سياق ناقص", "misleading"),
        ("محتوى ناقص", "misleading"),
        ("معدل", "misleading"),
        ("فيديو معدّل", "misleading"),
        ("الفيديو قديم", "misleading"),
        ("نصف حقيقي", "mixed"),
        ("نص حقيقي", "mixed"),
        ("صحيح في الغالب", "mostly_true"),
        ("صحيح", "true"),
        ("حقيقي", "true"),
        ("غير مثبت", "not_checkable"),
        ("ساخر", "not_checkable"),
        ("توضيح", "not_checkable"),
        # negation and "partly" traps
        ("غير صحيح", "false"),
        ("غير صحيح جزئياً", "misleading"),
        ("غير صحيح جزئيا", "misleading"),
        ("صحيح جزئياً", "mixed"),
        ("صحيح جزئيًا", "mixed"),
        ("زائف جزئي", "misleading"),
        ("زائف جزئيًا", "misleading"),
        ("Not true", "false"),
        ("Inaccurate", "false"),
        ("Accurate", "true"),
        ("Partly true", "mixed"),
        ("Partly false", "misleading"),
        # diacritics, tatweel, feminine ending, punctuation, case
        ("مُضَلِّل", "misleading"),
        ("مضلّل", "misleading"),
        ("زَائِفٌ", "false"),
        ("صـحـيـح", "true"),
        ("مفبركة", "false"),
        ("«مضلل»", "misleading"),
        ("FALSE", "false"),
        ("  Misleading. ", "misleading"),
        ("pants on fire!", "false"),
        ("Pants-On-Fire", "false"),
        ("half-true", "mixed"),
        # PolitiFact, Snopes, AFP, Reuters, Lead Stories, Africa Check
        ("Mostly False", "misleading"),
        ("Mostly True", "mostly_true"),
        ("Mixture", "mixed"),
        ("Unproven", "not_checkable"),
        ("Miscaptioned", "misleading"),
        ("Misattributed", "false"),
        ("Outdated", "misleading"),
        ("Scam", "false"),
        ("Labeled Satire", "not_checkable"),
        ("Correct Attribution", "true"),
        ("Legend", "not_checkable"),
        ("Missing context", "misleading"),
        ("Altered", "misleading"),
        ("Satire", "not_checkable"),
        ("Fake", "false"),
        ("sarcastic", "not_checkable"),
        ("correct", "true"),
        ("Mostly correct", "mostly_true"),
        ("Exaggerated", "misleading"),
        ("No evidence", "not_checkable"),
        # French
        ("Faux", "false"),
        ("Trompeur", "misleading"),
        ("Partiellement faux", "misleading"),
        ("Plutôt vrai", "mostly_true"),
        ("Vrai", "true"),
        # long explanatory ratings: the verdict phrase decides
        (ANIR_MISLEADING, "misleading"),
        (YOOPYUP_MISLEADING, "misleading"),
        (QATAR_FALSE, "false"),
        ("تحقق يوب يوب من الادعاء ووجد أنه  خاطئ", "false"),
        ("أظهرت عملية التحقق أن الادعاء مضلل إذ أن الفيديو لا علاقة له بالحرب", "misleading"),
        ("تبين أنه غير صحيح جزئياً إذ أن الرقم الصحيح أقل", "misleading"),
        ("وجد الفريق أنه صحيح جزئيا لأن الرقم مبالغ فيه", "mixed"),
        ("تبين أن الصورة مفبركة", "false"),
        ("مضلل: الفيديو قديم ويعود إلى عام 2019", "misleading"),
        ("النتيجة: زائف", "false"),
        ("تبين أنه مضلل وليس زائفا كما قيل", "misleading"),
        ("اتضح أن هذا الادعاء مضلل؛ ثم قرر الفريق تصنيف الادعاء على أنه زائف لأن الصورة مولدة", "false"),
        ("False - the photo was taken in 2015 in another country.", "false"),
        ("Verdict: Mostly false. The figure is from 2019.", "misleading"),
        ("We rate this claim False.", "false"),
        ("Our research shows the claim is misleading because the chart omits half the data.", "misleading"),
    ],
)
def test_ratings_map_onto_the_scale(text, expected):
    rating = normalise_rating(text)
    assert rating.rating_class == expected
    assert rating.known
    assert rating.original == text


@pytest.mark.parametrize(
    "text",
    [
        JORDAN_CORRECTION,
        "لم يعتمد الاتحاد الإفريقي نتيجة هدفين مقابل صفر لصالح المنتخب الليبي",
        "الصورة حقيقية لكن التاريخ المذكور خاطئ",  # rating words, but no verdict phrase
        "تبين أنه غير مضلل",
        "True or false?",
        "Four Pinocchios",
        "نص",
        "",
        "   ",
    ],
)
def test_unknown_ratings_stay_unknown_and_keep_their_text(text):
    rating = normalise_rating(text)
    assert rating.rating_class is None
    assert not rating.known
    assert rating.original == text


def test_every_term_of_the_table_maps_to_its_own_class():
    for rating_class, terms in _SCALE.items():
        for term in terms:
            assert normalise_rating(term).rating_class == rating_class, term
            assert normalise_rating(f"تبين أنه {term}").rating_class == rating_class, term


def test_a_term_in_two_classes_is_refused():
    with pytest.raises(ValueError, match="two classes"):
        _index({"false": ("Fake",), "not_checkable": ("fake",)})


def test_ratings_are_frozen():
    rating = normalise_rating("زائف")
    with pytest.raises(ValidationError):
        rating.rating_class = "true"
    with pytest.raises(ValidationError):
        type(rating)(original="x", rating_class="wrong")


def test_coverage_counts_unknown_ratings_by_their_original_text():
    coverage = rating_coverage(["False", "زائف", "مُضَلِّل", "Four Pinocchios", JORDAN_CORRECTION, "Four Pinocchios"])
    assert (coverage.total, coverage.mapped) == (6, 3)
    assert coverage.unknown == {"Four Pinocchios": 2, JORDAN_CORRECTION: 1}
    assert coverage.share == pytest.approx(0.5)
    assert rating_coverage(iter([])).share == 0.0


@cache
def _public_ratings() -> tuple[str, ...]:
    path = shared_file("claimreview_ar_public.jsonl")
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return tuple(review["textualRating"] for record in records for review in record["reviews"])


def test_nearly_every_public_rating_maps():
    ratings = _public_ratings()
    coverage = rating_coverage(ratings)
    assert coverage.total == len(ratings) > 700
    assert coverage.share >= 0.98, coverage.unknown
    assert JORDAN_CORRECTION in coverage.unknown  # a correction sentence, not a rating: never guessed


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("خبر كاذب - حتى وقت كتابة هذا التقرير", "false"),
        ("تحقق يوب يوب من الادعاء ووجد أنه  خاطئ", "false"),
        ("تحقق يوب يوب من الإدعاء، وتبيّن أنه مضلل، إذ أن الفيديو", "misleading"),
        ("أظهرت عملية التحقق في Yoopyup  أن الادعاء مضلل", "misleading"),
        ("اتضح لأنير أن هذا الادعاء زائف؛ حيث قمنا بالتحقق من مواقع", "false"),
        ("في خضم الحرب الأهلية القائمة في دولة السودان", "false"),  # "... اتضح أنه زائف ..."
        # opens "مضلل" but closes "قرر فريق أنير تصنيف الادعاء على أنه زائف" (an AI-made image): the decision wins
        ("اتضح لأنير أن هذا الادعاء مضلل؛ حيث أن هذه الصورة ليست لمدينة سبها", "false"),
        ("اتضح لأنير أن هذا الادعاء مضلل، حيث قام فريقنا بالتحقق من الجهات المعنية", "misleading"),
    ],
)
def test_real_long_ratings_map_to_the_verdict_they_state(opening, expected):
    matches = [text for text in _public_ratings() if text.startswith(opening)]
    assert len(matches) == 1, opening
    assert normalise_rating(matches[0]).rating_class == expected
