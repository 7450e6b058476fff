"""The store's derived index as a list of segments, kept in step with DuckDB.

Readers ``refresh`` from the manifest (loading only segments they do not hold yet), index what DuckDB
holds beyond the manifest's coverage in memory, and derive tombstones from DuckDB's live ids. The writer,
holding the store's write lock, adds one small segment per commit, rewrites segments crowded with
tombstones, merges the newest ones by ``merge_policy``, then writes the manifest and removes the folders
it no longer lists. A crash anywhere leaves the last manifest and the folders it lists intact.
"""

import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evidence_store.db import EvidenceDB
from evidence_store.dense import TOMBSTONE_SHARE, choose_index_type
from evidence_store.manifest import IndexManifest, read_manifest, write_manifest
from evidence_store.merge_policy import trailing_merge
from evidence_store.segments import (
    SEGMENTS_DIR,
    IndexInputs,
    IndexParams,
    Segment,
    SegmentUnreadable,
    dense_search,
    lexical_search,
    segment_kind,
)

log = logging.getLogger(__name__)

_LOAD_TRIES = 5  # a reader that finds a listed segment gone (merged meanwhile) re-reads the manifest
LEGACY = ("dense.faiss", "lexical")  # the single-file indexes of manifest format 1


class SegmentedIndex:
    """The live segments of one store folder, searched as one index."""

    def __init__(self, folder: Path, db: EvidenceDB, model: str) -> None:
        self.folder, self.db, self.model = folder, db, model
        self.segments: list[Segment] = []
        self.generation = -1
        self.covered_to = 0
        self._manifest: IndexManifest | None = None  # the one the last refresh read

    @property
    def root(self) -> Path:
        return self.folder / SEGMENTS_DIR

    @property
    def size(self) -> int:
        """Live passages indexed."""
        return sum(segment.size for segment in self.segments)

    # ------------------------------------------------------------------ reading

    def refresh(self, params: IndexParams) -> bool:
        """Bring the segments to DuckDB's state; True when the saved index lags it (the writer then ``persist``s)."""
        generation = self.db.generation()
        manifest, segments = self._load_listed(params)
        self._manifest = manifest
        self.covered_to = manifest.covered_to if manifest else 0
        catch_up = self._from_database(self.covered_to, None, params)
        live = self.db.passage_ids()
        for segment in segments + ([catch_up] if catch_up else []):
            segment.set_live(live)
        self.segments = segments + ([catch_up] if catch_up else [])
        self.covered_to = max(self.covered_to, catch_up.entry.end_id if catch_up else 0)
        self.generation = generation
        return manifest is None or manifest.generation != generation or catch_up is not None

    def unchanged(self) -> bool:
        """True when neither DuckDB nor the manifest changed since the last refresh."""
        return self.db.generation() == self.generation and read_manifest(self.folder) == self._manifest

    def _load_listed(self, params: IndexParams) -> tuple[IndexManifest | None, list[Segment]]:
        """The usable manifest and its segments (those held already are reused); (None, []) when there is
        none, it is of another model or kind, or a listed segment stays unreadable."""
        held = {segment.entry.name: segment for segment in self.segments if segment.saved}
        for attempt in range(_LOAD_TRIES):
            manifest = read_manifest(self.folder)
            if manifest is None or not self._usable(manifest, params):
                return None, []
            try:
                return manifest, [
                    held.get(entry.name) or Segment.load(self.root, entry, params) for entry in manifest.segments
                ]
            except SegmentUnreadable as exc:
                problem = exc
                time.sleep(0.05 * (attempt + 1))
        log.warning("evidence store %s: %s; indexing from DuckDB", self.folder, problem)
        return None, []

    def _usable(self, manifest: IndexManifest, params: IndexParams) -> bool:
        dimension = int(self.db.meta()["dimension"])
        kinds = all(entry.kind == segment_kind(params.requested, entry.vectors) for entry in manifest.segments)
        return manifest.model == self.model and manifest.dimension == dimension and kinds

    def _from_database(self, first_id: int, end_id: int | None, params: IndexParams) -> Segment | None:
        """A new segment of the passages DuckDB holds in the id range; None when it holds none."""
        ids, vectors, tokens, languages = self.db.index_inputs(True, first_id, end_id)
        if not len(ids):
            return None
        assert vectors is not None
        end = end_id if end_id is not None else int(ids[-1]) + 1
        return Segment.build(first_id, end, IndexInputs(ids, vectors, tokens, languages), params)

    def search_dense(self, vectors: np.ndarray, k: int, language: str | None) -> list[list[tuple[int, float]]]:
        return dense_search(self.segments, vectors, k, language)

    def search_lexical(self, query_tokens: list[str], k: int, language: str | None) -> list[tuple[int, float]]:
        return lexical_search(self.segments, query_tokens, k, language)

    def kind(self, requested: str) -> str:
        """The store's index kind for its size (what ``stats`` reports)."""
        return choose_index_type(requested, self.size)

    # ------------------------------------------------------------------ writing (under the write lock)

    def apply(self, new: IndexInputs | None, removed: Sequence[int], params: IndexParams) -> None:
        """Index a commit: ``new`` passages into a new segment, ``removed`` ones as tombstones."""
        dead = np.asarray(removed, dtype=np.int64)
        for segment in self.segments:
            segment.mark_dead(dead)
        if new is not None and len(new.ids):
            end = int(new.ids[-1]) + 1
            self.segments.append(Segment.build(self.covered_to, end, new, params))
            self.covered_to = end

    def rebuild(self, params: IndexParams) -> None:
        """Everything in one segment, from DuckDB."""
        everything = self._from_database(0, None, params)
        self.segments = [everything] if everything else []
        self.covered_to = max(self.covered_to, everything.entry.end_id if everything else 0)

    def persist(self, generation: int, params: IndexParams) -> None:
        """Save new segments, rewrite crowded ones, merge by the policy, write the manifest, remove the rest."""
        self._rewrite_crowded(params)
        self._merge_newest(params)
        for segment in self.segments:
            if not segment.saved:
                segment.save(self.root)
        documents, passages = self.db.totals()
        manifest = IndexManifest(
            model=self.model,
            dimension=int(self.db.meta()["dimension"]),
            index_type=self.kind(params.requested),
            passages=passages,
            documents=documents,
            generation=generation,
            covered_to=self.covered_to,
            segments=tuple(segment.entry for segment in self.segments),
        )
        write_manifest(self.folder, manifest)
        self._manifest, self.generation = manifest, generation
        self.remove_unlisted()

    def _rewrite_crowded(self, params: IndexParams) -> None:
        kept = []
        for segment in self.segments:
            if segment.dead_share > TOMBSTONE_SHARE:
                segment = self._from_database(segment.entry.first_id, segment.entry.end_id, params)
            if segment is not None:
                kept.append(segment)
        self.segments = kept

    def _merge_newest(self, params: IndexParams) -> None:
        while count := trailing_merge([segment.size for segment in self.segments]):
            first, last = self.segments[-count], self.segments[-1]
            merged = self._from_database(first.entry.first_id, last.entry.end_id, params)
            self.segments[-count:] = [merged] if merged else []

    def remove_unlisted(self) -> None:
        """Delete segment folders the manifest does not list (merged away, or left by a crash) and the
        indexes of the single-file layout."""
        listed = {segment.entry.name for segment in self.segments}
        for path in unlisted(self.folder, listed):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def unlisted(folder: Path, listed: set[str]) -> list[Path]:
    """Segment folders (and staging folders) under ``folder`` not in ``listed``, and legacy index files."""
    root = folder / SEGMENTS_DIR
    found = [path for path in root.iterdir() if path.name not in listed] if root.exists() else []
    return sorted(found + [folder / name for name in LEGACY if (folder / name).exists()])
