"""Real text for benchmarks, read from ../shared/data (never committed)."""

import json
import random
from collections.abc import Iterator
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


def _collect(path: Path, seen: set[str], max_chars: int) -> Iterator[dict]:
    """Distinct passage-like texts (5+ words, at most ``max_chars``) of one shared file; claims are left out
    so that the query sets never find themselves."""
    for number, line in enumerate(path.open(encoding="utf-8")):
        record = json.loads(line)
        texts = [record.get(key) for key in ("text", "premise", "hypothesis")]
        texts += [evidence.get("text") for evidence in record.get("evidence") or []]
        for text in texts:
            flat = " ".join(str(text or "").split())
            if len(flat.split()) >= 5 and len(flat) <= max_chars and flat not in seen:
                seen.add(flat)
                yield {"id": f"{path.stem}:{number}:{len(seen)}", "text": flat, "lang": record.get("lang")}


def real_passages(count: int, max_chars: int = 700) -> list[dict]:
    """Up to ``count`` distinct real passages (one chunk each): the three retrieval corpora first, then
    check-worthiness sentences, NLI premises and hypotheses, and claim evidence, in a fixed shuffled order."""
    seen: set[str] = set()
    first = [line for line in mixed_passages(10**6) if len(line["text"]) <= max_chars]
    for line in first:
        seen.add(line["text"])
    rest = [
        passage
        for path in sorted(SHARED_DATA.glob("*.jsonl"))
        if not path.name.startswith("retrieval_")
        for passage in _collect(path, seen, max_chars)
    ]
    random.Random(13).shuffle(rest)
    return (first + rest)[:count]
