"""Batched forward passes of the stance network over tokenised pairs, sorted by length (fp32 or bf16)."""

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch

from verify.stance.features import FEATURE_NAMES, pair_features
from verify.stance.network import StanceConfig, StanceNetwork


def encode_pairs(tokenizer, config: StanceConfig, claims: Sequence[str], passages: Sequence[str]) -> list[dict]:
    """Token ids of each pair, the passage truncated to fit ``config.max_length``."""
    encoded = tokenizer(
        [config.claim_prefix + c for c in claims],
        [config.passage_prefix + p for p in passages],
        truncation="longest_first",
        max_length=config.max_length,
    )
    keys = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in encoded]
    return [{k: encoded[k][i] for k in keys} for i in range(len(claims))]


def feature_matrix(
    claims: Sequence[str],
    passages: Sequence[str],
    similarities: Sequence[float],
    names: Sequence[str] = FEATURE_NAMES,
) -> np.ndarray:
    """Contrast features of every pair, one row each: the columns ``names`` (a model's own feature list)."""
    columns = [FEATURE_NAMES.index(name) for name in names]
    rows = [pair_features(c, p, float(s)) for c, p, s in zip(claims, passages, similarities, strict=True)]
    return np.stack(rows)[:, columns]


def collate(encoded: Sequence[dict], features: np.ndarray, pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch of tokenised pairs into tensors."""
    width = max(len(e["input_ids"]) for e in encoded)
    batch: dict[str, torch.Tensor] = {}
    for key in encoded[0]:
        fill = pad_id if key == "input_ids" else 0
        batch[key] = torch.tensor([e[key] + [fill] * (width - len(e[key])) for e in encoded], dtype=torch.long)
    batch["features"] = torch.from_numpy(np.asarray(features, dtype=np.float32))
    return batch


def length_sorted_batches(encoded: Sequence[dict], batch_size: int) -> Iterator[list[int]]:
    """Row indexes of ``encoded`` in batches of similar token length (shortest first): little padding."""
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]["input_ids"]))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


@torch.inference_mode()
def predict_probabilities(
    network: StanceNetwork,
    encoded: Sequence[dict],
    features: np.ndarray,
    pad_id: int,
    batch_size: int = 32,
    temperature: float = 1.0,
    on_progress: Callable[[int, int], None] | None = None,
    bf16: bool = False,
) -> np.ndarray:
    """Softmax probabilities (n, 3) in input order; batches are formed by similar length.

    With ``bf16`` the matrix products run in bfloat16 under autocast (weights, layer norms and the
    softmax stay fp32).
    """
    out = np.zeros((len(encoded), 3), dtype=np.float32)
    done = 0
    for rows in length_sorted_batches(encoded, batch_size):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = network(collate([encoded[i] for i in rows], features[rows], pad_id))
        out[rows] = torch.softmax(logits.float() / temperature, dim=-1).numpy()
        done += len(rows)
        if on_progress is not None:
            on_progress(done, len(encoded))
    return out
