"""Claims of an article: sentences (or independent clauses) with span, speaker, type and check-worthiness."""

import re
from collections.abc import Sequence
from typing import NamedTuple

from evidence_store.text.language import detect_language
from evidence_store.text.sentences import Span, split_sentences
from verify.extract.assertions import assesses, introduces_a_view
from verify.extract.attribution import Attribution, find_attribution, trim_span
from verify.extract.checkworthy import CheckworthinessScorer, load_scorer
from verify.extract.compound import split_clauses
from verify.extract.features import Cues, sentence_cues
from verify.settings import Settings
from verify.types import Article, Claim, ClaimType

SPEAKER_REACH = 2  # "he said" refers to a speaker named at most this many sentences earlier
MIN_LANGUAGE_WORDS = 4  # shorter sentences take the article's language

_WORD = re.compile(r"\w+")
_EDGE_PUNCTUATION = "،,;؛"


class Draft(NamedTuple):
    """A claim before scoring: where it is and who said what."""

    start: int
    end: int
    speaker: str | None
    content: tuple[int, int] | None  # span of the attributed content, when attributed
    previous: str | None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def claim_type(cues: Cues, attributed: bool, assessment: bool = False) -> ClaimType:
    """Opinion (incl. questions, predictions and ``assessment``: a purpose, a meaning, or a statement the
    article presents as a view) before statistic, before quote, before factual."""
    if cues.question or cues.opinion or cues.prediction or assessment:
        return "opinion"
    if cues.statistic:
        return "statistic"
    return "quote" if attributed else "factual"


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past spaces and clause commas (quotes stay: they are part of the claim's text)."""
    while start < end and (text[start].isspace() or text[start] in _EDGE_PUNCTUATION):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_PUNCTUATION):
        end -= 1
    return start, end


def _clauses(text: str, start: int, end: int, split: bool) -> list[tuple[int, int]]:
    return split_clauses(text, start, end) if split else [(start, end)]


def _sentence_drafts(
    text: str, span: Span, attribution: Attribution | None, speaker: str | None, previous: str | None, split_min: int
) -> list[Draft]:
    """One draft per independent clause of a sentence (one draft when it does not split).

    The first clause keeps the sentence's opening ("X said that ...") and the last its ending, so
    the claims of a sentence cover it; later clauses get the sentence so far as their context.
    When the report starts in a later clause ("A, but X said Y"), the clauses before it are the
    author's own and carry no speaker.
    """
    split = _words(text[span.start : span.end]) >= split_min
    pieces: list[tuple[int, int, tuple[int, int] | None]] = []
    if attribution is None:
        pieces = [(start, end, None) for start, end in _clauses(text, span.start, span.end, split)]
    else:
        report = span.start + attribution.start
        if attribution.start:
            pieces = [(start, end, None) for start, end in _clauses(text, span.start, report, split)]
        content = (span.start + attribution.content_start, span.start + attribution.content_end)
        for index, (start, end) in enumerate(_clauses(text, *content, split)):
            pieces.append((report if index == 0 else start, end, trim_span(text, start, end)))
    drafts = []
    for index, (start, end, content_span) in enumerate(pieces):
        first, last = index == 0, index == len(pieces) - 1
        claim_span = _strip_edges(text, span.start if first else start, span.end if last else end)
        if claim_span[0] == claim_span[1]:
            continue  # nothing but punctuation before the report, as in "; X said: Y"
        context = previous if first else text[span.start : start].strip() or previous
        drafts.append(Draft(*claim_span, speaker if content_span else None, content_span, context))
    return drafts


def draft_claims(article: Article, settings: Settings) -> list[Draft]:
    """Every sentence or clause long enough to be a claim, in article order, with speakers resolved."""
    text = article.text
    drafts: list[Draft] = []
    previous: str | None = None
    last_speaker: str | None = None
    last_speaker_at = -SPEAKER_REACH - 1
    for index, span in enumerate(split_sentences(text)):
        sentence = text[span.start : span.end]
        if _words(sentence) >= settings.claims_min_words:
            attribution = find_attribution(sentence)
            speaker = attribution.speaker if attribution else None
            if attribution and speaker is None and index - last_speaker_at <= SPEAKER_REACH:
                speaker = last_speaker
            if speaker:
                last_speaker, last_speaker_at = speaker, index
            drafts += _sentence_drafts(text, span, attribution, speaker, previous, settings.claims_split_min_words)
        previous = sentence
    return drafts


def _language(text: str, fallback: str | None) -> str | None:
    return (detect_language(text) or fallback) if _words(text) >= MIN_LANGUAGE_WORDS else fallback


def cue_priority(cues: Cues) -> float:
    """A model-free guess at check-worthiness: checkable content (a number, a date, names, a reported
    source) counts up; a question, an opinion, a prediction, first or second person and social-media
    text count down."""
    checkable = cues.has_number + cues.statistic + cues.date + cues.entities + cues.attribution + cues.source_cue
    unchecked = cues.question + cues.opinion + cues.prediction + cues.first_person + cues.second_person
    return checkable - unchecked - cues.social


def shortlist(article: Article, drafts: Sequence[Draft], limit: int) -> list[Draft]:
    """``drafts`` as they are when there are at most ``limit`` (every article of ordinary length); else
    the ``limit`` of highest ``cue_priority`` (article order on ties), so that the model scores a
    bounded number of sentences however long the article. Kept in article order."""
    if len(drafts) <= limit:
        return list(drafts)
    priority = [cue_priority(sentence_cues(article.text[draft.start : draft.end])) for draft in drafts]
    chosen = sorted(range(len(drafts)), key=lambda index: (-priority[index], index))[:limit]
    return [drafts[index] for index in sorted(chosen)]


def score_claims(article: Article, drafts: Sequence[Draft], scorer: CheckworthinessScorer) -> list[Claim]:
    """Claims for ``drafts``, scored, ranked by check-worthiness (article order on ties)."""
    texts = [article.text[d.start : d.end] for d in drafts]
    languages = [_language(text, article.language) for text in texts]
    scores = scorer(texts, languages) if texts else []
    claims = []
    for draft, text, language, score in zip(drafts, texts, languages, scores, strict=True):
        content = article.text[draft.content[0] : draft.content[1]] if draft.content else None
        cues = sentence_cues(content or text)
        report = article.text[draft.start : draft.content[0]] if draft.content else ""
        assessment = assesses(content or text) or introduces_a_view(report)
        claims.append(
            Claim(
                claim_id=f"{article.article_id}:{draft.start}-{draft.end}",
                article_id=article.article_id,
                text=text,
                start=draft.start,
                end=draft.end,
                language=language,
                checkworthiness=round(min(1.0, max(0.0, float(score))), 4),
                claim_type=claim_type(cues, draft.content is not None, assessment),
                speaker=draft.speaker,
                attributed_content=content,
                title=article.title,
                previous_sentence=draft.previous,
            )
        )
    return sorted(claims, key=lambda claim: (-claim.checkworthiness, claim.start))


def extract_claims(
    article: Article, settings: Settings, scorer: CheckworthinessScorer | None = None, min_score: float | None = None
) -> list[Claim]:
    """The check-worthy claims of ``article``, best first (at most ``settings.claims_max_per_article``); the
    model scores at most ``settings.claims_max_candidates`` of its sentences (see ``shortlist``)."""
    threshold = settings.claims_min_checkworthiness if min_score is None else min_score
    drafts = shortlist(article, draft_claims(article, settings), settings.claims_max_candidates)
    if not drafts:
        return []
    ranked = score_claims(article, drafts, scorer or load_scorer(settings))
    return [claim for claim in ranked if claim.checkworthiness >= threshold][: settings.claims_max_per_article]
