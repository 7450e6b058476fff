"""Cheap contrast features of a (claim, passage) pair that a pooled encoder easily misses.

Negation on one side only, numbers or years of the claim absent from the passage (and a number of
the passage in their place), word overlap, and whether claim and passage are in different scripts
(Arabic against English: word overlap and similarity then mean something else). They are fed to
the classification head beside the bi-encoder similarity.
"""

import math
import re

import numpy as np

from evidence_store.text.normalize import arabic_ratio, normalize_arabic
from evidence_store.text.tokenize import tokenize

FEATURE_NAMES = (
    "similarity",
    "negation_claim",
    "negation_passage",
    "negation_mismatch",
    "claim_has_numbers",
    "numbers_missing",
    "year_missing",
    "overlap",
    "length_ratio",
    "numbers_conflict",
    "cross_script",
)

_NEGATIONS_EN = frozenset(
    "not no never none nobody nothing neither nor without deny denies denied denying false fake hoax "
    "refute refutes refuted debunked isn't aren't wasn't weren't doesn't don't didn't won't can't cannot "
    "hasn't haven't hadn't shouldn't wouldn't couldn't".split()
)
# Normalised Arabic (alef/yaa/taa-marbuta folded): la, lam, lan, laysa and its forms, ghayr, 'adam, nafa/yanfi.
_NEGATIONS_AR = frozenset(
    normalize_arabic(word)
    for word in "لا لم لن ليس ليست ليسوا لسنا غير عدم ينفي نفى تنفي نفت نفي ينفون يرفض رفض ترفض رفضت "
    "كذب تكذيب شائعات شائعة مزاعم ولا ولم ولن وليس فلا فلم بلا".split()
)
_WORD = re.compile(r"[^\W_]+(?:'[a-z]+)?", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# e5 cosines of claim and passage sit in about [0.7, 0.95]: centre and scale them for the head.
_SIMILARITY_CENTRE, _SIMILARITY_SCALE = 0.8, 0.05


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize_arabic(text.casefold()))


def negations(text: str) -> int:
    """How many English or Arabic negation or denial words ``text`` contains."""
    return sum(word in _NEGATIONS_EN or word in _NEGATIONS_AR for word in _words(text))


def has_negation(text: str) -> bool:
    """Whether ``text`` contains an English or Arabic negation or denial word."""
    return negations(text) > 0


def numbers(text: str) -> set[str]:
    """Numbers in ``text`` (Arabic-Indic digits folded, thousands separators dropped)."""
    folded = normalize_arabic(text)
    return {match.replace(",", "").rstrip(".") for match in _NUMBER.findall(folded)}


def is_arabic_script(text: str) -> bool:
    """Whether most letters of ``text`` are Arabic."""
    return arabic_ratio(text) > 0.5


def pair_features(claim: str, passage: str, similarity: float) -> np.ndarray:
    """The ``FEATURE_NAMES`` vector (float32) of one pair."""
    neg_claim, neg_passage = has_negation(claim), has_negation(passage)
    claim_numbers, passage_numbers = numbers(claim), numbers(passage)
    missing = len(claim_numbers - passage_numbers) / len(claim_numbers) if claim_numbers else 0.0
    conflict = bool(claim_numbers - passage_numbers) and bool(passage_numbers - claim_numbers)
    claim_years = set(_YEAR.findall(normalize_arabic(claim)))
    year_missing = bool(claim_years - set(_YEAR.findall(normalize_arabic(passage))))
    claim_tokens, passage_tokens = set(tokenize(claim)), set(tokenize(passage))
    overlap = len(claim_tokens & passage_tokens) / len(claim_tokens) if claim_tokens else 0.0
    ratio = math.log1p(len(passage_tokens)) - math.log1p(len(claim_tokens))
    return np.array(
        [
            max(-4.0, min(4.0, (similarity - _SIMILARITY_CENTRE) / _SIMILARITY_SCALE)),
            neg_claim,
            neg_passage,
            neg_claim != neg_passage,
            bool(claim_numbers),
            missing,
            year_missing,
            overlap,
            ratio / 4.0,
            conflict,
            is_arabic_script(claim) != is_arabic_script(passage),
        ],
        dtype=np.float32,
    )
