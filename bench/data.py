"""Real text for benchmarks, read from ../shared/data (never committed)."""

import json
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RETRIEVAL_SETS = ("ans_ar", "scifact_en", "climatefever_en")


def require(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"benchmark data {path} is missing (it lives in ../shared/data)")
    return path


def corpus_lines(name: str) -> list[dict]:
    """Lines of ``retrieval_{name}_corpus.jsonl``."""
    path = require(SHARED_DATA / f"retrieval_{name}_corpus.jsonl")
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def query_texts(name: str) -> list[str]:
    """Claims of ``retrieval_{name}_queries.jsonl``."""
    path = require(SHARED_DATA / f"retrieval_{name}_queries.jsonl")
    return [json.loads(line)["claim"] for line in path.open(encoding="utf-8") if line.strip()]


def mixed_passages(count: int) -> list[dict]:
    """``count`` real passages interleaving Arabic news headlines and English sentences and abstracts."""
    pools = [corpus_lines(name) for name in RETRIEVAL_SETS]
    mixed: list[dict] = []
    index = 0
    while len(mixed) < count and any(index < len(pool) for pool in pools):
        mixed.extend(pool[index] for pool in pools if index < len(pool))
        index += 1
    return mixed[:count]
