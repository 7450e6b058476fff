"""One index segment: the FAISS index, passage ids, languages and BM25 postings of a passage id range.

A segment folder is written once (into a staging folder renamed into place) and never changed; passages
removed later are tombstones, kept in memory and derived on load as the ids DuckDB no longer holds.
"""

import json
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from evidence_store import bm25
from evidence_store.atomic import fsync_folder
from evidence_store.bm25 import Postings
from evidence_store.dense import DenseIndex, choose_index_type
from evidence_store.manifest import SegmentEntry

SEGMENTS_DIR = "segments"
PQ_MIN_VECTORS = 10_000  # product-quantiser codebooks need thousands of training vectors: smaller is flat
_DENSE, _IDS, _LANGUAGES = "dense.faiss", "ids.npy", "languages.json"


class SegmentUnreadable(RuntimeError):
    """A listed segment folder is gone (merged away meanwhile) or does not hold what its entry says."""


@dataclass(frozen=True)
class IndexParams:
    """How segments are built and searched: the requested kind (or auto) and the FAISS knobs."""

    requested: str
    hnsw_m: int = 32
    ivf_nlist: int = 0
    ef_search: int = 128
    nprobe: int = 16


@dataclass(frozen=True)
class IndexInputs:
    """Passages to index, by ascending id: vectors, space-joined tokens and languages."""

    ids: np.ndarray
    vectors: np.ndarray
    tokens: Sequence[str]
    languages: Sequence[str | None]


def segment_kind(requested: str, vectors: int) -> str:
    """The FAISS kind of a segment of ``vectors`` passages: 'auto' by its own size, else as requested."""
    kind = choose_index_type(requested, vectors)
    return "flat" if kind == "ivfpq" and vectors < PQ_MIN_VECTORS else kind


class Segment:
    """A segment in memory, with the live mask its tombstones leave."""

    def __init__(
        self, entry: SegmentEntry, ids: np.ndarray, languages: np.ndarray, dense: DenseIndex, postings: Postings
    ) -> None:
        self.entry, self.ids, self.languages, self.dense, self.postings = entry, ids, languages, dense, postings
        self.saved = False
        self.live = np.ones(len(ids), dtype=bool)
        self.live_length = int(postings.lengths.sum(dtype=np.int64))
        self._by_language: dict[str, np.ndarray] = {}

    @classmethod
    def build(cls, first_id: int, end_id: int, inputs: IndexInputs, params: IndexParams) -> "Segment":
        """A new (unsaved) segment covering ids ``first_id`` to ``end_id`` (exclusive) holding ``inputs``."""
        ids = np.asarray(inputs.ids, dtype=np.int64)
        kind = segment_kind(params.requested, len(ids))
        nlist = params.ivf_nlist if params.ivf_nlist and len(ids) >= 39 * params.ivf_nlist else 0
        dense = DenseIndex.build(
            kind, inputs.vectors.shape[1], ids, inputs.vectors, hnsw_m=params.hnsw_m, ivf_nlist=nlist
        )
        dense.set_search_params(ef_search=params.ef_search, nprobe=params.nprobe)
        name = f"{first_id:012d}-{end_id:012d}-{secrets.token_hex(4)}"
        entry = SegmentEntry(name=name, first_id=first_id, end_id=end_id, vectors=len(ids), kind=kind)
        languages = np.array(list(inputs.languages), dtype=object)
        return cls(entry, ids, languages, dense, Postings.build(list(inputs.tokens)))

    @property
    def size(self) -> int:
        """Live passages."""
        return int(self.live.sum())

    @property
    def dead_share(self) -> float:
        return 1 - self.size / max(len(self.ids), 1)

    def save(self, root: Path) -> None:
        """Write the segment to ``root/<name>``: into a staging folder, then one rename."""
        root.mkdir(parents=True, exist_ok=True)
        staging = root / f".{self.entry.name}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        faiss.write_index(self.dense.index, str(staging / _DENSE))
        np.save(staging / _IDS, self.ids)
        (staging / _LANGUAGES).write_text(json.dumps(self.languages.tolist(), ensure_ascii=False), encoding="utf-8")
        self.postings.save(staging)
        fsync_folder(staging)  # a power cut after the manifest names it must not leave it empty
        os.replace(staging, root / self.entry.name)
        self.saved = True

    @classmethod
    def load(cls, root: Path, entry: SegmentEntry, params: IndexParams) -> "Segment":
        """Read ``root/<entry.name>``; ``SegmentUnreadable`` when it is gone or damaged."""
        folder = root / entry.name
        try:
            ids = np.load(folder / _IDS)
            languages = np.array(json.loads((folder / _LANGUAGES).read_text(encoding="utf-8")), dtype=object)
            dense = DenseIndex.load(folder / _DENSE, entry.kind)
            postings = Postings.load(folder)
        except (OSError, ValueError, RuntimeError) as exc:
            raise SegmentUnreadable(f"segment {entry.name}: {type(exc).__name__}: {str(exc)[:120]}") from exc
        if not len(ids) == len(languages) == postings.size == dense.index.ntotal == entry.vectors:
            raise SegmentUnreadable(f"segment {entry.name} does not hold the {entry.vectors} passages it lists")
        dense.set_search_params(ef_search=params.ef_search, nprobe=params.nprobe)
        segment = cls(entry, ids, languages, dense, postings)
        segment.saved = True
        return segment

    def holds(self, passage_ids: np.ndarray) -> np.ndarray:
        """The ids among ``passage_ids`` that fall in this segment's range."""
        return passage_ids[(passage_ids >= self.entry.first_id) & (passage_ids < self.entry.end_id)]

    def set_live(self, live_ids: np.ndarray) -> None:
        """Tombstone every held id not among ``live_ids`` (sorted): ids never come back, so only more die."""
        in_range = self.holds(live_ids)
        live = np.isin(self.ids, in_range, assume_unique=True)
        if live.sum() != self.size:
            self._set(live)

    def mark_dead(self, passage_ids: np.ndarray) -> None:
        dead = np.isin(self.ids, self.holds(passage_ids))
        if dead.any():
            self._set(self.live & ~dead)

    def _set(self, live: np.ndarray) -> None:
        self.live = live
        self.live_length = int(self.postings.lengths[live].sum(dtype=np.int64))
        self.dense.set_tombstones(self.ids[~live])
        self._by_language = {}

    def allowed(self, language: str | None) -> np.ndarray:
        """Live passages in ``language`` (all live ones for None)."""
        if language is None:
            return self.live
        if language not in self._by_language:
            self._by_language[language] = self.live & (self.languages == language)
        return self._by_language[language]

    def part(self, language: str | None) -> bm25.Part:
        return bm25.Part(self.postings, self.ids, self.live, self.allowed(language), self.size, self.live_length)

    def language_of(self, passage_ids: np.ndarray) -> np.ndarray:
        return self.languages[np.searchsorted(self.ids, passage_ids)]


def dense_search(
    segments: Sequence[Segment], vectors: np.ndarray, k: int, language: str | None
) -> list[list[tuple[int, float]]]:
    """Per query, the ``k`` nearest live passages of all segments (best first, ties by id), then those not
    in ``language`` left out: what one index over the same passages returns."""
    found = [segment.dense.search(vectors, k) for segment in segments]
    rankings = []
    for row in range(len(vectors)):
        ids = np.concatenate([ids[row] for _, ids in found]) if found else np.zeros(0, dtype=np.int64)
        scores = np.concatenate([scores[row] for scores, _ in found]) if found else np.zeros(0, dtype=np.float32)
        keep = ids >= 0
        ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))[:k]
        ids, scores = ids[order], scores[order]
        if language is not None and len(ids):
            match = _languages(segments, ids) == language
            ids, scores = ids[match], scores[match]
        rankings.append([(int(i), float(s)) for i, s in zip(ids, scores, strict=True)])
    return rankings


def _languages(segments: Sequence[Segment], ids: np.ndarray) -> np.ndarray:
    languages = np.empty(len(ids), dtype=object)
    for segment in segments:
        inside = (ids >= segment.entry.first_id) & (ids < segment.entry.end_id)
        if inside.any():
            languages[inside] = segment.language_of(ids[inside])
    return languages


def lexical_search(
    segments: Sequence[Segment], query_tokens: list[str], k: int, language: str | None
) -> list[tuple[int, float]]:
    """The ``k`` best BM25 passages in ``language`` (or any), scored with statistics over all segments."""
    ids, scores = bm25.search([segment.part(language) for segment in segments], query_tokens, k)
    return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]
