"""Who said it: the speaker and the attributed content of one sentence, in Arabic and English.

Arabic: a reporting verb (قال، أكد، صرح، أشار، رأى، أوضح، كشف ...) followed within a few words by
أن / إن / إلى أن or a colon; the speaker is the noun phrase after the verb (verb first) or before it
(subject first). English: "X said (that) Y", "Y, X said", "Y," said X", "according to X, Y".
Matching runs on folded letters (``lexicon.match_view``), so offsets are those of the sentence.
"""

import itertools
import re
from typing import NamedTuple

from verify.extract import lexicon
from verify.extract.lexicon import match_view

MAX_SPEAKER_WORDS_AR = 25
MAX_SPEAKER_WORDS_EN = 12
MIN_CONTENT_WORDS = 3
MAX_SENTENCE_CHARS = 5000  # a longer "sentence" is unpunctuated page text, not one reported statement

_WORD = re.compile(r"\w+")
_QUOTE_PAIRS = {'"': '"', "«": "»", "“": "”", "'": "'"}
_TRIM = " \t\n،,:;؛.-–—"


def _alternatives(words: object) -> str:
    return "|".join(sorted((re.escape(word) for word in words), key=len, reverse=True))  # type: ignore[attr-defined]


_AR_VERB = re.compile(rf"(?<!\w)[وف]?(?:{_alternatives(lexicon.REPORTING_VERBS_AR)})(?!\w)")
_AR_COMPLEMENT = re.compile(r"(?<!\w)(?:الي ان|بان|انه|انها|انهم|ان)(?!\w)|:")
_AR_ADDRESSEE = re.compile(
    r"(?:^|\s)(?:في (?:تصريح|تصريحات|حديث|مقابله|بيان|مؤتمر|لقاء|تغريده|منشور|كلمه)|خلال|عبر|امام|"
    r"لـ*\W|للصحفيين|ل(?:وكاله|صحيفه|قناه|موقع|شبكه|اذاعه))"
)
_AR_PREAMBLE = re.compile(
    r"^\W*(?:[وف]?(?:في|من|حول|عن|علي|مع|بعد|قبل|خلال|منذ|عند|لدي)(?!\w)|[وف]?[لب]ـ*\W|[وف]?بدور)"
)
_AR_LEADING_CONJUNCTION = re.compile(r"^\W*(?:ولكن|لكن|بينما|في حين|كما|اما|ثم)\s+")
_AR_TRAILING = re.compile(rf"[،,]?\s*(?:{_alternatives(lexicon.TRAILING_ATTRIBUTION_AR)})(?!\w)[^،,]*$")
_AR_SOURCE_START = re.compile(r"^\W*[وف]?(?:وفقا ل|وفقا لما|بحسب|حسب|نقلا عن|وفق)\s*(?P<speaker>[^،,]{2,80})[،,]\s*")
_AR_SOURCE_END = re.compile(r"[،,]\s*(?:وفقا ل|وفقا لما|بحسب|حسب|نقلا عن|وفق)\s*(?P<speaker>[^،,]{2,80}?)\W*$")
# "by his claim", "in his words": the source is a pronoun, and the subject is in the sentence itself.
_AR_PRONOUN_SOURCE = re.compile(r"^(?:زعم|قول|تعبير|تحليل|تصريح|رواي|رواه|كلام)\w*$")
_EN_VERB = re.compile(rf"(?<!\w)(?:{_alternatives(lexicon.REPORTING_VERBS_EN)})(?!\w)")  # lower case: not "States"
_EN_AFTER_VERB = re.compile(
    r"^(?:\s+(?:on|in|at|last|this)\s+\w+)?(?:\s+(?:reporters|journalists|the\s+\w+|\w+)(?=\s+that\b|\s*[,:]))?"
    r"(?:\s+that\b|\s*[:,])?",
    re.IGNORECASE,
)
_EN_SOURCE_START = re.compile(r"^\W*according to\s+(?P<speaker>[^,]{2,80}),\s*", re.IGNORECASE)
_EN_SOURCE_END = re.compile(r",\s*according to\s+(?P<speaker>[^,]{2,80}?)\W*$", re.IGNORECASE)
_EN_PRONOUN = re.compile(r"^(?:he|she|they|it|i|we|you|officials?)$", re.IGNORECASE)
# "A, but X said Y": the report starts at the conjunction after the boundary
_EN_CLAUSE_BOUNDARY = re.compile(r"[,;]\s+(?=(?:but|and|while|whereas|although|yet|so|because)\s)|;\s+", re.IGNORECASE)
_EN_LEADING_CONJUNCTION = re.compile(r"^\W*(?:but|and|yet|so|however,?)\s+", re.IGNORECASE)


class Attribution(NamedTuple):
    """A reported statement: ``sentence[content_start:content_end]`` is what ``speaker`` is said to have said.

    ``speaker`` is None when the sentence names no one ("he said", "كشف أن"); the caller may resolve
    it to the speaker of a nearby sentence. ``start`` is where the report begins: 0, or the start of
    a later clause ("A, but X said Y"), the part before it being the author's own.
    """

    speaker: str | None
    content_start: int
    content_end: int
    start: int = 0


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``text[start:end]`` past spaces, edge punctuation and unbalanced or enclosing quotes."""
    while True:
        before = (start, end)
        while start < end and text[start] in _TRIM:
            start += 1
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        if start < end and text[start] in _QUOTE_PAIRS:
            opener, closer = text[start], _QUOTE_PAIRS[text[start]]
            piece = text[start:end]
            balanced = piece.count(opener) == piece.count(closer) if opener != closer else piece.count(opener) % 2 == 0
            if end - start > 1 and text[end - 1] == closer:
                start, end = start + 1, end - 1
            elif not balanced:
                start += 1
        if end > start and text[end - 1] in _QUOTE_PAIRS.values():
            closer = text[end - 1]
            opener = next(o for o, c in _QUOTE_PAIRS.items() if c == closer)
            piece = text[start:end]
            balanced = piece.count(opener) == piece.count(closer) if opener != closer else piece.count(opener) % 2 == 0
            if not balanced:
                end -= 1
        if (start, end) == before:
            return start, end


def _clean_speaker(text: str) -> str | None:
    start, end = trim_span(text, 0, len(text))
    speaker = text[start:end]
    return speaker if any(ch.isalpha() for ch in speaker) else None


def _content(sentence: str, start: int, end: int) -> tuple[int, int] | None:
    start, end = trim_span(sentence, start, end)
    return (start, end) if _words(sentence[start:end]) >= MIN_CONTENT_WORDS else None


def _arabic_subject(sentence: str, view: str, verb_start: int) -> str | None:
    """The noun phrase before a reporting verb, when it is a subject and not an adverbial."""
    pre = view[:verb_start].rstrip()
    if not pre or pre[-1] in "،,:" or _AR_PREAMBLE.match(pre):
        return None
    lead = _AR_LEADING_CONJUNCTION.match(pre)
    offset = lead.end() if lead else 0
    if not 0 < _words(pre[offset:]) <= MAX_SPEAKER_WORDS_AR:
        return None
    return _clean_speaker(sentence[offset : len(pre)])


def _arabic(sentence: str, view: str) -> Attribution | None:
    for verb in _AR_VERB.finditer(view):
        complement = _AR_COMPLEMENT.search(view, verb.end(), verb.end() + 400)
        if complement is None or _words(view[verb.end() : complement.start()]) > MAX_SPEAKER_WORDS_AR:
            continue
        between = view[verb.end() : complement.start()]
        addressee = _AR_ADDRESSEE.search(between)
        named = between[: addressee.start()] if addressee else between
        speaker = (
            _clean_speaker(sentence[verb.end() : verb.end() + len(named)])
            if _words(named)
            else _arabic_subject(sentence, view, verb.start())
        )
        trailing = _AR_TRAILING.search(view, complement.end())
        content = _content(sentence, complement.end(), trailing.start() if trailing else len(sentence))
        if content:
            return Attribution(speaker, *content)
    return _source_cue(sentence, view, _AR_SOURCE_START, _AR_SOURCE_END)


def _source_cue(sentence: str, view: str, at_start: re.Pattern[str], at_end: re.Pattern[str]) -> Attribution | None:
    """ "According to X, Y" and "Y, according to X"."""
    if match := at_start.match(view):
        content = _content(sentence, match.end(), len(sentence))
    elif match := at_end.search(view):
        content = _content(sentence, 0, match.start())
    else:
        return None
    speaker = _clean_speaker(sentence[match.start("speaker") : match.end("speaker")])
    if content is None or speaker is None or _AR_PRONOUN_SOURCE.match(match_view(speaker)):
        return None
    return Attribution(speaker, *content)


def _english_speaker(text: str) -> str | None:
    speaker = _clean_speaker(_EN_LEADING_CONJUNCTION.sub("", text))
    if speaker is None or _words(speaker) > MAX_SPEAKER_WORDS_EN or _EN_PRONOUN.match(speaker):
        return None
    return speaker


def _words_up_to(text: str, start: int, end: int, limit: int) -> int:
    """The words of ``text[start:end]``, counted only up to ``limit + 1`` (no copy, no list)."""
    return sum(1 for _ in itertools.islice(_WORD.finditer(text, start, end), limit + 1))


def _ends_clause(text: str, end: int) -> bool:
    """Whether ``text[:end]`` ends with a comma or a quote, spaces aside."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end > 0 and text[end - 1] in ",\"'”’"


def _english(sentence: str) -> Attribution | None:
    """The English forms, trying each reporting verb; each try counts only the few words it needs."""
    for verb in _EN_VERB.finditer(sentence):
        before, after = sentence[: verb.start()], sentence[verb.end() :]
        ends_clause = _ends_clause(sentence, verb.start())
        words_after = _words_up_to(sentence, verb.end(), len(sentence), 6)
        if words_after <= 3 and not ends_clause:
            # "Y, X said." : the speaker sits between the last comma or quote and the verb
            cut = max(before.rfind(","), before.rfind('"'), before.rfind("”"))
            content = _content(sentence, 0, cut) if cut > 0 else None
            if content and _words(before[cut:]) <= MAX_SPEAKER_WORDS_EN:
                return Attribution(_english_speaker(before[cut:]), *content)
        if ends_clause and words_after <= 6 and not re.search(r"\bthat\b", after):
            # '"Y," said X.'
            content = _content(sentence, 0, len(before.rstrip()))
            if content:
                return Attribution(_english_speaker(after), *content)
        start = max((match.end() for match in _EN_CLAUSE_BOUNDARY.finditer(before)), default=0)
        if 0 < _words_up_to(sentence, start, verb.start(), MAX_SPEAKER_WORDS_EN + 2) <= MAX_SPEAKER_WORDS_EN + 2:
            # "X said (that) Y", possibly after an earlier clause: "A, but X said Y"
            skip = _EN_AFTER_VERB.match(after)
            content = _content(sentence, verb.end() + (skip.end() if skip else 0), len(sentence))
            if content:
                return Attribution(_english_speaker(before[start:]), *content, start=start)
    view = match_view(sentence)
    return _source_cue(sentence, view, _EN_SOURCE_START, _EN_SOURCE_END)


def find_attribution(sentence: str) -> Attribution | None:
    """The speaker and attributed content of ``sentence``, or None when it reports no one."""
    if len(sentence) > MAX_SENTENCE_CHARS:
        return None  # and the work per reporting verb stays bounded
    view = match_view(sentence)
    letters = [ch for ch in view if ch.isalpha()]
    arabic = sum("\u0600" <= ch <= "\u06ff" for ch in letters) >= len(letters) / 2 if letters else False
    return _arabic(sentence, view) if arabic else _english(sentence)
