"""Negated verbs of stopping are read as continuation; stops at a place and transitive uses are kept."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.stance.litotes import affirm_continuation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الرحلات لم تتوقف بين دمشق وبنغازي، وتحديدا", "الرحلات استمرت بين دمشق وبنغازي، وتحديدا"),
        ("ولم يتوقف القصف.", "واستمر القصف."),
        ("لم يتوقّف", "استمر"),
        ("لم يتوقفوا", "استمروا"),
        ("لم تنقطع الكهرباء", "استمرت الكهرباء"),
        ("لا تتوقف الرحلات", "تستمر الرحلات"),
        ("لن يتوقفوا عن القتال", "سيستمرون في القتال"),
        (
            "The flights between Damascus and Benghazi did not stop.",
            "The flights between Damascus and Benghazi continued.",
        ),
        ("Flights did not stop despite the sanctions", "Flights continued despite the sanctions"),
        ("Flights have not stopped flying", "Flights have continued flying"),
        ("The war hasn't ceased, officials said", "The war has continued, officials said"),
        ("He never stopped.", "He continued."),
        ("Did not stop.", "Continued."),
    ],
)
def test_a_negated_stop_becomes_continuation(text, expected):
    assert affirm_continuation(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "لم تتوقف في دمشق",  # a stop at a place
        "لم تتوقف الطائرة في دمشق",
        "لم يوقف الجيش الرحلات",  # transitive: stopped something
        "لم تتوقفوا",  # second person plural: left as written
        "It did not stop the flights from leaving.",
        "The bus did not stop at the station.",
        "Flights did not stop between the cities.",
        "Never stop believing",
        "The flights stopped in March.",
    ],
)
def test_other_uses_are_kept(text):
    assert affirm_continuation(text) == text


_FRAGMENTS = [
    "لم",
    "لا",
    "لن",
    "و",
    "تتوقف",
    "يتوقفوا",
    "ينقطع",
    "عن",
    "في",
    "did not",
    "never",
    "stop",
    "stopped",
    "ceased",
    "at",
    "despite",
    "flying",
    "the flights",
    ".",
    "،",
    " ",
    "\n",
]


@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=3), max_size=12).map(" ".join))
def test_the_rewrite_never_fails_and_is_idempotent(text):
    once = affirm_continuation(text)
    assert affirm_continuation(once) == once
