"""extract_claims on small articles with a cheap deterministic scorer (the real one is in test_claims_sample)."""

import numpy as np
import pytest

from verify.extract.claims import draft_claims, extract_claims
from verify.extract.intake import article_from_text
from verify.settings import Settings


class LengthScorer:
    """Longer sentences score higher: enough to check ranking, thresholds and limits."""

    name = "test/length"

    def __call__(self, texts, languages=None):
        return np.array([min(1.0, len(text) / 200) for text in texts])


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(home=tmp_path_factory.mktemp("claims-home"))


ENGLISH = (
    "John Smith, the airport director, said on Monday that three charter flights landed in Benghazi last week. "
    "He added that the airline had been under United States sanctions since December 2016. "
    "The weather was mild. "
    "Local traders welcomed the flights, but the opposition said the planes carried fighters to the front.\n"
    "Officials in Tripoli declined to comment on the flights for several days. "
    "It was unclear whether the flights would continue next month?"
)


def test_speakers_pronouns_context_and_spans(settings):
    article = article_from_text(ENGLISH, settings)
    claims = sorted(extract_claims(article, settings, scorer=LengthScorer(), min_score=0.0), key=lambda c: c.start)
    by_text = {claim.text.split()[0]: claim for claim in claims}
    smith = by_text["John"]
    assert smith.speaker == "John Smith, the airport director"
    assert smith.attributed_content == "three charter flights landed in Benghazi last week"
    assert smith.check_text == smith.attributed_content
    added = by_text["He"]
    assert added.speaker == "John Smith, the airport director"  # "he" refers to the speaker just named
    assert added.previous_sentence == smith.text
    assert "The weather was mild." not in [claim.text for claim in claims]  # under claims_min_words
    assert by_text["It"].claim_type == "opinion"
    assert by_text["Officials"].speaker is None
    for claim in claims:
        assert article.text[claim.start : claim.end] == claim.text
        assert claim.language == "en" and claim.claim_id.startswith(article.article_id)
    assert len({claim.claim_id for claim in claims}) == len(claims)


def test_threshold_limit_and_ranking(settings):
    article = article_from_text(ENGLISH, settings)
    everything = extract_claims(article, settings, scorer=LengthScorer(), min_score=0.0)
    scores = [claim.checkworthiness for claim in everything]
    assert scores == sorted(scores, reverse=True)
    kept = extract_claims(article, settings, scorer=LengthScorer(), min_score=0.45)
    assert kept == [claim for claim in everything if claim.checkworthiness >= 0.45] and 0 < len(kept) < len(everything)
    capped = Settings(home=settings.home, claims_max_per_article=2)
    assert extract_claims(article, capped, scorer=LengthScorer(), min_score=0.0) == everything[:2]


def test_per_sentence_language_in_mixed_articles(settings):
    text = (
        "وصل وفد عسكري ليبي إلى دمشق يوم الأحد في زيارة هي الأولى منذ سنوات طويلة.\n"
        "The delegation met Syrian officials in Damascus on Sunday, the ministry said."
    )
    claims = extract_claims(article_from_text(text, settings), settings, scorer=LengthScorer(), min_score=0.0)
    assert sorted(claim.language for claim in claims) == ["ar", "en"]


def test_a_speaker_is_not_carried_too_far(settings):
    text = (
        "The minister said that the border crossing at Ras Jdir reopened on Monday morning. "
        "Trucks queued for hours at the crossing. Prices of fuel fell in the markets of Zuwara. "
        "Traders complained about the new customs rules at the border. "
        "He said that the crossing would stay open for the whole of the month."
    )
    claims = extract_claims(article_from_text(text, settings), settings, scorer=LengthScorer(), min_score=0.0)
    last = max(claims, key=lambda claim: claim.start)
    assert last.text.startswith("He said") and last.speaker is None


def test_compound_english_sentence_splits_and_keeps_its_ends(settings):
    text = (
        "Local traders welcomed the new charter flights from Damascus to Benghazi, "
        "but the opposition said the planes carried fighters and weapons to the front near Tripoli."
    )
    claims = extract_claims(article_from_text(text, settings), settings, scorer=LengthScorer(), min_score=0.0)
    pieces = sorted(claims, key=lambda claim: claim.start)
    assert [claim.text for claim in pieces] == [
        "Local traders welcomed the new charter flights from Damascus to Benghazi",
        "but the opposition said the planes carried fighters and weapons to the front near Tripoli.",
    ]
    assert pieces[1].previous_sentence == "Local traders welcomed the new charter flights from Damascus to Benghazi,"


class RecordingScorer(LengthScorer):
    """A ``LengthScorer`` that keeps what it was asked to score."""

    def __init__(self):
        self.scored: list[str] = []

    def __call__(self, texts, languages=None):
        self.scored += texts
        return super().__call__(texts, languages)


def test_a_huge_article_has_a_bounded_number_of_sentences_scored(settings):
    # One line of 3,000 sentences: every one was embedded before the 50-claim cap applied.
    checkable = "The ministry said that {} trucks crossed the border on 3 March."
    plain = "The weather over the old city was mild and pleasant all day long, sentence {}."
    text = " ".join((checkable if index % 3 == 0 else plain).format(index) for index in range(3_000))
    article = article_from_text(text, settings)
    bounded = settings.model_copy(update={"claims_max_candidates": 500})
    scorer = RecordingScorer()
    claims = extract_claims(article, bounded, scorer=scorer, min_score=0.0)
    assert len(scorer.scored) == 500
    assert all("trucks" in text for text in scorer.scored)  # the 1,000 with checkable cues come first
    assert len(claims) == bounded.claims_max_per_article


def test_an_article_within_the_candidate_limit_is_scored_whole(settings):
    article = article_from_text(ENGLISH, settings)
    scorer = RecordingScorer()
    exact = settings.model_copy(update={"claims_max_candidates": len(draft_claims(article, settings))})
    assert extract_claims(article, exact, scorer=scorer, min_score=0.0) == extract_claims(
        article, settings, scorer=LengthScorer(), min_score=0.0
    )
    assert len(scorer.scored) == len(draft_claims(article, settings))
