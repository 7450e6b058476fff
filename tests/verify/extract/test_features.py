import numpy as np
import pytest

from verify.extract.claims import claim_type
from verify.extract.features import FEATURE_NAMES, feature_matrix, scoring_text, sentence_cues


def test_statistics_years_and_dates_are_told_apart():
    stats = sentence_cues("Unemployment fell to 3.5 percent in the third quarter.")
    assert stats.statistic and stats.has_number and not stats.year
    year = sentence_cues("The sanctions were imposed in 2016 by the Treasury.")
    assert year.year and not year.statistic
    date = sentence_cues("The delegation arrived on March 3 and left the next day.")
    assert date.date and not date.statistic
    arabic = sentence_cues("ارتفع عدد الإصابات إلى ٥٠٠ حالة في ١٢ مارس ٢٠٢٠")
    assert arabic.statistic and arabic.year and arabic.date and arabic.arabic
    name = sentence_cues('وفي تصريحات خاصة لـ"عربي21" كشف أن الرحلات توقفت')  # digits inside a name
    assert not name.has_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("والسؤال: ما نتيجة التنسيق بين الطرفين؟", "opinion"),
        ("Is this the right decision for the country?", "opinion"),
        ("لكن لا أظن أن الرئيس لديه شيء ليقدمه", "opinion"),
        ("ومن المتوقع أن ينسقوا المواقف بينهما", "opinion"),
        ("I think we should raise taxes on the rich.", "opinion"),
        ("The deficit rose by 40 billion dollars in two years.", "statistic"),
        ("ارتفعت نسبة البطالة إلى ١٢٪ العام الماضي", "statistic"),
        ("The airline has been under sanctions since December 2016.", "factual"),
    ],
)
def test_claim_types(text, expected):
    assert claim_type(sentence_cues(text), attributed=False) == expected


def test_attributed_fact_is_a_quote():
    assert claim_type(sentence_cues("الرحلات لم تتوقف بين دمشق وبنغازي"), attributed=True) == "quote"


def test_scoring_text_and_feature_matrix_shape():
    assert scoring_text("  قـال\u200f  https://t.co/x  هذا\n") == "قال URL هذا"
    matrix = feature_matrix(["One sentence here.", "جملة عربية هنا"])
    assert matrix.shape == (2, len(FEATURE_NAMES)) and matrix.dtype == np.float32
    assert feature_matrix([]).shape == (0, len(FEATURE_NAMES))
