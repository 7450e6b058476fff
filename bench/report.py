"""BENCHMARKS.md: a machine header plus one section per benchmark, each replaced in place."""

import os
import platform
import re
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
_SECTION = "<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->"


def machine() -> str:
    """Cores, memory, CPU model, Python and key package versions."""
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1).strip() if match else cpu
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory = f"{int(match.group(1)) / 2**20:.0f} GiB" if match else memory
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("torch", "sentence-transformers", "faiss-cpu", "duckdb", "bm25s", "prefect")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {versions}"
    )


def write_section(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the section ``name`` of BENCHMARKS.md, stamped with date and machine."""
    stamped = f"{body.rstrip()}\n\n_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}._"
    block = _SECTION.format(name=name, body=stamped)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def timed_runs(fn: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def spread(values: Sequence[float], fmt: str = "{:.1f}") -> str:
    """'median (min-max)'."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency_percentiles(call: Callable[[object], object], queries: Sequence, rounds: int) -> tuple[list, list]:
    """Per round, the p50 and p95 milliseconds of ``call(query)`` over ``queries``, one at a time."""
    p50s, p95s = [], []
    for _ in range(rounds):
        latencies = []
        for query in queries:
            started = time.perf_counter()
            call(query)
            latencies.append((time.perf_counter() - started) * 1000)
        p50s.append(percentile(latencies, 50))
        p95s.append(percentile(latencies, 95))
    return p50s, p95s


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
