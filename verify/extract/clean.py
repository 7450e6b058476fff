"""Page-furniture removal: banners, read-also and share lines, bylines, credits and headings.

Rules are general, not a list of known lines: a short line repeated on the page, a line that
starts with a read-also / share / byline / credit cue or carries a consent-banner phrase, a
line without letters, and a short unpunctuated line without a clause word (a heading).
"""

import re
import unicodedata
from collections import Counter
from typing import Literal, NamedTuple

from evidence_store.text.normalize import normalize_for_search, strip_invisible
from verify.extract import lexicon
from verify.extract.features import phrase_regex
from verify.extract.lexicon import match_view

Reason = Literal["repeated", "furniture", "heading", "fragment"]

HEADING_MAX_WORDS = 10  # an unpunctuated line this short, without a clause word, is a heading
REPEATED_MAX_WORDS = 12  # a repeated line this short is page chrome (longer repeats keep their first copy)
FURNITURE_MAX_WORDS = 40  # a read-also cue introduces a headline, not a paragraph
WEAK_CUE_MAX_WORDS = 8  # "Share", "By ...", "Updated ..." are furniture only in very short lines
BODY_MIN_WORDS = 12  # headings are only recognised when a body line of this length exists

_STRONG_PREFIXES = tuple(
    cue
    for cue in lexicon.FURNITURE_PREFIXES_AR + lexicon.FURNITURE_PREFIXES_EN
    if cue not in lexicon.WEAK_FURNITURE_PREFIXES
)
_STRONG = re.compile(
    r"^\W*(?:" + "|".join(re.escape(cue.rstrip()) for cue in _STRONG_PREFIXES) + r")(?:\W|$)", re.IGNORECASE
)
_WEAK = re.compile(
    r"^\W*(?:" + "|".join(re.escape(cue.rstrip()) for cue in lexicon.WEAK_FURNITURE_PREFIXES) + r")(?:\W|$)",
    re.IGNORECASE,
)
_ANYWHERE = phrase_regex(lexicon.FURNITURE_ANYWHERE_AR + lexicon.FURNITURE_ANYWHERE_EN, prefix=False, whole_word=False)
_CLAUSE = phrase_regex(lexicon.CLAUSE_WORDS_AR | lexicon.CLAUSE_WORDS_EN)
_SENTENCE_END = re.compile(r"[.!?؟…:;؛][\s\"'”’»)\]]*$")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SPACES = re.compile(r"[^\S\n]+")
_ELONGATION = re.compile(
    r"(?<=[\u0620-\u063f\u0641-\u064a])\u0640+(?=[\u0620-\u063f\u0641-\u064a])"
)  # tatweel inside a word


class Removal(NamedTuple):
    """A dropped line and the rule that dropped it."""

    line: str
    reason: Reason


class Cleaned(NamedTuple):
    """Article text with one paragraph a line, and what was removed (in page order)."""

    text: str
    removed: tuple[Removal, ...]
    first_heading: str | None  # a heading before any body line: the title of pasted text


def normalize_text(text: str) -> str:
    """NFC, unified line breaks, no invisible marks or in-word tatweel, single spaces, trimmed lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _ELONGATION.sub("", strip_invisible(text))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _words(line: str) -> int:
    return len(_WORD.findall(line))


def _furniture(line: str, view: str, words: int) -> bool:
    if words <= FURNITURE_MAX_WORDS and _STRONG.match(view):
        return True
    if words <= WEAK_CUE_MAX_WORDS and _WEAK.match(view):
        return True
    return words <= REPEATED_MAX_WORDS and bool(_ANYWHERE.search(view))


def _heading(line: str, view: str, words: int) -> bool:
    return words <= HEADING_MAX_WORDS and not _SENTENCE_END.search(line) and not _CLAUSE.search(view)


def clean_text(text: str) -> Cleaned:
    """Normalise ``text`` and drop its page furniture line by line."""
    lines = normalize_text(text).split("\n") if text.strip() else []
    keys = [normalize_for_search(line) for line in lines]
    counts = Counter(keys)
    has_body = any(_words(line) >= BODY_MIN_WORDS for line in lines)
    kept: list[str] = []
    removed: list[Removal] = []
    first_heading: str | None = None
    seen: set[str] = set()
    for line, key in zip(lines, keys, strict=True):
        view = match_view(line)
        words = _words(line)
        reason: Reason | None = None
        if words < 2:
            reason = "fragment"
        elif counts[key] > 1 and (words <= REPEATED_MAX_WORDS or key in seen):
            reason = "repeated"
        elif _furniture(line, view, words):
            reason = "furniture"
        elif has_body and _heading(line, view, words):
            reason = "heading"
            if not kept and first_heading is None:
                first_heading = line
        seen.add(key)
        if reason is None:
            kept.append(line)
        else:
            removed.append(Removal(line, reason))
    return Cleaned("\n".join(kept), tuple(removed), first_heading)
