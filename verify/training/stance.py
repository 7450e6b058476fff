"""Training the stance cross-encoder: seeded, length-bucketed LoRA fine-tuning with per-epoch dev checks.

Recipe (see ``verify/models/README.md``): e5-small + LoRA on the attention and dense layers above
the first ``lora.first_layer`` (those stay as built, so their outputs are computed once per pair
and cached: an epoch costs only the upper layers), mean pooling, contrast features and bi-encoder
similarity into a small MLP head, AdamW with separate adapter and head learning rates, linear
warm-up and decay, length-bucketed batches, class-weighted cross-entropy over the balanced mix of
``verify.training.stance_data``; the epoch with the best mean macro-F1 over the dev sets (ANS dev, SciFact
dev, cross-lingual XNLI dev) is kept. ``reported_pairs`` adds reported-speech pairs to the mix
(``verify.training.reported_speech``: a denied report refutes) and a framed dev set that counts in that choice.
"""

import hashlib
import math
import random
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict

from evidence_store.settings import StoreSettings
from verify.relevance import pair_similarities
from verify.stance.inference import collate, encode_pairs, feature_matrix, length_sorted_batches
from verify.stance.network import (
    WEIGHTS_FILE,
    LoraSettings,
    StanceConfig,
    StanceNetwork,
    new_network,
    save_network,
    write_config,
)
from verify.stance.protocol import LABELS
from verify.training.metrics import classification_metrics
from verify.training.reported_speech import reported_speech_pairs
from verify.training.stance_data import StanceExample, dev_sets, training_mix

Log = Callable[[str], None]


class TrainSettings(BaseModel):
    """Hyperparameters of ``sanad train stance`` (defaults are the shipped model's)."""

    model_config = ConfigDict(frozen=True)

    seed: int = 13
    epochs: int = 3
    batch_size: int = 16
    lr: float = 3e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_share: float = 0.06
    max_length: int = 192
    lora: LoraSettings = LoraSettings(first_layer=4)
    threads: int = 1
    limit: int | None = None  # train on the first N pairs of the mix only (pilot runs)
    dev_limit: int | None = None  # score only the first N pairs of each dev set
    reported_pairs: int = 0  # reported-speech pairs (verify.training.reported_speech) added to the mix, with a dev set


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def warmup_then_linear_decay(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_share: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rates rising linearly over the first ``warmup_share`` of the steps, then falling linearly to 0."""
    warmup = max(1, int(total_steps * warmup_share))
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / max(1, total_steps - warmup)))
    )


def class_weighted_loss(labels: Sequence[int]) -> torch.nn.CrossEntropyLoss:
    """Cross-entropy over supports / refutes / neutral, each class weighted by its inverse frequency."""
    counts = np.bincount(labels, minlength=3).astype(np.float32)
    weights = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    return torch.nn.CrossEntropyLoss(weight=weights)


def _pair_key(claim: str, passage: str) -> str:
    return hashlib.sha256(f"{claim}\x00{passage}".encode()).hexdigest()[:24]


def cached_similarities(
    examples: Sequence[StanceExample], settings: StoreSettings, cache: Path, log: Log
) -> np.ndarray:
    """Bi-encoder cosines of the pairs, computed once and kept in ``cache`` (npz) across runs."""
    known: dict[str, float] = {}
    if cache.exists():
        with np.load(cache) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["values"].tolist(), strict=True))
    keys = [_pair_key(e.claim, e.passage) for e in examples]
    todo = [i for i, k in enumerate(keys) if k not in known]
    if todo:
        log(f"embedding {len(todo)} pairs for the similarity feature")
        values = pair_similarities([examples[i].claim for i in todo], [examples[i].passage for i in todo], settings)
        known.update({keys[i]: float(v) for i, v in zip(todo, values, strict=True)})
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, keys=np.array(list(known)), values=np.array(list(known.values()), dtype=np.float32))
    return np.array([known[k] for k in keys], dtype=np.float32)


def length_bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar-length pairs (less padding, same randomness per seed)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 32
    batches = []
    for start in range(0, len(order), chunk):
        group = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches.extend(group[i : i + batch_size] for i in range(0, len(group), batch_size))
    rng.shuffle(batches)
    return batches


class _Prepared:
    """Tokenised pairs, features and labels of one set, and the frozen layers' output of each pair."""

    def __init__(self, examples, tokenizer, config, similarities, network: StanceNetwork, pad_id: int) -> None:
        claims, passages = [e.claim for e in examples], [e.passage for e in examples]
        self.examples = examples
        self.encoded = encode_pairs(tokenizer, config, claims, passages)
        self.features = feature_matrix(claims, passages, similarities)
        self.labels = np.array([e.label for e in examples], dtype=np.int64)
        self.frozen = config.lora.first_layer
        self.states = frozen_states(network, self.encoded, self.features, pad_id, self.frozen)

    def logits(self, network: StanceNetwork, rows: Sequence[int], pad_id: int) -> torch.Tensor:
        """Logits of the pairs ``rows``, run from the cached frozen-layer states."""
        batch = collate([self.encoded[i] for i in rows], self.features[rows], pad_id)
        if not self.frozen:
            return network(batch)
        hidden = torch.zeros(*batch["input_ids"].shape, self.states[0].shape[-1])
        for n, i in enumerate(rows):
            hidden[n, : len(self.states[i])] = self.states[i]
        return network.forward_from(hidden, batch["attention_mask"], batch["features"], self.frozen)


@torch.inference_mode()
def frozen_states(
    network: StanceNetwork, encoded: Sequence[dict], features: np.ndarray, pad_id: int, layers: int
) -> list[torch.Tensor]:
    """Per pair, the fp16 hidden states after the first ``layers`` encoder layers (none when 0)."""
    if not layers:
        return []
    network.eval()
    states: list[torch.Tensor] = [torch.empty(0)] * len(encoded)
    for rows in length_sorted_batches(encoded, 32):
        hidden = network.lower_states(collate([encoded[i] for i in rows], features[rows], pad_id), layers)
        for n, i in enumerate(rows):
            states[i] = hidden[n, : len(encoded[i]["input_ids"])].to(torch.float16).clone()
    network.train()
    return states


@torch.inference_mode()
def _probabilities(network: StanceNetwork, prepared: _Prepared, pad_id: int) -> np.ndarray:
    out = np.zeros((len(prepared.labels), 3), dtype=np.float32)
    for rows in length_sorted_batches(prepared.encoded, 32):
        out[rows] = torch.softmax(prepared.logits(network, rows, pad_id).float(), dim=-1).numpy()
    return out


def _dev_scores(network, dev: dict[str, _Prepared], pad_id: int) -> dict[str, dict]:
    network.eval()
    scores = {}
    for name, prepared in dev.items():
        probabilities = _probabilities(network, prepared, pad_id)
        predicted = probabilities.argmax(1)
        metrics = classification_metrics(
            [LABELS[i] for i in prepared.labels], [LABELS[i] for i in predicted], LABELS, probabilities.max(1)
        )
        scores[name] = {
            "pairs": metrics.count,
            "accuracy": round(metrics.accuracy, 4),
            "macro_f1": round(metrics.macro_f1, 4),
            "f1": {k: round(v.f1, 4) for k, v in metrics.per_class.items()},
        }
    network.train()
    return scores


class _Fit(BaseModel):
    """What the epochs produced: per-epoch history and the best epoch by mean dev macro-F1."""

    history: list[dict]
    best_epoch: int
    best_scores: dict


def _mean_f1(scores: dict[str, dict]) -> float:
    return float(np.mean([s["macro_f1"] for s in scores.values()]))


def _fit(
    network: StanceNetwork,
    train_set: _Prepared,
    dev: dict[str, _Prepared],
    pad_id: int,
    train: TrainSettings,
    rng: random.Random,
    checkpoints: Path,
    config: StanceConfig,
    log: Log,
) -> _Fit:
    """AdamW with separate adapter and head learning rates, linear warm-up and decay over ``train.epochs``;
    dev scores and a checkpoint per epoch."""
    head_params = list(network.head.parameters())
    adapter_params = [p for p in network.encoder.parameters() if p.requires_grad]
    log(f"trainable parameters: {sum(p.numel() for p in head_params + adapter_params):,}")
    optimizer = torch.optim.AdamW(
        [{"params": adapter_params, "lr": train.lr}, {"params": head_params, "lr": train.head_lr}],
        weight_decay=train.weight_decay,
    )
    lengths = [len(e["input_ids"]) for e in train_set.encoded]
    total_steps = math.ceil(len(lengths) / train.batch_size) * train.epochs
    schedule = warmup_then_linear_decay(optimizer, total_steps, train.warmup_share)
    loss_fn = class_weighted_loss(train_set.labels)
    counts = np.bincount(train_set.labels, minlength=3).tolist()
    log(f"class counts {counts}, loss weights {[round(w, 3) for w in loss_fn.weight.tolist()]}")
    history, best = [], None
    network.train()
    step = 0
    for epoch in range(1, train.epochs + 1):
        epoch_start, seen, running = time.monotonic(), 0, 0.0
        for batch_rows in length_bucketed_batches(lengths, train.batch_size, rng):
            logits = train_set.logits(network, batch_rows, pad_id)
            loss = loss_fn(logits, torch.from_numpy(train_set.labels[batch_rows]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(adapter_params + head_params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            seen += len(batch_rows)
            running = 0.98 * running + 0.02 * loss.item() if running else loss.item()
            if step % 25 == 0 or seen == len(lengths):
                rate = seen / (time.monotonic() - epoch_start)
                log(
                    f"epoch {epoch} step {step}/{total_steps} loss {running:.3f} "
                    f"{rate:.1f} pairs/s, epoch eta {(len(lengths) - seen) / rate / 60:.1f} min"
                )
        scores = _dev_scores(network, dev, pad_id)
        history.append({"epoch": epoch, "minutes": round((time.monotonic() - epoch_start) / 60, 1), "dev": scores})
        log(
            f"epoch {epoch} done: "
            + "; ".join(f"{k} macro-F1 {v['macro_f1']:.3f} {v['f1']}" for k, v in scores.items())
        )
        save_network(network, config, checkpoints / f"epoch-{epoch}")
        if best is None or _mean_f1(scores) > best[0]:
            best = (_mean_f1(scores), epoch, scores)
    assert best is not None
    return _Fit(history=history, best_epoch=best[1], best_scores=best[2])


def _prepare(
    sets: dict[str, list[StanceExample]], tokenizer, config: StanceConfig, network, settings, log: Log
) -> dict[str, _Prepared]:
    cache = settings.home / "cache" / "stance-similarities.npz"
    similarities = {name: cached_similarities(pairs, settings, cache, log) for name, pairs in sets.items()}
    log(f"running the {config.lora.first_layer} frozen layers once over every pair")
    pad_id = tokenizer.pad_token_id
    return {
        name: _Prepared(pairs, tokenizer, config, similarities[name], network, pad_id) for name, pairs in sets.items()
    }


def _reported_dev(dev_examples: dict[str, list[StanceExample]]) -> dict[str, list[StanceExample]]:
    """A ``reported_dev`` set framed from the Arabic and cross-lingual dev pairs (never trained on), if any."""
    framed = reported_speech_pairs(dev_examples["ans_dev"] + dev_examples["xnli_cross_dev"], 600, random.Random(7))
    return {"reported_dev": framed} if framed else {}


def _write(folder: Path, checkpoint: Path, config: StanceConfig) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(checkpoint / WEIGHTS_FILE, folder / WEIGHTS_FILE)
    write_config(config, folder)


def train_stance(
    data_dir: Path, base_dir: Path, out_dir: Path, settings: StoreSettings, train: TrainSettings, log: Log = print
) -> StanceConfig:
    """Train on the mix, keep the best epoch by mean dev macro-F1 and write it into ``out_dir``."""
    from transformers import AutoTokenizer

    started = time.monotonic()
    torch.set_num_threads(train.threads)
    seed_everything(train.seed)
    rng = random.Random(train.seed)
    config = StanceConfig(max_length=train.max_length, lora=train.lora)
    mix = training_mix(data_dir, train.seed)[: train.limit]
    dev_examples = {name: pairs[: train.dev_limit] for name, pairs in dev_sets(data_dir).items()}
    if train.reported_pairs:
        mix += reported_speech_pairs(mix, train.reported_pairs, rng)
        rng.shuffle(mix)
        dev_examples |= _reported_dev(dev_examples)
    log(f"training pairs: {len(mix)}; dev pairs: " + ", ".join(f"{k} {len(v)}" for k, v in dev_examples.items()))

    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    seed_everything(train.seed)
    network = new_network(base_dir, config)
    prepared = _prepare({"train": mix, **dev_examples}, tokenizer, config, network, settings, log)
    train_set = prepared.pop("train")
    log(f"prepared in {(time.monotonic() - started) / 60:.1f} min")
    checkpoints = settings.home / "checkpoints" / "stance"  # per epoch, outside the committed folder
    fit = _fit(network, train_set, prepared, tokenizer.pad_token_id, train, rng, checkpoints, config, log)
    minutes = round((time.monotonic() - started) / 60, 1)
    training = {**train.model_dump(mode="json"), "pairs": len(mix)}
    training.update(chosen_epoch=fit.best_epoch, minutes=minutes, history=fit.history)
    final = config.model_copy(update={"training": training, "dev_scores": fit.best_scores})
    _write(out_dir, checkpoints / f"epoch-{fit.best_epoch}", final)
    log(f"kept epoch {fit.best_epoch}; wrote {out_dir} after {minutes} min")
    return final
