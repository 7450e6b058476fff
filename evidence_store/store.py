"""The evidence store: documents and passages in DuckDB, dense FAISS and BM25 indexes kept in step.

Write order (for crash safety): embed first (no state), commit the documents, passages
and embeddings to DuckDB in one transaction (bumping the store's generation), then
save the FAISS and BM25 indexes atomically and finally the manifest with that
generation. A store whose manifest generation differs from DuckDB's is rebuilt from
DuckDB when opened, so a crash at any point leaves whole documents present or absent.
"""

import contextlib
import hashlib
import json
import logging
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from evidence_store.atomic import write_text_atomic
from evidence_store.db import DocumentRow, EvidenceDB, StoreModelMismatch
from evidence_store.dense import DenseIndex, choose_index_type
from evidence_store.embedding.embedder import Embedder, ProgressCallback, load_embedder
from evidence_store.errors import InvalidInput
from evidence_store.fusion import reciprocal_rank_fusion
from evidence_store.lexical import LexicalIndex
from evidence_store.limits import clean_document_text, text_problem
from evidence_store.locking import hold_lock
from evidence_store.rows import PreparedDocument, prepare_rows
from evidence_store.settings import StoreSettings
from evidence_store.text.normalize import strip_invisible
from evidence_store.text.tokenize import tokenize
from evidence_store.types import AddReport, Document, DocumentInput, Passage, SearchHit, SearchMode, StoreStats

log = logging.getLogger(__name__)

MANIFEST_VERSION = 1
_DB_FILE, _DENSE_FILE, _LEXICAL_DIR, _MANIFEST_FILE, _LOCK_FILE = (
    "evidence.duckdb",
    "dense.faiss",
    "lexical",
    "manifest.json",
    "write.lock",
)

__all__ = ["AddPlan", "EvidenceStore", "StoreModelMismatch"]


def content_hash(text: str) -> str:
    """sha256 of the whitespace-normalised NFC text: the store's duplicate key."""
    canonical = " ".join(unicodedata.normalize("NFC", strip_invisible(text)).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AddPlan:
    """Documents to chunk and embed (cleaned, hashed, with their ids) and those skipped as duplicates."""

    fresh: list[PreparedDocument]
    duplicates: list[str]


class EvidenceStore:
    """Add, remove and search evidence; one folder holds the DuckDB file, indexes and manifest."""

    def __init__(self, path: Path, settings: StoreSettings, embedder: Embedder) -> None:
        self.path = Path(path)
        self.settings = settings
        self.embedder = embedder
        self.db = EvidenceDB(self.path / _DB_FILE)
        self._lock = threading.RLock()
        self._generation = -1
        self._dense: DenseIndex | None = None
        self._lexical = LexicalIndex(None, np.zeros(0, dtype=np.int64))
        self._languages = np.zeros(0, dtype=object)

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        settings: StoreSettings | None = None,
        embedder: Embedder | None = None,
    ) -> "EvidenceStore":
        """Open (creating if needed) the store at ``path`` for ``settings.embedding_model``.

        Raises ``StoreModelMismatch`` when the store was built with another model.
        """
        settings = settings or StoreSettings()
        store_path = Path(path) if path is not None else settings.store_dir
        stored = EvidenceDB.stored_model(store_path / _DB_FILE)
        model_name = embedder.name if embedder is not None else settings.embedding_model
        if stored is not None and stored[0] != model_name:
            raise StoreModelMismatch(
                f"evidence store {store_path} was built with embedding model {stored[0]!r}; it cannot be "
                f"used with {model_name!r}. Set SANAD_EMBEDDING_MODEL={stored[0]} or use another store."
            )
        embedder = embedder or load_embedder(settings)
        store = cls(store_path, settings, embedder)
        dimension = stored[1] if stored is not None else embedder.dimension
        store.db.initialise(embedder.name, dimension)
        with store._lock:
            store._load_or_rebuild()
        return store

    # ------------------------------------------------------------------ indexes

    @property
    def dimension(self) -> int:
        return int(self.db.meta()["dimension"])

    def _manifest(self) -> dict:
        """The saved manifest; empty when there is none or it is unreadable (the indexes are then rebuilt)."""
        try:
            return json.loads((self.path / _MANIFEST_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _index_kind(self, passages: int) -> str:
        """The index type for ``passages``: the store's own choice (``rebuild_indexes(index_type)``)
        when it has one, else the setting; 'auto' picks by size."""
        return choose_index_type(self.db.index_type() or self.settings.index_type, passages)

    def _load_or_rebuild(self) -> None:
        """Load the saved indexes, or rebuild them from DuckDB when they lag it, are missing or unreadable.

        The rebuild waits for the write lock and looks again first: a writer that was saving
        them meanwhile leaves nothing to rebuild.
        """
        if self._load_saved():
            return
        with self._lock, self._write_lock():
            if self._load_saved():
                return
            manifest = self._manifest()
            if manifest or (self.path / _DENSE_FILE).exists():
                log.warning(
                    "evidence store %s: indexes are at generation %s, database at %s (or unreadable); "
                    "rebuilding from DuckDB",
                    self.path,
                    manifest.get("generation"),
                    self.db.generation(),
                )
            self._rebuild_locked()

    def _load_saved(self) -> bool:
        """Load the saved indexes if the manifest says they match DuckDB and they do; False otherwise."""
        generation = self.db.generation()
        manifest = self._manifest()
        dense_path, lexical_path = self.path / _DENSE_FILE, self.path / _LEXICAL_DIR
        if not (
            manifest.get("generation") == generation
            and manifest.get("index_type") == self._index_kind(manifest.get("passages", 0))
            and dense_path.exists()
            and lexical_path.exists()
        ):
            return False
        ids, languages = self.db.passage_languages()
        try:
            dense = DenseIndex.load(dense_path, manifest["index_type"], live_ids=ids)
            lexical = LexicalIndex.load(lexical_path)
        except (RuntimeError, OSError, ValueError) as exc:
            log.warning("evidence store %s: saved indexes are unreadable (%s)", self.path, type(exc).__name__)
            return False
        if dense.size != len(ids) or lexical.size != len(ids):
            return False
        self._dense, self._lexical = dense, lexical
        self._languages = np.array(languages, dtype=object)
        self._generation = generation
        self._tune()
        return True

    def _tune(self) -> None:
        if self._dense is not None:
            self._dense.set_search_params(ef_search=self.settings.hnsw_ef_search, nprobe=self.settings.ivf_nprobe)

    def rebuild_indexes(self, index_type: str | None = None) -> None:
        """Rebuild FAISS and BM25 from the embeddings and tokens stored in DuckDB.

        ``index_type`` (flat, hnsw, ivf, ivfpq or auto) becomes the store's own choice, kept in
        DuckDB, which later opens follow whatever ``SANAD_INDEX_TYPE`` says; 'auto' hands the
        choice back to the setting.
        """
        with self._lock, self._write_lock():
            if index_type is not None:
                self.db.set_index_type(index_type)
            self._rebuild_locked()

    def _rebuild_locked(self) -> None:
        generation = self.db.generation()
        ids, vectors, tokens, languages = self.db.index_inputs()
        kind = self._index_kind(len(ids))
        self._dense = DenseIndex.build(
            kind,
            vectors.shape[1],
            ids,
            vectors,
            hnsw_m=self.settings.hnsw_m,
            ivf_nlist=self.settings.ivf_nlist,
        )
        self._lexical = LexicalIndex.build(ids, tokens)
        self._languages = np.array(languages, dtype=object)
        self._tune()
        self._save(generation)

    def _save(self, generation: int) -> None:
        assert self._dense is not None
        self._dense.save(self.path / _DENSE_FILE)
        self._lexical.save(self.path / _LEXICAL_DIR)
        counts = self.db.counts()
        manifest = {
            "format": MANIFEST_VERSION,
            "model": self.embedder.name,
            "dimension": self.dimension,
            "index_type": self._dense.kind,
            "passages": counts["passages"],
            "documents": counts["documents"],
            "generation": generation,
            "updated_at": datetime.now(UTC).isoformat(),
        }
        write_text_atomic(self.path / _MANIFEST_FILE, json.dumps(manifest, indent=2))
        self._generation = generation

    def _sync(self) -> None:
        """Reload the indexes if another process changed the store since we loaded them."""
        if self.db.generation() != self._generation:
            self._load_or_rebuild()

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Serialise writers across processes (DuckDB commit plus index saves); ``StoreBusyError``
        when another process holds the lock for over ``settings.store_lock_timeout_s``."""
        with hold_lock(self.path / _LOCK_FILE, timeout_s=self.settings.store_lock_timeout_s):
            yield

    # ------------------------------------------------------------------ writes

    def _prepare(self, document: DocumentInput) -> tuple[DocumentInput, str, str]:
        text = clean_document_text(document.text)
        problem = text_problem(text, self.settings)
        if problem:
            raise InvalidInput(problem)
        digest = content_hash(text)
        doc_id = document.external_id or f"doc-{digest[:16]}"
        return document.model_copy(update={"text": text}), digest, doc_id

    def add(self, documents: Iterable[DocumentInput], on_progress: ProgressCallback | None = None) -> AddReport:
        """Add documents: chunk, embed, store and index them; skip exact duplicates.

        A document whose id exists with different content replaces the old version.
        Returns which ids were added, replaced or skipped as duplicates.
        """
        plan = self.plan(documents)
        return self.commit(plan, prepare_rows(plan.fresh, self.settings, self.embedder, on_progress))

    def plan(self, documents: Iterable[DocumentInput]) -> AddPlan:
        """Clean and hash ``documents`` and set aside those whose content is already stored or repeated.

        ``prepare_rows(plan.fresh, ...)`` may then run anywhere (another process, a cluster)
        before ``commit`` writes its rows here.
        """
        prepared: list[PreparedDocument] = []
        position: dict[str, int] = {}  # doc id -> its place in ``prepared``
        seen_hashes: dict[str, str] = {}
        duplicates: list[str] = []
        for document in documents:
            doc, digest, doc_id = self._prepare(document)
            if digest in seen_hashes:
                duplicates.append(doc_id)
                continue
            seen_hashes[digest] = doc_id
            if doc_id in position:  # a later version of a document in the same batch replaces the earlier one
                del seen_hashes[prepared[position[doc_id]][1]]
                prepared[position[doc_id]] = (doc, digest, doc_id)
            else:
                position[doc_id] = len(prepared)
                prepared.append((doc, digest, doc_id))
        stored_hashes = self.db.hashes([digest for _, digest, _ in prepared])
        fresh = []
        for doc, digest, doc_id in prepared:
            if digest in stored_hashes:
                duplicates.append(doc_id)
            else:
                fresh.append((doc, digest, doc_id))
        return AddPlan(fresh=fresh, duplicates=duplicates)

    def commit(self, plan: AddPlan, rows: Sequence[DocumentRow]) -> AddReport:
        """Write ``rows`` (prepared from ``plan.fresh``) in one transaction and index them.

        Contents stored by another writer since ``plan`` are skipped as duplicates; a row whose
        document id exists replaces that document.
        """
        with self._lock, self._write_lock():
            self._sync()
            stored = self.db.hashes([row.content_hash for row in rows])
            late = [row.doc_id for row in rows if row.content_hash in stored]
            rows = [row for row in rows if row.content_hash not in stored]
            replace = list(self.db.document_hashes([row.doc_id for row in rows]))
            new_ids, removed = self.db.write(rows, replace, datetime.now(UTC))
            self._apply(new_ids, np.vstack([row.embeddings for row in rows]) if rows else None, removed)
        return AddReport(
            added=tuple(row.doc_id for row in rows if row.doc_id not in replace),
            replaced=tuple(replace),
            duplicates=tuple(plan.duplicates + late),
            passages_added=len(new_ids),
        )

    def _apply(self, new_ids: list[int], vectors: np.ndarray | None, removed: list[int]) -> None:
        """Bring the in-memory indexes to the committed state and save them."""
        generation = self.db.generation()
        assert self._dense is not None
        passages = self._dense.size - len(removed) + len(new_ids)
        if (new_ids and self._dense.needs_training) or self._dense.kind != self._index_kind(passages):
            self._rebuild_locked()
            return
        self._dense.remove(np.array(removed, dtype=np.int64))
        if new_ids and vectors is not None:
            self._dense.add(np.array(new_ids, dtype=np.int64), vectors)
        if self._dense.needs_rebuild(passages):
            self._rebuild_locked()
            return
        ids, _, tokens, languages = self.db.index_inputs(with_vectors=False)
        self._lexical = LexicalIndex.build(ids, tokens)
        self._languages = np.array(languages, dtype=object)
        self._save(generation)

    def remove(self, doc_ids: Sequence[str]) -> list[str]:
        """Delete documents by id; returns the ids that existed and were removed."""
        with self._lock, self._write_lock():
            self._sync()
            existing = list(self.db.document_hashes(list(doc_ids)))
            if not existing:
                return []
            removed = self.db.delete(existing)
            self._apply([], None, removed)
        return existing

    # ------------------------------------------------------------------ reads

    def search(
        self, query: str, k: int = 10, mode: SearchMode = "hybrid", language: str | None = None
    ) -> list[SearchHit]:
        """The ``k`` best passages for ``query`` (dense, BM25 or both fused by RRF)."""
        return self.search_many([query], k=k, mode=mode, language=language)[0]

    def search_many(
        self,
        queries: Sequence[str],
        k: int = 10,
        mode: SearchMode = "hybrid",
        language: str | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[list[SearchHit]]:
        """Search several queries at once (queries are embedded in one batch)."""
        if mode not in ("dense", "bm25", "hybrid"):
            raise InvalidInput(f"unknown search mode {mode!r} (expected dense, bm25 or hybrid)")
        if k < 1:
            raise InvalidInput(f"k must be at least 1, got {k}")
        with self._lock:
            self._sync()
            dense_rankings = self._dense_rankings(queries, k, language, on_progress) if mode != "bm25" else None
            lexical_rankings = self._lexical_rankings(queries, k, language) if mode != "dense" else None
            results = []
            for i in range(len(queries)):
                rankings: dict[str, list[int]] = {}
                scores: dict[str, dict[int, float]] = {}
                for name, per_query in (("dense", dense_rankings), ("lexical", lexical_rankings)):
                    if per_query is not None:
                        rankings[name] = [pid for pid, _ in per_query[i]]
                        scores[name] = dict(per_query[i])
                results.append((reciprocal_rank_fusion(rankings)[:k], scores))
            passages = self.db.passages([f.item_id for fused, _ in results for f in fused])
            generation = self._generation
        return [
            [
                SearchHit(
                    rank=rank,
                    passage=passages[f.item_id],
                    fused_score=f.score,
                    dense_score=scores.get("dense", {}).get(f.item_id),
                    lexical_score=scores.get("lexical", {}).get(f.item_id),
                    dense_rank=f.ranks.get("dense"),
                    lexical_rank=f.ranks.get("lexical"),
                    store_generation=generation,
                )
                for rank, f in enumerate(fused, start=1)
                if f.item_id in passages
            ]
            for fused, scores in results
        ]

    def _candidates(self, k: int, language: str | None) -> int:
        return max(4 * k, 50) * (8 if language else 1)

    def _language_of(self, passage_ids: np.ndarray) -> np.ndarray:
        positions = np.searchsorted(self._lexical.ids, passage_ids)
        positions = np.clip(positions, 0, max(len(self._lexical.ids) - 1, 0))
        return self._languages[positions] if len(self._languages) else np.array([None] * len(passage_ids))

    def _dense_rankings(
        self, queries: Sequence[str], k: int, language: str | None, on_progress
    ) -> list[list[tuple[int, float]]]:
        assert self._dense is not None
        vectors = self.embedder.embed(list(queries), "query", on_progress=on_progress)
        scores, ids = self._dense.search(vectors, self._candidates(k, language))
        rankings = []
        for row_scores, row_ids in zip(scores, ids, strict=True):
            keep = row_ids >= 0
            row_ids, row_scores = row_ids[keep], row_scores[keep]
            if language is not None and len(row_ids):
                match = self._language_of(row_ids) == language
                row_ids, row_scores = row_ids[match], row_scores[match]
            rankings.append([(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True)])
        return rankings

    def _lexical_rankings(self, queries: Sequence[str], k: int, language: str | None) -> list[list[tuple[int, float]]]:
        mask = None
        if language is not None and self._lexical.size:
            mask = (self._languages == language).astype(np.float32)
        rankings = []
        for query in queries:
            ids, scores = self._lexical.search(tokenize(query), self._candidates(k, None), mask)
            rankings.append([(int(i), float(s)) for i, s in zip(ids, scores, strict=True)])
        return rankings

    def documents(self, doc_ids: Sequence[str] | None = None) -> list[Document]:
        """Stored documents, all or by id."""
        return self.db.documents(doc_ids)

    def fact_checks(self) -> list[Passage]:
        """The opening passage of every stored prior fact-check (ClaimReview), with its claim and rating."""
        return self.db.fact_check_passages()

    def generation(self) -> int:
        """The database's generation now: it grows by one with every committed change."""
        return self.db.generation()

    def stats(self) -> StoreStats:
        """Counts by language and publisher, model and index type."""
        with self._lock:
            self._sync()
            counts = self.db.counts()
            return StoreStats(
                path=str(self.path),
                model=self.embedder.name,
                dimension=self.dimension,
                index_type=self._dense.kind if self._dense else "flat",
                generation=self._generation,
                **counts,
            )

    def close(self) -> None:
        """Release the DuckDB file."""
        self.db.close()

    def __enter__(self) -> "EvidenceStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
