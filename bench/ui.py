"""A UI-launched sample article against the warm direct run: issue 24's first target, measured as it stands.

A real Prefect server and ``sanad serve``; each run is created on the verify-article deployment as the UI's form
creates it (review pause off) and timed from its creation to its end by the server's own timestamps. The direct
runs are ``bench.article.direct`` in this process with the models loaded, in the same benchmark.
"""

import statistics
import time
from datetime import datetime

from bench.article import SAMPLE, article_home, direct
from bench.report import spread, table
from bench.serve import finished_run, launch_sample, served
from verify.settings import Settings

RUNS = 6  # the first of each kind warms up; the p50 is of the rest


def _seconds(run: dict) -> float:
    """Creation to end of a flow run, by the server's clock."""
    return (datetime.fromisoformat(run["end_time"]) - datetime.fromisoformat(run["created"])).total_seconds()


def run() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    warm, launched, states = [], [], []
    with article_home(Settings()) as home, served(home) as (api, deployment, _):
        for _ in range(RUNS):  # interleaved, so drift hits both
            finished = finished_run(api, launch_sample(api, deployment))
            states.append(finished["state"]["type"])
            launched.append(_seconds(finished))
            started = time.perf_counter()
            direct(text)
            warm.append(time.perf_counter() - started)
    ui, fast = statistics.median(launched[1:]), statistics.median(warm[1:])
    rows = [
        ["UI-launched `verify-article` (deployment run, submit to end)", spread(launched[1:]), f"{ui:.1f}"],
        ["warm direct run (models loaded, this process)", spread(warm[1:], "{:.2f}"), f"{fast:.2f}"],
    ]
    verdict = "met" if ui <= 2 * fast else "**missed**"
    return (
        "## A run launched from the UI\n\n"
        f"The sample article ({SAMPLE.name}) on the `verify-article` deployment of `sanad serve` against a real "
        "Prefect server, created through the API as the UI's form creates it (review pause off), timed from the "
        "run's creation to its end by the server's timestamps; and the same work done directly in a warm process. "
        f"{RUNS} of each, interleaved; the first of each is a warm-up. Runs ended: {', '.join(sorted(set(states)))}."
        "\n\n"
        + table(["run", "seconds, median (min-max)", "p50"], rows)
        + f"\n\nTarget (issue 24): UI-launched at most 2x the warm direct run. Now {ui / fast:.1f}x: {verdict}. "
        "Each deployment run is a new process that imports Sanad and loads e5, the check-worthiness head and the "
        "stance model before its first task. The direct runs here have the Prefect server and `sanad serve` "
        'running beside them; "The sample article end to end" times the direct run with neither.'
    )
