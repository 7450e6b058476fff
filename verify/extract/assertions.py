"""What a text asserts beyond its topic, and the two rules that follow (issue 20, items 2 and 3).

The stance model reads topic well and assertion poorly: a passage on the same events tends to come out
as support or refutation whether or not it says anything about the claim. Two kinds of assertion are
recognised by their words, Arabic and English, and decide what a passage may count for:

- an **assessment** (an opinion, a prediction, or why something was done or what it means) is
  addressed only by a passage that itself assesses, or that restates the claim (relevance at least
  ``verdict_restatement_relevance``); a report of other facts about the same events neither supports
  nor refutes it;
- a **denial** ("نفت", "denied") says that something did not happen, so it never supports a claim that
  it did, unless the claim itself reports a denial.

A passage that may not count is read as neutral: its stance keeps no support (denials) or nothing
(assessments), and the verdict cannot rest on it.
"""

from verify.extract import lexicon
from verify.extract.features import phrase_regex, states_opinion_or_prediction
from verify.extract.lexicon import match_view
from verify.types import ClaimType, StanceScore

_ASSESSMENT = phrase_regex(
    lexicon.ASSESSMENT_MARKERS_AR + lexicon.ASSESSMENT_MARKERS_EN + lexicon.OPINION_VERBS_AR + lexicon.OPINION_VERBS_EN
)
_OPINION_VERB = phrase_regex(lexicon.OPINION_VERBS_AR + lexicon.OPINION_VERBS_EN)
_DENIAL = phrase_regex(lexicon.DENIAL_MARKERS_AR + lexicon.DENIAL_MARKERS_EN)

NEUTRAL = StanceScore(supports=0.0, refutes=0.0, neutral=1.0)


def assesses(text: str) -> bool:
    """Whether ``text`` states an opinion, a prediction, or a purpose or meaning (not only what happened)."""
    view = match_view(text)
    return states_opinion_or_prediction(view) or bool(_ASSESSMENT.search(view))


def introduces_a_view(report: str) -> bool:
    """Whether the words reporting a statement ("رأى", "argued") present it as the speaker's view."""
    return bool(_OPINION_VERB.search(match_view(report)))


def denies(text: str) -> bool:
    """Whether ``text`` reports a denial ("نفت", "denied", "dismissed the allegations")."""
    return bool(_DENIAL.search(match_view(text)))


def counted_stance(
    claim: str, claim_type: ClaimType, passage: str, stance: StanceScore, restates: bool = False
) -> StanceScore:
    """The stance a verdict may count: neutral for a passage that neither ``restates`` an opinion-type claim
    nor assesses, and no support from a denial unless the claim reports one; otherwise the model's stance."""
    if claim_type == "opinion" and not restates and not assesses(passage):
        return NEUTRAL
    if stance.supports > 0.0 and denies(passage) and not denies(claim):
        return StanceScore(supports=0.0, refutes=stance.refutes, neutral=stance.neutral + stance.supports)
    return stance
