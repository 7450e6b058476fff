"""Issue 24's first targets: a UI-launched sample article against the warm direct run, and one evidence
search from the command line, each with and without a warm worker.

A real Prefect server and ``sanad serve``; each run is created on the verify-article deployment as the UI's form
creates it (review pause off) and timed from its creation to its end by the server's own timestamps. The direct
runs are ``bench.article.direct`` in this process with the models loaded, in the same benchmark. The searches are
``sanad evidence search`` processes, timed from start to exit, with the server's warm worker and without any
Prefect API (loading the model themselves).
"""

import statistics
import subprocess
import time
from datetime import datetime

from bench.article import SAMPLE, article_home, direct
from bench.report import spread, table
from bench.serve import BIN, finished_run, launch_sample, served
from verify.settings import Settings

RUNS = 6  # the first of each kind warms up; the p50 is of the rest
QUERY = "Cham Wings flights to Benghazi"


def _seconds(run: dict, start: str = "created", end: str = "end_time") -> float:
    """Creation (or ``start``) to end (or ``end``) of a flow run, by the server's clock."""
    return (datetime.fromisoformat(run[end]) - datetime.fromisoformat(run[start])).total_seconds()


def _search_seconds(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "sanad"), "evidence", "search", QUERY, "--k", "5"], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def _launched(home, workers: int, text: str) -> dict[str, list]:
    """UI-launched runs on ``sanad serve --workers N`` interleaved with warm direct runs, and (with a worker)
    command-line searches with and without it."""
    found: dict[str, list] = {
        "launched": [],
        "waited": [],
        "direct": [],
        "states": [],
        "search worker": [],
        "search cold": [],
    }
    with served(home, workers=workers) as (api, deployment, _, env):
        for _ in range(RUNS):  # interleaved, so drift hits both
            finished = finished_run(api, launch_sample(api, deployment))
            found["states"].append(finished["state"]["type"])
            found["launched"].append(_seconds(finished))
            found["waited"].append(_seconds(finished, end="start_time"))  # the runner's pick-up and the new process
            started = time.perf_counter()
            direct(text)
            found["direct"].append(time.perf_counter() - started)
            if workers:
                found["search worker"].append(_search_seconds(env))
                found["search cold"].append(_search_seconds({k: v for k, v in env.items() if k != "PREFECT_API_URL"}))
    return found


def run() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    with article_home(Settings()) as home:
        warm = _launched(home, 1, text)
        cold = _launched(home, 0, text)
    ui, fast = statistics.median(warm["launched"][1:]), statistics.median(warm["direct"][1:])
    before = statistics.median(cold["launched"][1:])
    search, search_cold = statistics.median(warm["search worker"][1:]), statistics.median(warm["search cold"][1:])
    rows = [
        ["UI-launched `verify-article`, `sanad serve` with its warm worker", spread(warm["launched"][1:]), f"{ui:.1f}"],
        [
            "of which creation to running (runner's poll, new process, imports)",
            spread(warm["waited"][1:]),
            f"{statistics.median(warm['waited'][1:]):.1f}",
        ],
        ["UI-launched `verify-article`, `sanad serve --workers 0`", spread(cold["launched"][1:]), f"{before:.1f}"],
        ["warm direct run (models loaded, this process)", spread(warm["direct"][1:], "{:.2f}"), f"{fast:.2f}"],
        [
            "`sanad evidence search`, one query, with the warm worker",
            spread(warm["search worker"][1:]),
            f"{search:.1f}",
        ],
        [
            "`sanad evidence search`, one query, cold (no Prefect API)",
            spread(warm["search cold"][1:]),
            f"{search_cold:.1f}",
        ],
    ]
    verdict = "met" if ui <= 2 * fast else "**missed**"
    states = sorted(set(warm["states"] + cold["states"]))
    return (
        "## A run launched from the UI, and a search, with warm workers\n\n"
        f"The sample article ({SAMPLE.name}) on the `verify-article` deployment of `sanad serve` against a real "
        "Prefect server, created through the API as the UI's form creates it (review pause off), timed from the "
        "run's creation to its end by the server's timestamps; and the same work done directly in a warm process. "
        f"{RUNS} of each, interleaved; the first of each is a warm-up. Runs ended: {', '.join(states)}. Then the "
        f"same with `--workers 0` (each run loads the models itself, as before warm workers). The searches are "
        f"`sanad evidence search '{QUERY}'` processes, start to exit, after each direct run.\n\n"
        + table(["what", "seconds, median (min-max)", "p50"], rows)
        + f"\n\nTarget (issue 24): UI-launched at most 2x the warm direct run. Now {ui / fast:.1f}x: {verdict} "
        f"({before / fast:.1f}x without the worker). What is left of a UI-launched run beyond the direct work: "
        "the runner's poll for new runs (every second), a new process that imports Sanad and Prefect (both in "
        "the row 'creation to running'), and in the run a round trip through the server's task queue and result "
        "storage, and the run's own Prefect bookkeeping (task runs, artifacts, logs). The direct runs here have "
        'the Prefect server, `sanad serve` and the worker running beside them; "The sample article end to end" '
        "times the direct run with none of them."
    )
