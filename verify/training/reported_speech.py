"""Reported-speech pairs for the stance model: a denial of the evidence refutes, a confirmation keeps its stance.

News evidence often reports what someone said rather than what happened: "the airline denied
that it flew fighters to Libya", "the ministry called the reports rumours". The public stance
sets hardly contain such passages, so a model trained on them reads a denial that repeats the
claim's words as support. These pairs are made from pairs of the mix by wrapping the passage (and,
for one kind, the claim too) in a reporting frame in the passage's own language:

- denial or "rumours" frame around a supporting passage: refutes;
- confirmation frame around any passage: the pair keeps its label (so neither the frame nor the
  repeated words are the signal: "the ministry said the airport reopened" still refutes "the airport
  did not reopen"); refuting pairs where only one side is negated get a share of their own, since a
  frame of "said" around them is where a model loses the negation;
- the same denial frame around both claim and passage of a supporting pair: supports (a denial
  agrees with a denial);
- denial frame around a neutral passage: neutral (a denial of something else says nothing about
  the claim, so the frame alone is not the signal for "refutes" either).

Only single-sentence statements are framed (no SciFact abstracts, no questions).
"""

import random
import re
from collections.abc import Callable

from verify.stance.features import has_negation, is_arabic_script
from verify.training.stance_data import NEUTRAL, REFUTES, SUPPORTS, StanceExample

MAX_PASSAGE_WORDS = 45

# The same actor in Arabic (with its grammatical gender) and in English.
_ACTORS = (
    ("الحكومة", True, "The government"),
    ("الوزارة", True, "The ministry"),
    ("الشركة", True, "The company"),
    ("الرئاسة", True, "The presidency"),
    ("المتحدث باسم الحكومة", False, "A government spokesman"),
    ("مسؤول في الوزارة", False, "A ministry official"),
    ("مصدر رسمي", False, "An official source"),
    ("الجيش", False, "The army"),
)
# Arabic verbs agree with the actor: {masculine|feminine}.
_FRAMES = {
    ("ar", "denied"): (
        "{نفى|نفت} {actor} صحة التقارير التي تقول إن {text}",
        "{نفى|نفت} {actor} ما تردد عن أن {text}",
        "{كذّب|كذّبت} {actor} الأنباء التي أفادت بأن {text}",
        "{رفض|رفضت} {actor} الاتهامات بأن {text}",
    ),
    ("ar", "rumour"): (
        "{وصف|وصفت} {actor} ما يقال عن أن {text} بأنه إشاعات",
        "{قال|قالت} {actor} إن الحديث عن أن {text} مجرد شائعات لا أساس لها",
    ),
    ("ar", "confirmed"): (
        "{أكد|أكدت} {actor} أن {text}",
        "{قال|قالت} {actor} إن {text}",
        "{أفاد|أفادت} {actor} بأن {text}",
        "{أعلن|أعلنت} {actor} أن {text}",
    ),
    ("en", "denied"): (
        "{actor} denied reports that {text}.",
        "{actor} denied that {text}.",
        "{actor} rejected claims that {text}.",
        "{actor} dismissed allegations that {text}.",
    ),
    ("en", "rumour"): (
        "{actor} dismissed as rumours the claims that {text}.",
        "{actor} said talk that {text} was a baseless rumour.",
    ),
    ("en", "confirmed"): (
        "{actor} confirmed that {text}.",
        "{actor} said that {text}.",
        "According to {actor_lower}, {text}.",
        "{actor} announced that {text}.",
    ),
}
_AGREEMENT = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")


def _labelled(label: int) -> Callable[[StanceExample], bool]:
    return lambda pair: pair.label == label


def _any_pair(_pair: StanceExample) -> bool:
    return True


def _negation_contrast(pair: StanceExample) -> bool:
    """A refuting pair where exactly one side is negated ("did not reopen" against "reopened")."""
    return pair.label == REFUTES and has_negation(pair.claim) != has_negation(pair.passage)


# Per kind (passage denied, passage called rumours, passage confirmed, a negation contrast confirmed,
# claim and passage both denied, a neutral passage denied): its share of the generated pairs, the
# frame it uses, which pairs it frames and the label the framed pair gets (None: the pair's own).
_KINDS: dict[str, tuple[float, str, Callable[[StanceExample], bool], int | None]] = {
    "denied": (0.3, "denied", _labelled(SUPPORTS), REFUTES),
    "rumour": (0.1, "rumour", _labelled(SUPPORTS), REFUTES),
    "confirmed": (0.3, "confirmed", _any_pair, None),
    "confirmed_negation": (0.15, "confirmed", _negation_contrast, REFUTES),
    "both_denied": (0.1, "denied", _labelled(SUPPORTS), SUPPORTS),
    "denied_neutral": (0.2, "denied", _labelled(NEUTRAL), NEUTRAL),
}


def _clause(text: str, language: str) -> str:
    """``text`` as a clause to embed: outer space and final stop dropped, English sentence case undone."""
    clause = text.strip().rstrip(".!؟?。").strip()
    if language == "en" and len(clause) > 1 and clause[0].isupper() and clause[1].islower():
        clause = clause[0].lower() + clause[1:]
    return clause


def frame(text: str, kind: str, rng: random.Random, actor: int | None = None) -> str:
    """``text`` inside a reporting frame of ``kind`` (denied, rumour, confirmed), in the text's language.

    ``actor`` picks the reporting actor by index (random when None), so two frames can share one.
    """
    language = "ar" if is_arabic_script(text) else "en"
    arabic, feminine, english = _ACTORS[rng.randrange(len(_ACTORS)) if actor is None else actor]
    template = rng.choice(_FRAMES[(language, kind)])
    template = _AGREEMENT.sub(lambda verb: verb.group(2 if feminine else 1), template)
    name = arabic if language == "ar" else english
    return template.format(actor=name, actor_lower=name[0].lower() + name[1:], text=_clause(text, language))


def _is_sentence(text: str) -> bool:
    """A single news-like statement: short, one line, not a question."""
    return len(text.split()) <= MAX_PASSAGE_WORDS and "\n" not in text.strip() and not re.search(r"[?؟]", text)


def _framed_pair(pair: StanceExample, kind: str, rng: random.Random) -> StanceExample:
    _share, framing, _source, label = _KINDS[kind]
    if kind == "both_denied":
        actor = rng.randrange(len(_ACTORS))
        claim, passage = frame(pair.claim, framing, rng, actor), frame(pair.passage, framing, rng, actor)
    else:
        claim, passage = pair.claim, frame(pair.passage, framing, rng)
    label = pair.label if label is None else label
    return StanceExample(claim, passage, label, pair.language, f"reported_{kind}")


def reported_speech_pairs(pairs: list[StanceExample], count: int, rng: random.Random) -> list[StanceExample]:
    """Up to ``count`` framed pairs made from the sentence-length pairs of ``pairs`` (see the module)."""
    candidates = [
        p for p in pairs if not p.source.startswith("scifact") and _is_sentence(p.passage) and _is_sentence(p.claim)
    ]
    pools = {}  # per kind, indexes into candidates in their own random order; a pair is framed once at most
    for kind, (_share, _framing, takes, _label) in _KINDS.items():
        pools[kind] = [i for i, p in enumerate(candidates) if takes(p)]
        rng.shuffle(pools[kind])
    used: set[int] = set()
    out = []
    kinds = [kind for kind in _KINDS if pools[kind]]  # those with pairs to frame
    for kind in rng.choices(kinds, weights=[_KINDS[kind][0] for kind in kinds], k=count) if kinds else []:
        pool = pools[kind]
        while pool and pool[-1] in used:
            pool.pop()
        if pool:
            used.add(pool[-1])
            out.append(_framed_pair(candidates[pool.pop()], kind, rng))
    return out
