"""Sentence segmentation of article text as claim extraction uses it (evidence_store's segmenter)."""

import pytest

from evidence_store.text.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[span.start : span.end] for span in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ارتفعت النسبة إلى ٣٫٥ بالمئة في ٢٠٢٠. وقال الوزير إن الأرقام دقيقة.",
            ["ارتفعت النسبة إلى ٣٫٥ بالمئة في ٢٠٢٠.", "وقال الوزير إن الأرقام دقيقة."],
        ),
        (
            "ارتفعت النسبة إلى 3.5% العام الماضي… لكن الحكومة لم تعلق.",
            ["ارتفعت النسبة إلى 3.5% العام الماضي…", "لكن الحكومة لم تعلق."],
        ),
        (
            "وأكد أ. د. محمد علي أن الدراسة انتهت، وأن النتائج ستنشر. وتابع أن العينة كبيرة.",
            ["وأكد أ. د. محمد علي أن الدراسة انتهت، وأن النتائج ستنشر.", "وتابع أن العينة كبيرة."],
        ),
        (
            'قال «الرحلات لم تتوقف. أبدا». وأضاف: "لا جديد!" ثم غادر.',
            ["قال «الرحلات لم تتوقف. أبدا».", 'وأضاف: "لا جديد!"', "ثم غادر."],
        ),
        ("ما هو السؤال؟ هذا هو الجواب!", ["ما هو السؤال؟", "هذا هو الجواب!"]),
        (
            "Prof. Ahmed and Mr. Smith met at 10 a.m. on Monday. They agreed.",
            ["Prof. Ahmed and Mr. Smith met at 10 a.m. on Monday.", "They agreed."],
        ),
        (
            "The rate was 4.5 percent vs. 3.2 percent. Officials said so.",
            ["The rate was 4.5 percent vs. 3.2 percent.", "Officials said so."],
        ),
        ('He asked: "Is it true?" Nobody answered.', ['He asked: "Is it true?"', "Nobody answered."]),
        (
            "Mixed text: وفد حفتر in Damascus. Then الوفد غادر.",
            ["Mixed text: وفد حفتر in Damascus.", "Then الوفد غادر."],
        ),
    ],
)
def test_article_sentences(text, expected):
    assert sentences(text) == expected
