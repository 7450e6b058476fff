"""Labelled check-worthiness data (CheckThat! files of ``shared/data``) and cached e5 embeddings."""

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from evidence_store.embedding.embedder import Embedder
from verify.extract.features import scoring_text


class LabelledSentence(NamedTuple):
    """One sentence or tweet with its check-worthiness label; debates carry doc and position."""

    text: str
    label: int
    lang: str
    dataset: str
    doc_id: str | None = None
    position: int | None = None


def data_file(data_dir: Path, name: str) -> Path:
    """``checkworthy_{name}.jsonl`` of ``data_dir``; a clear error when it is missing."""
    path = data_dir / f"checkworthy_{name}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{path}: check-worthiness data file is missing")
    return path


def load_split(data_dir: Path, name: str) -> list[LabelledSentence]:
    """Rows of ``checkworthy_{name}.jsonl`` (for example ``ct24_ar_train``)."""
    rows = []
    with data_file(data_dir, name).open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            rows.append(
                LabelledSentence(
                    text=record["text"],
                    label=int(record["label"]),
                    lang=record["lang"],
                    dataset=name,
                    doc_id=record.get("doc_id"),
                    position=record.get("position"),
                )
            )
    return rows


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def embed_cached(
    texts: Sequence[str],
    embedder: Embedder,
    cache_file: Path,
    on_progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """e5 ``query`` vectors of ``scoring_text(text)`` for each text, cached in ``cache_file`` (.npz).

    Only texts not yet in the cache are embedded; the cache grows and is rewritten.
    """
    prepared = [scoring_text(text) for text in texts]
    keys = [_key(text) for text in prepared]
    cached: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file) as stored:
            if str(stored["model"]) == embedder.name:
                cached = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = sorted({key: text for key, text in zip(keys, prepared, strict=True) if key not in cached}.items())
    if missing:
        vectors = embedder.embed([text for _, text in missing], role="query", on_progress=on_progress)
        cached.update(zip([key for key, _ in missing], vectors, strict=True))
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_suffix(".tmp.npz")
        np.savez(
            partial,
            model=np.array(embedder.name),
            keys=np.array(list(cached)),
            vectors=np.stack(list(cached.values())).astype(np.float32),
        )
        partial.replace(cache_file)
    return np.stack([cached[key] for key in keys]).astype(np.float32)
