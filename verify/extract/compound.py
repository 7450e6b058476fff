"""Splitting long compound sentences where they join independent assertions."""

import itertools
import re

from verify.extract.lexicon import match_view

# A comma (or semicolon) followed by a connective that opens a new clause. Arabic: لذا، لكن، بينما،
# في حين، إلا أن، فـ + definite noun or particle, و + clause particle; English: but, while, whereas,
# although, and + pronoun.
_JOINS = re.compile(
    r"[؛;]\s*"
    r"|[،,]\s*(?=(?:لذا|لذلك|لكن|ولكن|بل|بينما|في حين|الا ان|كما ان|فان|فقد|فهو|فهي|فهم|وان|وانه|وانها|وانهم"
    r"|وقد|ولم|ولن|ومن المتوقع|ومن المرجح|ومن المحتمل)(?!\w)|فال)"
    r"|,\s*(?=(?:but|while|whereas|although|and (?:he|she|they|it|we|i)|yet)\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def split_clauses(text: str, start: int, end: int, min_words: int = 6) -> list[tuple[int, int]]:
    """Independent clauses of ``text[start:end]`` as spans; one span when it does not split.

    A clause shorter than ``min_words`` stays joined to its neighbour. Only the sentence is folded
    (``match_view`` keeps offsets), and each stretch between joins is counted once, so the work is
    linear in the sentence.
    """
    view = match_view(text[start:end])
    cuts = [0]
    words = 0  # in view[cuts[-1]:position]; a join is punctuation and spaces, so no word straddles one
    position = 0
    for match in _JOINS.finditer(view):
        words += _words(view[position : match.start()])
        position = match.end()
        if words >= min_words:
            cuts.append(match.end())
            words = 0
    if len(cuts) > 1 and words + _words(view[position:]) < min_words:
        cuts.pop()
    bounds = [*cuts, len(view)]
    spans = []
    for left, right in itertools.pairwise(bounds):
        stop = right
        while stop > left and (view[stop - 1].isspace() or view[stop - 1] in "،,;؛"):
            stop -= 1
        spans.append((start + left, start + stop))
    return spans
