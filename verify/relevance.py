"""Bi-encoder relevance of (claim, passage) pairs: the cosine of their e5 embeddings."""

from collections.abc import Callable, Sequence

import numpy as np

from evidence_store.embedding.embedder import load_embedder
from evidence_store.settings import StoreSettings


def pair_similarities(
    claims: Sequence[str],
    passages: Sequence[str],
    settings: StoreSettings,
    on_progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Cosine of each claim (embedded as a query) with its passage; each distinct text embedded once."""
    if len(claims) != len(passages):
        raise ValueError("claims and passages must pair up")
    if not claims:
        return np.zeros(0, dtype=np.float32)
    embedder = load_embedder(settings)
    unique_claims, unique_passages = sorted(set(claims)), sorted(set(passages))
    claim_vectors = embedder.embed(unique_claims, "query")
    passage_vectors = embedder.embed(unique_passages, "passage", on_progress=on_progress)
    claim_row = {text: i for i, text in enumerate(unique_claims)}
    passage_row = {text: i for i, text in enumerate(unique_passages)}
    left = claim_vectors[[claim_row[c] for c in claims]]
    right = passage_vectors[[passage_row[p] for p in passages]]
    return np.einsum("ij,ij->i", left, right).astype(np.float32)
