"""Run benchmarks and rewrite their sections of BENCHMARKS.md: ``python -m bench [name ...]``."""

import importlib
import sys
import time

from bench.report import write_section

BENCHMARKS = ("ingest", "search", "retrieval", "checkworthy")


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    for name in names or BENCHMARKS:
        started = time.perf_counter()
        print(f"[bench] {name} ...", flush=True)
        body = importlib.import_module(f"bench.{name}").run()
        write_section(name, body)
        print(f"[bench] {name} done in {time.perf_counter() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
