"""Cheap sentence cues (numbers, dates, entities, attribution, questions, opinion) for typing and scoring."""

import math
import re
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from evidence_store.text.normalize import arabic_ratio, strip_invisible
from verify.extract import lexicon
from verify.extract.lexicon import match_view

_ARABIC_PREFIX = "(?:[وفبلك]|ول|وب|فل|لل)?"


def phrase_regex(
    phrases: Iterable[str], prefix: bool = True, whole_word: bool = True, ignore_case: bool = True
) -> re.Pattern[str]:
    """One pattern for ``phrases``, as whole words, optionally after an Arabic clitic."""
    alternatives = "|".join(sorted((re.escape(p) for p in phrases), key=len, reverse=True))
    head = _ARABIC_PREFIX if prefix else ""
    tail = r"(?!\w)" if whole_word else ""
    return re.compile(rf"(?<!\w){head}(?:{alternatives}){tail}", re.IGNORECASE if ignore_case else 0)


_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_TATWEEL = "\u0640"
_NUMBER = re.compile(r"(?<![\w.\-])\d+(?:[.,٫٬]\d+)*(?!\w)")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_PERCENT = re.compile(r"[%٪]")
_QUESTION_END = re.compile(r"[?؟][\s\"'”’»)\]]*$")
_QUOTE = re.compile(r"[\"«»“”]")
_SOCIAL = re.compile(r"(?<!\w)[#@]\w+|https?://|URL", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<=[\s,;(\"'“])[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_NISBA = re.compile(r"(?<!\w)[وفبل]?ال\w{2,}(?:يه|ي|يين|يون)(?!\w)")
_QUOTED_NAME = re.compile(r"[\"«“][^\"«»“”\s]+(?:\s[^\"«»“”\s]+){0,2}[\"»”]")
_WORD = re.compile(r"\w+")

_REPORTING = phrase_regex(lexicon.REPORTING_VERBS_AR | lexicon.REPORTING_VERBS_EN, ignore_case=False)
_SOURCE = phrase_regex(lexicon.SOURCE_CUES_AR + lexicon.SOURCE_CUES_EN)
_OPINION = phrase_regex(lexicon.OPINION_MARKERS_AR + lexicon.OPINION_MARKERS_EN)
_PREDICTION_AR = phrase_regex(lexicon.PREDICTION_MARKERS_AR, whole_word=False)
_PREDICTION_EN = phrase_regex(lexicon.PREDICTION_MARKERS_EN, prefix=False)
_QUESTION_START = re.compile(
    r"^\W*(?:" + "|".join(lexicon.QUESTION_WORDS_AR + lexicon.QUESTION_WORDS_EN) + r")(?!\w)", re.IGNORECASE
)
_FIRST_PERSON = phrase_regex(lexicon.FIRST_PERSON_AR + lexicon.FIRST_PERSON_EN)
_SECOND_PERSON = phrase_regex(("انت", "انتم", "you", "your"))
_MAGNITUDE = phrase_regex(lexicon.MAGNITUDES_AR + lexicon.MAGNITUDES_EN)
_COMPARATIVE = phrase_regex(lexicon.COMPARATIVES_AR + lexicon.COMPARATIVES_EN)
_MONTH = phrase_regex(lexicon.MONTHS_AR + lexicon.MONTHS_EN)
_ENTITY_CUE = phrase_regex(lexicon.ENTITY_CUES_AR + lexicon.ENTITY_CUES_EN)
_FUNCTION_CAPITALS = frozenset("I The A An This That These Those It He She We They But And Or If In On At".split())

FEATURE_NAMES = (
    "has_number",
    "statistic",
    "year",
    "date",
    "entities",
    "attribution",
    "source_cue",
    "quoted",
    "question",
    "opinion",
    "prediction",
    "first_person",
    "second_person",
    "exclamation",
    "comparative",
    "length",
    "short",
    "social",
    "arabic",
)


class Cues(NamedTuple):
    """What a sentence contains; ``vector()`` gives the scorer's cheap features in ``FEATURE_NAMES`` order."""

    has_number: bool
    statistic: bool
    year: bool
    date: bool
    entities: float  # 0..1, a rough density of names, titles and institutions
    attribution: bool
    source_cue: bool
    quoted: bool
    question: bool
    opinion: bool
    prediction: bool
    first_person: bool
    second_person: bool
    exclamation: bool
    comparative: bool
    length: float  # log word count scaled to about 0..1
    short: bool
    social: bool
    arabic: bool

    def vector(self) -> np.ndarray:
        """The cues as float32 features."""
        return np.array([float(value) for value in self], dtype=np.float32)


def scoring_text(text: str) -> str:
    """The form of a sentence that is embedded for scoring: one line, no invisible marks, URLs as 'URL'."""
    flat = " ".join(_URL.sub("URL", strip_invisible(text).replace(_TATWEEL, "")).split())
    return flat[:1000]


def _numbers(view: str) -> tuple[bool, bool, bool]:
    """(any quantity that is not a year or a day of a date, any year, any date)."""
    quantity = year = date = False
    for match in _NUMBER.finditer(view):
        digits = match.group()
        if _YEAR.match(digits):
            year = True
            continue
        near = view[max(0, match.start() - 12) : match.end() + 12]
        if len(digits) <= 2 and _MONTH.search(near):
            date = True
            continue
        quantity = True
    return quantity, year, date


def _entity_density(text: str, view: str, arabic: bool) -> float:
    count = len(_ENTITY_CUE.findall(view)) + len(_QUOTED_NAME.findall(view))
    if arabic:
        count += len(_NISBA.findall(view))
    else:
        count += sum(1 for m in _CAPITALISED.finditer(text) if m.group().split()[0] not in _FUNCTION_CAPITALS)
    return min(1.0, count / 4)


def states_opinion_or_prediction(view: str) -> bool:
    """Whether a ``match_view`` text carries an opinion or a prediction marker."""
    return bool(_OPINION.search(view) or _PREDICTION_AR.search(view) or _PREDICTION_EN.search(view))


def sentence_cues(text: str) -> Cues:
    """The cues of one sentence (any language; Arabic and English word lists)."""
    text = scoring_text(text)
    view = match_view(text)
    words = len(_WORD.findall(view))
    arabic = arabic_ratio(view) >= 0.5
    quantity, year, date = _numbers(view)
    magnitude = bool(_MAGNITUDE.search(view))
    return Cues(
        has_number=quantity or year or date,
        statistic=bool(_PERCENT.search(view)) or magnitude or quantity,
        year=year,
        date=date or bool(_MONTH.search(view)),
        entities=_entity_density(text, view, arabic),
        attribution=bool(_REPORTING.search(view)),
        source_cue=bool(_SOURCE.search(view)),
        quoted=bool(_QUOTE.search(view)),
        question=bool(_QUESTION_END.search(view)) or (bool(_QUESTION_START.search(view)) and words < 20),
        opinion=bool(_OPINION.search(view)),
        prediction=bool(_PREDICTION_AR.search(view) or _PREDICTION_EN.search(view)),
        first_person=bool(_FIRST_PERSON.search(view)),
        second_person=bool(_SECOND_PERSON.search(view)),
        exclamation="!" in view,
        comparative=bool(_COMPARATIVE.search(view)),
        length=min(1.0, math.log1p(words) / math.log(80)),
        short=words < 6,
        social=bool(_SOCIAL.search(text)),
        arabic=arabic,
    )


def feature_matrix(texts: Iterable[str]) -> np.ndarray:
    """Cheap features of each text, shape (n, len(FEATURE_NAMES))."""
    rows = [sentence_cues(text).vector() for text in texts]
    return np.stack(rows) if rows else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
