"""When a write merges segments: log-tiered, newest first, and never into a segment above a cap.

Segments fall in tiers by the order of magnitude of their live passages. Once the newest ``FACTOR``
segments share a tier they are merged into one of the next tier, so a store holds at most about
``FACTOR`` segments a tier and a passage is rewritten about once a tier. Merges that would exceed
``CAP`` passages are left to ``EvidenceStore.compact`` (the scheduled merge), so that no add pays for one.
"""

import math
from collections.abc import Sequence

FACTOR = 10
CAP = 50_000


def tier(passages: int) -> int:
    return int(math.log10(max(passages, 1)))


def trailing_merge(sizes: Sequence[int], factor: int = FACTOR, cap: int = CAP) -> int:
    """How many of the newest segments (``sizes`` oldest first) to merge into one now; 0 for none."""
    if len(sizes) < factor:
        return 0
    newest = sizes[-factor:]
    if len({tier(size) for size in newest}) != 1 or sum(newest) > cap:
        return 0
    return factor
