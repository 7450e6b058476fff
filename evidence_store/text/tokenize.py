"""Tokenisation for BM25: normalised, stop-word free, stemmed per script (Arabic or Latin)."""

import re
from functools import lru_cache

import Stemmer

from evidence_store.text.normalize import normalize_arabic, strip_invisible

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

ARABIC_STOPWORDS = frozenset(
    normalize_arabic(word)
    for word in """
    في من على إلى الى عن مع أن إن ان ما لا لم لن قد كان كانت يكون هذا هذه ذلك تلك هؤلاء التي الذي
    الذين و ثم أو او بل لكن حتى إذا اذا كل بعض غير بين عند منذ خلال حول بعد قبل عندما لدى هو هي هم
    هن نحن أنت كما أيضا ايضا وقد وفي ومن وعلى وأن والتي والذي فيه فيها منه منها عليه عليها إنه انه
    أنه ليس هناك هنا
    """.split()
)
ENGLISH_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those he she they them his her their we our you your i me my not no so than then
    there here which who whom whose what when where why how all any both each few more most other
    some such only own same too very can will just do does did has have had having into over under
    again further once about against between through during before after above below up down out off
    s t also said says would could should
    """.split()
)


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("arabic"), Stemmer.Stemmer("english")


_ARABIC_ARTICLE_PREFIXES = ("وال", "فال", "بال", "كال", "ال", "لل")


def _is_arabic(word: str) -> bool:
    return "\u0600" <= word[0] <= "\u06ff"


def _strip_arabic_article(word: str) -> str:
    """Drop a leading definite article with its attached conjunction or preposition."""
    for prefix in _ARABIC_ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


def tokenize(text: str) -> list[str]:
    """Words of ``text`` for lexical search: folded, Arabic-normalised, stop words out, stemmed."""
    arabic_stemmer, english_stemmer = _stemmers()
    tokens: list[str] = []
    for word in _WORD.findall(normalize_arabic(strip_invisible(text).casefold())):
        if _is_arabic(word):
            if word in ARABIC_STOPWORDS:
                continue
            tokens.append(arabic_stemmer.stemWord(_strip_arabic_article(word)) or word)
        elif word not in ENGLISH_STOPWORDS:
            tokens.append(english_stemmer.stemWord(word))
    return tokens
