"""Property-based tests: random Unicode never crashes intake or extraction; spans point at claim text."""

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store.text.sentences import split_sentences
from tests.support import hostile
from verify.extract.attribution import find_attribution
from verify.extract.claims import extract_claims
from verify.extract.clean import clean_text
from verify.extract.compound import split_clauses
from verify.extract.intake import ArticleError, article_from_bytes, article_from_html, article_from_text
from verify.settings import Settings

# Arabic and Latin words, digits of both scripts, quotes, marks and punctuation, so that the
# random text exercises the rules (not only unprintable noise).
PIECES = st.sampled_from(
    [
        "قال",
        "أكد",
        "أن",
        "إلى أن",
        "الوزير",
        "حفتر",
        "دمشق",
        "٢٠٢٠",
        "ـ",
        "\u200f",
        "،",
        "؟",
        ".",
        ":",
        '"',
        "«",
        "»",
        "\n",
        "said",
        "that",
        "The",
        "minister",
        "3.5",
        "percent",
        "according to",
        ",",
        " ",
        "اقرأ أيضا:",
        "Read more:",
        "U.S.",
        "د.",
        "!",
        "…",
        "؛",
        ";",
        "لـ",
        "كما صرح",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=80).map(" ".join),
)


class CountingScorer:
    """A cheap deterministic scorer: the property under test is extraction, not scoring."""

    name = "test/word-count"

    def __call__(self, texts, languages=None):
        return np.array([min(1.0, len(text.split()) / 40) for text in texts])


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(home=tmp_path_factory.mktemp("properties-home"), claims_min_words=2, claims_split_min_words=8)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
@example("; 0:said:0:AA:0")  # found by hypothesis: only punctuation before the report made an empty claim
def test_extraction_never_crashes_and_spans_point_at_claims(settings, text):
    try:
        article = article_from_text(text, settings)
    except ArticleError:
        return
    claims = extract_claims(article, settings, scorer=CountingScorer(), min_score=0.0)
    for claim in claims:
        assert article.text[claim.start : claim.end] == claim.text
        assert claim.text.strip() == claim.text and claim.text
        assert 0.0 <= claim.checkworthiness <= 1.0
        if claim.attributed_content is not None:
            assert claim.attributed_content in claim.text or claim.attributed_content in article.text
    assert [c.checkworthiness for c in claims] == sorted((c.checkworthiness for c in claims), reverse=True)


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_give_an_article_or_a_clear_error(data):
    try:
        article = article_from_bytes(data, Settings(max_article_chars=1_000), source="bytes")
    except ArticleError as exc:
        assert str(exc).startswith("bytes")
    else:
        assert article.text.strip()


@hypothesis_settings(max_examples=300, deadline=None)
@given(TEXT)
def test_rules_keep_offsets(text):
    cleaned = clean_text(text).text
    for span in split_sentences(cleaned):
        sentence = cleaned[span.start : span.end]
        found = find_attribution(sentence)
        if found:
            assert 0 <= found.content_start < found.content_end <= len(sentence)
        for start, end in split_clauses(cleaned, span.start, span.end):
            assert span.start <= start <= end <= span.end


# hostile input: control and bidi characters, huge single lines, zip-bomb-like repetition, broken HTML


@pytest.fixture(scope="module")
def capped(settings):
    return settings.model_copy(update={"max_article_chars": 150_000, "claims_max_per_article": 5})


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile.hostile_text)
def test_hostile_text_gives_at_most_the_claim_limit_or_a_clear_error(capped, text):
    try:
        article = article_from_text(text, capped, source="pasted")
    except ArticleError as exc:
        assert str(exc).startswith("pasted") and "\n" not in str(exc)
        return
    claims = extract_claims(article, capped, scorer=CountingScorer(), min_score=0.0)
    assert len(claims) <= capped.claims_max_per_article
    assert all(article.text[c.start : c.end] == c.text for c in claims)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile.html_page)
def test_hostile_html_gives_an_article_or_a_clear_error(capped, html):
    try:
        article = article_from_html(html, capped, url="https://example.org/a", source="page")
    except ArticleError as exc:
        assert str(exc).startswith("page")
    else:
        assert any(ch.isalpha() for ch in article.text)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(hostile.hostile_text, hostile.html_page),
    st.sampled_from(["utf-8", "utf-16", "cp1256", "utf-8-sig"]),
    st.sampled_from(["", '<meta charset="cp1256">', '<meta charset="no-such">', "<meta charset=utf-8>"]),
)
def test_hostile_bytes_give_an_article_or_a_clear_error(capped, text, encoding, meta):
    data = (meta + text).encode(encoding, errors="replace")
    try:
        article = article_from_bytes(data, capped, source="upload.html")
    except ArticleError as exc:
        assert str(exc).startswith("upload.html")
    else:
        assert article.text.strip()


def test_the_claim_limit_holds_for_a_long_article(capped):
    text = " ".join(f"The ministry said that {n} flights landed in Benghazi in March 2020." for n in range(300))
    claims = extract_claims(article_from_text(text, capped), capped, scorer=CountingScorer(), min_score=0.0)
    assert len(claims) == capped.claims_max_per_article
