"""The issue's "done when" on the sample article, with the real e5 model and the shipped head."""

import pytest

from evidence_store.text.sentences import split_sentences
from tests.support.shared import SAMPLE_ARTICLE
from verify.extract.claims import extract_claims
from verify.extract.intake import read_article

pytestmark = pytest.mark.slow

HEADINGS = ("تنسيق وتعاون", "مرتزقة وعمليات مشتركة", "شحنات جديدة", "تكوين نواة ممانعة")


@pytest.fixture(scope="module")
def article(settings):
    if not SAMPLE_ARTICLE.exists():
        pytest.skip(f"sample article {SAMPLE_ARTICLE} is not available on this machine")
    return read_article(str(SAMPLE_ARTICLE), settings)


@pytest.fixture(scope="module")
def claims(article, settings, e5):
    return extract_claims(article, settings)


@pytest.fixture(scope="module")
def all_claims(article, settings, e5):
    return extract_claims(article, settings, min_score=0.0)


def sentence_index(article, claim) -> int:
    return next(i for i, span in enumerate(split_sentences(article.text)) if span.start <= claim.start < span.end)


def test_no_banner_read_also_or_heading_line_is_a_claim(article, all_claims):
    assert len(all_claims) >= 12
    for claim in all_claims:
        assert "ملف تعريف الارتباط" not in claim.text
        assert not claim.text.startswith("اقرأ أيضا")
        assert all(heading not in claim.text for heading in HEADINGS)
    assert sum("ملف تعريف الارتباط" in line for line in article.removed_lines) == 2
    assert sum(line.startswith("اقرأ أيضا") for line in article.removed_lines) == 2
    assert all(any(heading in line for line in article.removed_lines) for heading in HEADINGS)


def test_spans_point_at_the_claim_text(article, all_claims):
    assert article.language == "ar"
    for claim in all_claims:
        assert article.text[claim.start : claim.end] == claim.text
        assert claim.language == "ar" and claim.article_id == article.article_id


@pytest.mark.parametrize(("name", "statements"), [("قنونو", 2), ("التويجر", 2), ("بوحنية قوي", 2), ("بويصير", 1)])
def test_attributed_statements_come_out_with_their_speakers(article, claims, name, statements):
    said = [claim for claim in claims if claim.speaker and name in claim.speaker]
    assert len({sentence_index(article, claim) for claim in said}) == statements, [c.text[:50] for c in said]
    for claim in said:
        assert claim.attributed_content and claim.attributed_content in article.text
        assert name not in claim.attributed_content  # the speaker is separated from what they said


def test_cham_wings_flights_and_the_delegation_visit_are_among_the_top_claims(claims):
    top = [claim.text for claim in claims[:5]]
    assert any("أجنحة الشام" in text for text in top), top
    assert any(text.startswith(("أثارت زيارة", "ووصل مدير مخابرات")) for text in top), top


def test_questions_and_predictions_rank_low(claims, all_claims):
    questions = [claim for claim in all_claims if claim.text.endswith("؟")]
    assert len(questions) == 2
    assert all(claim.claim_type == "opinion" and claim not in claims for claim in questions)
    (prediction,) = [claim for claim in all_claims if claim.text.startswith("ومن المتوقع")]
    assert prediction.claim_type == "opinion" and prediction not in claims


def test_compound_quote_splits_into_clauses_that_keep_speaker_and_context(article, all_claims):
    first_statement = sorted(
        (c for c in all_claims if c.speaker and "قنونو" in c.speaker and "الرحلات لم تتوقف" in article.text[: c.end]),
        key=lambda claim: claim.start,
    )
    first_sentence = [
        c for c in first_statement if sentence_index(article, c) == sentence_index(article, first_statement[0])
    ]
    assert len(first_sentence) >= 3
    assert first_sentence[0].text.startswith("من جانبه أكد")
    assert first_sentence[0].attributed_content.startswith("الرحلات لم تتوقف بين دمشق وبنغازي")
    assert first_sentence[1].previous_sentence.startswith("من جانبه أكد")  # the sentence so far is its context


def test_views_and_readings_of_intent_are_typed_as_opinions_and_reports_of_facts_are_not(all_claims):
    def typed(words: str) -> str:
        (claim,) = [claim for claim in all_claims if words in claim.text]
        return claim.claim_type

    assert typed("الزيارة رمزية فقط") == "opinion"  # what the visit means
    assert typed("هذا الوفد يأتي في إطار التعاون") == "opinion"  # why the delegation came
    assert typed("حفتر نجح في استغلال التواجد التركي") == "opinion"  # "ورأى": presented as a view
    assert typed("الرحلات لم تتوقف بين دمشق وبنغازي") == "quote"
    assert typed("جلبت معها") == "quote"
