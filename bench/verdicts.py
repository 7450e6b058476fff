"""Stance and verdict speed, and verdict macro-F1 on the two dev sets, within ``make bench``'s time.

The full claims table (nine files and retrieval settings, about an hour on 2 cores) is the
``stance`` benchmark, run by name: ``python -m bench stance``.
"""

from bench.stance import RUNS, quality, speed, verdict_step
from verify.settings import Settings

QUICK = ("ANS dev (ar)", "SciFact dev (en)")


def run() -> str:
    settings = Settings()
    return "\n".join(
        [
            "## Stance and verdict speed\n",
            "The shipped stance model on 2 cores. Pairs per second of the cross-encoder alone (similarity given), "
            "at batch 1 and 32, fp32 and bf16 matmuls side by side:\n",
            speed(settings),
            "\nThe verdict step per claim (`verify.verifier.judge`: e5 relevance of each passage, stance, calibrated "
            "aggregation), claims in one batch of 32:\n",
            verdict_step(settings),
            "\nVerdict quality through `sanad eval claims FILE --held-out` (its code path, `evaluate_claims`) on the "
            "two dev sets; the full table over every claims file is in 'Stance and verdicts' below:\n",
            quality(settings, tuple(run for run in RUNS if run[0] in QUICK)),
        ]
    )
