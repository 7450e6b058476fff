"""Stance and verdicts: `sanad eval claims` on every shared claims file, the similarity baseline, pairs/s.

Set BENCH_STANCE_ONLY=speed or BENCH_STANCE_ONLY=quality to run one half (the whole takes about an
hour on 2 shared cores).
"""

import os
import time

from bench.data import SHARED_DATA, require
from bench.report import spread, table
from verify.claims_eval import ClaimsRun, evaluate_claims, given_evidence, read_claims
from verify.settings import Settings
from verify.stance.cross_encoder import TrainedCrossEncoder
from verify.stance.network import read_config
from verify.stance.protocol import StancePair

# (label, claims file, corpus for --retrieve or None, held-out claims only)
RUNS = (
    ("ANS dev (ar)", "claims_ans_ar_dev.jsonl", None, True),
    ("SciFact dev (en)", "claims_scifact_en.jsonl", None, True),
    ("Climate-FEVER held-out fifth (en)", "claims_climatefever_en.jsonl", None, True),
    ("FEVER-Symmetric test (en)", "claims_feversym_en.jsonl", None, True),
    ("COVID-Fact held-out fifth (en)", "claims_covidfact_en.jsonl", None, True),
    ("ANS dev, retrieved from the ANS corpus", "claims_ans_ar_dev.jsonl", "retrieval_ans_ar_corpus.jsonl", True),
    (
        "Climate-FEVER held-out, retrieved from its corpus",
        "claims_climatefever_en.jsonl",
        "retrieval_climatefever_en_corpus.jsonl",
        True,
    ),
    ("ANS train (ar; trained on)", "claims_ans_ar_train.jsonl", None, False),
    ("SciFact dev, retrieved from its corpus", "claims_scifact_en.jsonl", "retrieval_scifact_en_corpus.jsonl", True),
)


def _pairs(name: str, split: str | None, count: int) -> list[StancePair]:
    claims = [c for c in read_claims(require(SHARED_DATA / name)) if split is None or c.split == split]
    pairs = [
        StancePair(claim=c.claim, passage=e.passage.text, similarity=0.85) for c in claims for e in given_evidence(c)
    ]
    return pairs[:count]


def speed(settings: Settings) -> str:
    """Pairs per second of the shipped stance model (fp32), batch 1 and 32, short and passage-length pairs."""
    rows = []
    model = TrainedCrossEncoder(settings)
    model.warm_up()
    sets = (
        ("headline pairs (ANS dev)", "claims_ans_ar_dev.jsonl", None),
        ("abstract pairs (SciFact dev)", "claims_scifact_en.jsonl", "dev"),
    )
    for label, name, split in sets:
        pairs = _pairs(name, split, 256)
        for batch in (1, 32):
            model.settings = settings.model_copy(update={"stance_batch_size": batch})
            subset = pairs[: 64 if batch == 1 else 256]
            rates = []
            for _ in range(3):
                started = time.perf_counter()
                model.score(subset)
                rates.append(len(subset) / (time.perf_counter() - started))
            rows.append([label, batch, spread(rates)])
    return table(["pairs", "batch", "pairs/s median (min-max)"], rows)


def _row(label: str, run: ClaimsRun) -> list[object]:
    m, b = run.metrics, run.baseline
    per_class = [
        f"{m.per_class[k].precision:.2f}/{m.per_class[k].recall:.2f}/**{m.per_class[k].f1:.3f}**" for k in m.labels
    ]
    return [
        label,
        m.count,
        f"{m.accuracy:.3f}",
        f"**{m.macro_f1:.3f}**",
        *per_class,
        f"{m.ece:.3f}",
        f"{b.macro_f1:.3f}",
        f"{m.macro_f1 - b.macro_f1:+.3f}",
    ]


def quality(settings: Settings) -> str:
    """One row per claims file (and retrieval setting)."""
    rows = []
    for label, name, corpus, held_out in RUNS:
        started = time.perf_counter()
        run = evaluate_claims(
            require(SHARED_DATA / name),
            settings,
            corpus=require(SHARED_DATA / corpus) if corpus else None,
            held_out_only=held_out,
        )
        rows.append(_row(label, run))
        seconds = time.perf_counter() - started
        print(f"[bench] stance ({seconds:.0f}s): | " + " | ".join(map(str, rows[-1])) + " |", flush=True)
    header = [
        "claims",
        "n",
        "acc",
        "macro-F1",
        "supported P/R/F1",
        "disputed P/R/F1",
        "unverified P/R/F1",
        "ECE",
        "similarity baseline macro-F1",
        "Δ",
    ]
    return table(header, rows)


def run() -> str:
    settings = Settings()
    only = os.environ.get("BENCH_STANCE_ONLY", "")
    config = read_config(TrainedCrossEncoder(settings).folder)
    parts = [
        "## Stance and verdicts\n",
        "`sanad eval claims FILE --out PRED.jsonl [--held-out] [--retrieve --corpus CORPUS]` with the shipped stance "
        f"model (`verify/models/stance`, chosen epoch {config.training.get('chosen_epoch')}, "
        f"trained in {config.training.get('minutes')} min) and verdict calibration fitted on ANS dev (ar) and "
        "SciFact dev (en). `--held-out` drops claims the stance model may have trained on. The similarity baseline "
        "cuts each claim's best claim-evidence e5 cosine with two thresholds tuned on the same claims "
        "(optimistic). Per class: precision/recall/F1. Reproduce: `make models && .venv/bin/python -m bench.stance`.\n",
    ]
    if only != "quality":
        parts.append("Stance inference (the cross-encoder alone, similarity given; 2 cores, torch threads default):\n")
        parts.append(speed(settings) + "\n")
        print(parts[-1], flush=True)
    if only != "speed":
        parts.insert(2, quality(settings) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    from bench.report import write_section

    write_section("stance", run())
