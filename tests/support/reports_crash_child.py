"""A child process for the reports crash test: records verify runs the way the flows do, and stops
at a chosen point (printing ``PAUSED``) so that the parent can SIGKILL it there.

    python -m tests.support.reports_crash_child DATABASE STAGE OCCURRENCE

STAGE: ``verdicts`` (inside record_verdicts' transaction, after some evidence rows), ``scoring``
(claims recorded, verdicts not yet), or ``none``.
"""

import sys
import time
from pathlib import Path

from tests.support.report_factories import make_article, make_claims, make_verdict
from verify.reports import ReportStore, rows

RUNS = 4
LABELS = ("supported", "disputed", "unverified")


def _pauser(stage: str, occurrence: int):
    calls = {"n": 0}

    def reached() -> None:
        calls["n"] += 1
        if calls["n"] == occurrence:
            print(f"PAUSED {stage}", flush=True)
            time.sleep(120)

    return reached


def main(database: str, stage: str, occurrence: str) -> None:
    store = ReportStore(Path(database))
    store.needing_review()  # creates the database
    reached = _pauser(stage, int(occurrence))
    if stage == "verdicts":
        evidence_values = rows.evidence_values
        rows.evidence_values = lambda *args: (reached(), evidence_values(*args))[1]
    print("READY", flush=True)
    for index in range(RUNS):
        article = make_article(f"article-{index}")
        claims = make_claims(article)
        run_id = store.start_run("verify-article", {"index": index}, run_id=f"run-{index}")
        store.record_article(article)
        store.record_claims(claims)
        if stage == "scoring":
            reached()
        scored = [(c, make_verdict(c, LABELS[n], 0.5 + n / 10, (n + 1, n + 2))) for n, c in enumerate(claims)]
        store.record_verdicts(run_id, scored, embedding_model="e5", store_generation=index)
        store.finish_run(run_id, "completed")
    print("DONE", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
