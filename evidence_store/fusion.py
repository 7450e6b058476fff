"""Reciprocal rank fusion of several ranked lists of ids."""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

RRF_K = 60


class Fused(NamedTuple):
    """One id after fusion, with its rank (1-based) in each input list that had it."""

    item_id: int
    score: float
    ranks: dict[str, int]


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[int]], k: int = RRF_K) -> list[Fused]:
    """Fuse ranked lists: score(id) = sum over lists of 1 / (k + rank). Best first, ties by id."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int]] = {}
    for name, ranking in rankings.items():
        for rank, item_id in enumerate(ranking, start=1):
            item_id = int(item_id)
            scores[item_id] = scores.get(item_id, 0.0) + 1.0 / (k + rank)
            ranks.setdefault(item_id, {})[name] = rank
    order = sorted(scores, key=lambda item_id: (-scores[item_id], item_id))
    return [Fused(item_id, scores[item_id], ranks[item_id]) for item_id in order]
