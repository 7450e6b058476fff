"""Negated verbs of stopping rewritten as continuation: "did not stop" -> "continued", "لم تتوقف" -> "استمرت".

Every stance model trained here reads a negated verb of stopping as a negation and so as a
contradiction of evidence that reports the thing going on ("the flights did not stop" against
"flights continued to arrive": refutes). The rewrite says the same thing without the negation,
so the model and its negation cues see an affirmative. Only the intransitive sense of ceasing is
rewritten: Arabic form V/VII verbs (توقف, انقطع; "توقف عن" becomes "استمر في"), and English
"stop"/"cease"/"halt" at the end of a clause, before an -ing verb or before a word of time or
concession, so "did not stop the flights from leaving" is kept. A stop at a place ("did not stop at
the station", "لم تتوقف في دمشق") is not a ceasing and is kept too.
"""

import re

# لم/لا/لن (with an optional و or ف), then يتوقف/تتوقف/ينقطع/تنقطع (optional shadda), a plural or dual
# ending, and "عن" (stop doing); not when في/عند (a stop at a place) follows, directly or after one word.
_ARABIC = re.compile(
    r"(?<!\S)([وف]?)(لم|لا|لن)\s+([يت])(?:توقّ?ف|نقطع)(وا|ون|ان|ا)?(\s+عن)?"
    r"(?=[\s،,.:;!؟?\"«»]|$)"  # the verb ends there
    r"(?!(?:\s+\S+)?\s+(?:في|عند)(?:\s|$))"  # and no stop at a place follows
)
_ENGLISH_AUXILIARIES = {
    "did not": "continued",
    "didn't": "continued",
    "never": "continued",
    "has not": "has continued",
    "hasn't": "has continued",
    "have not": "have continued",
    "haven't": "have continued",
    "had not": "had continued",
    "hadn't": "had continued",
    "does not": "continues",
    "doesn't": "continues",
    "do not": "continue",
    "don't": "continue",
    "will not": "will continue",
    "won't": "will continue",
}
_FOLLOWERS = "after|during|despite|since|until|even|throughout|when|while|because|and|but|yet"
_ENGLISH = re.compile(
    r"\b(" + "|".join(re.escape(a) for a in sorted(_ENGLISH_AUXILIARIES, key=len, reverse=True)) + r")\s+"
    r"(?:stop|stopped|cease|ceased|halt|halted)\b"
    r"(?=\s*(?:[.,;:!?)\"]|$)|\s+(?:" + _FOLLOWERS + r")\b|\s+\w+ing\b)",
    re.IGNORECASE,
)


def _arabic(match: re.Match[str]) -> str:
    conjunction, particle, person, ending = match.group(1), match.group(2), match.group(3), match.group(4) or ""
    doing = " في" if match.group(5) else ""  # توقف عن القتال (stopped fighting) -> استمر في القتال
    if particle == "لم":  # past: استمر / استمرت / استمروا / استمرا / استمرتا
        if person == "ت" and ending not in ("", "ا"):
            return match.group(0)  # second person plural: left as written
        verb = "استمر" + ("ت" if person == "ت" else "") + ending
    elif particle == "لا":  # present: يستمر / تستمر / يستمرون / تستمران
        verb = person + "ستمر" + ending
    else:  # لن, future: سيستمر / ستستمر / سيستمرون / ستستمران
        verb = "س" + person + "ستمر" + {"وا": "ون", "ا": "ان"}.get(ending, ending)
    return conjunction + verb + doing


def _english(match: re.Match[str]) -> str:
    auxiliary = match.group(1)
    if auxiliary.lower() == "never" and not match.group(0).lower().endswith("ed"):
        return match.group(0)  # "never stop" (a habit or an order) is left as written
    replacement = _ENGLISH_AUXILIARIES[auxiliary.lower()]
    return replacement[0].upper() + replacement[1:] if auxiliary[0].isupper() else replacement


def affirm_continuation(text: str) -> str:
    """``text`` with negated verbs of stopping said as continuation (see the module); other text unchanged."""
    if "توق" not in text and "نقطع" not in text and not re.search(r"stop|ceas|halt", text, re.IGNORECASE):
        return text
    return _ENGLISH.sub(_english, _ARABIC.sub(_arabic, text))
