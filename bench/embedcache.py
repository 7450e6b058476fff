"""An embedder that keeps vectors on disk: benchmark setup only, never used to time embedding.

Vectors are appended in shards (``NNNNN.npy`` plus ``NNNNN.keys``) under one folder per model,
keyed by the sha1 of role and text, so an interrupted setup resumes where it stopped.
"""

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evidence_store.embedding.embedder import Embedder, ProgressCallback
from evidence_store.types import Role

_SHARD = 4096


def _key(role: str, text: str) -> str:
    return hashlib.sha1(f"{role}\0{text}".encode()).hexdigest()


class CachedEmbedder:
    """Wraps an ``Embedder``; texts seen before (in any run) are not embedded again."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        precision = "-bf16" if getattr(inner, "bf16", False) else ""  # bf16 and fp32 vectors are kept apart
        self.folder = folder / (inner.name.replace("/", "--") + precision)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._rows: dict[str, int] = {}
        self._vectors: list[np.ndarray] = []
        for keys_file in sorted(self.folder.glob("*.keys")):
            vectors = np.load(keys_file.with_suffix(".npy"))
            keys = keys_file.read_text().split()
            if len(keys) != len(vectors):
                continue  # a shard cut short by a crash; its texts are embedded again
            offset = sum(len(v) for v in self._vectors)
            self._rows.update((key, offset + i) for i, key in enumerate(keys))
            self._vectors.append(vectors)
        self._all = np.vstack(self._vectors) if self._vectors else None

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def warm_up(self) -> None:
        """Load the wrapped model."""
        self.inner.warm_up()

    def _append(self, keys: list[str], vectors: np.ndarray) -> None:
        shard = self.folder / f"{len(list(self.folder.glob('*.keys'))):05d}"
        np.save(shard.with_suffix(".npy"), vectors)
        shard.with_suffix(".keys").write_text("\n".join(keys))
        offset = sum(len(v) for v in self._vectors)
        self._rows.update((key, offset + i) for i, key in enumerate(keys))
        self._vectors.append(vectors)
        self._all = None

    def embed(self, texts: Sequence[str], role: Role, on_progress: ProgressCallback | None = None) -> np.ndarray:
        """Vectors of ``texts``; the missing ones are embedded by the wrapped model and saved."""
        keys = [_key(role, text) for text in texts]
        missing = sorted({key: i for i, key in enumerate(keys) if key not in self._rows}.values())
        for start in range(0, len(missing), _SHARD):
            chunk = missing[start : start + _SHARD]
            self._append([keys[i] for i in chunk], self.inner.embed([texts[i] for i in chunk], role))
            if on_progress is not None:
                on_progress(min(start + _SHARD, len(missing)), len(missing))
        if self._all is None:
            self._all = np.vstack(self._vectors) if self._vectors else np.zeros((0, self.dimension), np.float32)
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._all[[self._rows[key] for key in keys]].astype(np.float32)
