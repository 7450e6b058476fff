"""EmbeddingGemma-300M as the base of the stance cross-encoder: an experiment (issue 20, item 1b), not shipped.

A claim and a passage go through the encoder as one text ("claim: ...\\nevidence: ..."); the mean of its
last hidden states feeds a linear head over supports / refutes / neutral. The lower layers stay frozen and
their output is computed once per pair and cached (fp16); only the top ``top_layers`` layers and the head
are trained, in fp32 on the CPU. Data and model selection are the e5 stance model's (``stance_data``):
the same training mix and the same pair-level dev sets, plus the out-of-domain English pairs that the
model card compares both bases on.

    python -m verify.training.gemma_stance --model DIR --data ../shared/data --out DIR [--limit N]
"""

import argparse
import json
import math
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from torch import nn

from verify.training.metrics import classification_metrics
from verify.training.stance import class_weighted_loss, seed_everything, warmup_then_linear_decay
from verify.training.stance_data import (
    StanceExample,
    climatefever_pairs,
    covidfact_pairs,
    dev_sets,
    feversym_pairs,
    training_mix,
)

LABELS = ("supports", "refutes", "neutral")


def pair_text(claim: str, passage: str) -> str:
    """The one text a pair is encoded as."""
    return f"claim: {claim}\nevidence: {passage}"


@contextmanager
def layer_range(model: nn.Module, start: int, end: int, final_norm: bool) -> Iterator[None]:
    """Run ``model`` (a Gemma3TextModel) through layers ``start:end`` only: inputs_embeds are the hidden
    states entering layer ``start``; without ``final_norm`` the output is the raw state leaving ``end``."""
    layers, types, count, norm = model.layers, model.config.layer_types, model.config.num_hidden_layers, model.norm
    model.layers = nn.ModuleList(list(layers)[start:end])
    model.config.layer_types = types[start:end]
    model.config.num_hidden_layers = end - start
    if not final_norm:
        model.norm = nn.Identity()
    try:
        yield
    finally:
        model.layers, model.config.layer_types, model.config.num_hidden_layers, model.norm = layers, types, count, norm


class Cached:
    """Frozen lower-layer states of tokenised pairs, one fp16 tensor (length, width) per pair."""

    def __init__(self, states: list[torch.Tensor], labels: list[int]) -> None:
        self.states, self.labels = states, labels

    def batch(self, rows: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        length = max(self.states[i].shape[0] for i in rows)
        width = self.states[rows[0]].shape[1]
        hidden = torch.zeros(len(rows), length, width)
        mask = torch.zeros(len(rows), length, dtype=torch.long)
        for j, i in enumerate(rows):
            n = self.states[i].shape[0]
            hidden[j, :n] = self.states[i].float()
            mask[j, :n] = 1
        return hidden, mask, torch.tensor([self.labels[i] for i in rows])


def cache_lower(
    model: nn.Module, tokenizer, examples: list[StanceExample], split: int, max_tokens: int, batch_size: int = 32
) -> Cached:
    """Each pair's hidden states after the first ``split`` layers (inputs embedded and scaled by Gemma)."""
    texts = [pair_text(e.claim, e.passage) for e in examples]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    states: list[torch.Tensor | None] = [None] * len(texts)
    started = time.perf_counter()
    with torch.inference_mode(), layer_range(model, 0, split, final_norm=False):
        for b in range(0, len(order), batch_size):
            rows = order[b : b + batch_size]
            tokens = tokenizer(
                [texts[i] for i in rows], padding=True, truncation=True, max_length=max_tokens, return_tensors="pt"
            )
            hidden = model(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"]).last_hidden_state
            for j, i in enumerate(rows):
                states[i] = hidden[j, : int(tokens["attention_mask"][j].sum())].to(torch.float16).clone()
            if b // batch_size % 20 == 0:
                rate = (b + len(rows)) / (time.perf_counter() - started)
                print(f"  cached {b + len(rows)}/{len(texts)} pairs ({rate:.1f}/s)", flush=True)
    return Cached([s for s in states if s is not None], [e.label for e in examples])


class UpperStance(nn.Module):
    """The trainable top layers (run through the Gemma model) and a linear head over mean-pooled states."""

    def __init__(self, model: nn.Module, split: int) -> None:
        super().__init__()
        self.model, self.split = model, split
        self.head = nn.Linear(model.config.hidden_size, len(LABELS))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        with layer_range(self.model, self.split, self.model.config.num_hidden_layers, final_norm=True):
            out = self.model(inputs_embeds=hidden, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        pooled = (out * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.head(pooled)


def probabilities(network: UpperStance, cached: Cached, batch_size: int = 64) -> np.ndarray:
    """P(supports, refutes, neutral) of every cached pair."""
    network.eval()
    out = []
    with torch.inference_mode():
        for b in range(0, len(cached.labels), batch_size):
            hidden, mask, _ = cached.batch(list(range(b, min(b + batch_size, len(cached.labels)))))
            out.append(torch.softmax(network(hidden, mask), -1).numpy())
    network.train()
    return np.concatenate(out)


def macro_f1(network: UpperStance, cached: Cached) -> float:
    """Pair-level macro-F1 over the three stances."""
    predicted = probabilities(network, cached).argmax(1)
    gold = [LABELS[i] for i in cached.labels]
    return classification_metrics(gold, [LABELS[i] for i in predicted], LABELS).macro_f1


def evaluation_sets(data: Path) -> dict[str, list[StanceExample]]:
    """The e5 model's selection sets and the held-out English pairs unlike its training data."""
    sets = dev_sets(data)
    sets["climatefever_held_out"] = climatefever_pairs(data, held_out=True)
    sets["covidfact_held_out"] = covidfact_pairs(data, held_out=True)
    sets["feversym_test"] = feversym_pairs(data, "test")
    return sets


def train(args: argparse.Namespace) -> dict:
    """Cache, train, evaluate per epoch; returns the per-epoch dev scores (also written to --out)."""
    from sentence_transformers import SentenceTransformer

    seed_everything(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    encoder = SentenceTransformer(str(args.model), device="cpu")
    model, tokenizer = encoder[0].auto_model, encoder.tokenizer
    split = model.config.num_hidden_layers - args.top_layers
    for parameter in model.parameters():
        parameter.requires_grad = False
    mix = training_mix(args.data, args.seed)[: args.limit]
    evaluation = {name: pairs[: args.dev_limit] for name, pairs in evaluation_sets(args.data).items()}
    print(f"caching {len(mix)} training pairs through {split} frozen layers", flush=True)
    train_cache = cache_lower(model, tokenizer, mix, split, args.max_tokens)
    dev_caches = {}
    for name, pairs in evaluation.items():
        print(f"caching {name} ({len(pairs)} pairs)", flush=True)
        dev_caches[name] = cache_lower(model, tokenizer, pairs, split, args.max_tokens)
    network = UpperStance(model, split)
    upper = [p for layer in list(model.layers)[split:] for p in layer.parameters()] + list(model.norm.parameters())
    for parameter in upper:
        parameter.requires_grad = True
    optimizer = torch.optim.AdamW(
        [{"params": upper, "lr": args.lr}, {"params": network.head.parameters(), "lr": args.head_lr}],
        weight_decay=0.01,
    )
    loss_fn = class_weighted_loss(train_cache.labels)
    schedule = warmup_then_linear_decay(optimizer, args.epochs * math.ceil(len(mix) / args.batch_size), 0.06)
    history = []
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        rows = list(range(len(mix)))
        rng.shuffle(rows)
        for step, b in enumerate(range(0, len(rows), args.batch_size)):
            hidden, mask, labels = train_cache.batch(rows[b : b + args.batch_size])
            loss = loss_fn(network(hidden, mask), labels)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(upper + list(network.head.parameters()), 1.0)
            optimizer.step()
            schedule.step()
            if step % 50 == 0:
                print(f"  epoch {epoch} step {step} loss {loss.item():.3f}", flush=True)
        minutes = (time.perf_counter() - started) / 60
        scores = {name: round(macro_f1(network, cached), 3) for name, cached in dev_caches.items()}
        history.append({"epoch": epoch, "train_minutes": round(minutes, 1), "macro_f1": scores})
        print(json.dumps(history[-1]), flush=True)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "history.json").write_text(json.dumps(history, indent=1))
    return {"history": history}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="the built EmbeddingGemma folder")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N pairs of the mix")
    parser.add_argument("--dev-limit", type=int, default=None, help="evaluate on the first N pairs of each set")
    parser.add_argument("--top-layers", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    train(parser.parse_args())


if __name__ == "__main__":
    main()
