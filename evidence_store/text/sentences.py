"""Sentence segmentation for Arabic and English news text, returning character spans.

Rules: line breaks always end a sentence; ``. ! ? ؟ …`` end one when followed by
space (and, for Latin script, not by a lower-case letter); the Arabic comma never
does. Quoted speech («», “”, and paired ASCII quotes) stays whole. Abbreviations
("U.S.", "Dr.", "د.", single initials) and decimals ("3.5") do not end a sentence.
"""

import re
from typing import NamedTuple

_TERMINATORS = ".!?؟…"
_CLOSERS = "\"'”’»)]}"
_OPENING_QUOTES = {"«": "»", "“": "”"}
_CLOSING_QUOTES = {"»", "”"}
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt sgt sen rep gov st jr sr mt ft no nos vs etc approx dept
    est fig inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k u.n
    u.s.a a.m p.m ph.d د أ م ص ج ت ق ه
    """.split()
)
_MAX_QUOTE_CHARS = 600  # an unclosed quote stops protecting boundaries after this many characters
_ARABIC_PREFIX_LETTERS = "وفبلكـ"


class Span(NamedTuple):
    """A sentence as ``text[start:end]`` of the segmented string."""

    start: int
    end: int


def _previous_word(text: str, dot: int) -> str:
    start = dot
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    return text[start:dot].casefold()


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _previous_word(text, dot)
    if not word:
        return False
    if word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha() and word.isascii():
        return True  # an initial: "J. Smith"
    return "." in word and all(len(part) <= 2 for part in word.split("."))  # "U.S", "e.g"


def _quote_depths(line: str) -> list[int]:
    """Nesting depth of quotation at each character of one line."""
    depths = [0] * len(line)
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(line):
        if stack and i - stack[-1][1] > _MAX_QUOTE_CHARS:
            stack.clear()
        if ch in _OPENING_QUOTES:
            stack.append((_OPENING_QUOTES[ch], i))
        elif ch in _CLOSING_QUOTES:
            while stack and stack[-1][0] != ch and stack[-1][0] != '"':
                stack.pop()
            if stack:
                stack.pop()
        elif ch == '"':
            before = line[i - 1] if i else " "
            after = line[i + 1] if i + 1 < len(line) else " "
            opens = (
                before.isspace()
                or before in "([{«“ـ"
                or (before in _ARABIC_PREFIX_LETTERS and (i < 2 or line[i - 2].isspace()))
            )
            closes = not before.isspace() and (after.isspace() or not after.isalnum())
            if stack and stack[-1][0] == '"' and (closes or not opens):
                stack.pop()
            elif opens:
                stack.append(('"', i))
        depths[i] = len(stack)
    return depths


def _next_visible(line: str, start: int) -> str:
    """The first non-space character of ``line`` from ``start`` on ("" if none), without copying the line."""
    for index in range(start, len(line)):
        if not line[index].isspace():
            return line[index]
    return ""


def _line_boundaries(line: str) -> list[int]:
    """Offsets inside ``line`` just after each sentence-final punctuation run."""
    depths = _quote_depths(line)
    cuts: list[int] = []
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch not in _TERMINATORS:
            i += 1
            continue
        end = i
        while end + 1 < n and line[end + 1] in _TERMINATORS:
            end += 1
        while end + 1 < n and line[end + 1] in _CLOSERS:
            end += 1
        after = end + 1
        if after >= n:
            break
        if not line[after].isspace():
            i = after
            continue
        next_char = _next_visible(line, after)
        inside_quote = depths[i] > 0 and depths[min(end, n - 1)] > 0
        if (
            inside_quote
            or (ch == "." and i == end and _is_abbreviation(line, i))
            or (next_char.isalpha() and next_char.isascii() and next_char.islower())
        ):
            i = after
            continue
        cuts.append(after)
        i = after
    return cuts


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``, trimmed of surrounding whitespace, in order."""
    spans: list[Span] = []
    for line_match in re.finditer(r"[^\n\r\u2028\u2029]+", text):
        line = line_match.group()
        offset = line_match.start()
        start = 0
        for cut in [*_line_boundaries(line), len(line)]:
            piece = line[start:cut]
            stripped_left = len(piece) - len(piece.lstrip())
            stripped_right = len(piece.rstrip())
            if stripped_right > stripped_left:
                spans.append(Span(offset + start + stripped_left, offset + start + stripped_right))
            start = cut
    return spans
