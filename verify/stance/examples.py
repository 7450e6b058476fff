"""One labelled (claim, passage) training or dev pair; labels index ``LABELS`` (0 supports, 1 refutes, 2 neutral)."""

from dataclasses import dataclass

SUPPORTS, REFUTES, NEUTRAL = 0, 1, 2


@dataclass(frozen=True)
class StanceExample:
    """One labelled (claim, passage) pair and where it came from."""

    claim: str
    passage: str
    label: int
    language: str
    source: str
