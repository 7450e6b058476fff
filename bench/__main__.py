"""Run benchmarks and rewrite their sections of BENCHMARKS.md: ``python -m bench [name ...]``."""

import importlib
import sys
import time

from bench.report import write_section

# What `make bench` runs, in this order (each rewrites its own section of BENCHMARKS.md).
BENCHMARKS = (
    "ingest",
    "indexes",
    "search",
    "scale",
    "segments",
    "retrieval",
    "verdicts",
    "article",
    "serve",
    "ui",
    "checkworthy",
    "matching",
    "hostile",
    "limits",
)
# Run by name only: the full claims table takes about an hour on 2 cores.
BY_NAME = ("stance",)


def main(names: list[str]) -> None:
    known = BENCHMARKS + BY_NAME
    unknown = set(names) - set(known)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(known)}")
    began = time.perf_counter()
    for name in names or BENCHMARKS:
        started = time.perf_counter()
        print(f"[bench] {name} ...", flush=True)
        body = importlib.import_module(f"bench.{name}").run()
        write_section(name, body)
        print(f"[bench] {name} done in {time.perf_counter() - started:.0f}s", flush=True)
    print(f"[bench] all done in {(time.perf_counter() - began) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
