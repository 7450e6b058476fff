"""A tiny deterministic embedder that stands in for the real e5 model in fast store tests."""

import hashlib
import re

import numpy as np


class HashEmbedder:
    """A tiny deterministic bag-of-words embedder for fast store tests (not a real model)."""

    def __init__(self, name: str = "test/hash-embedder", dimension: int = 64) -> None:
        self.name = name
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    def warm_up(self) -> None:
        pass

    def embed(self, texts, role, on_progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self._dimension
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        if on_progress:
            on_progress(len(texts), len(texts))
        return out
