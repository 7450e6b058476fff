"""The evidence store: documents and passages in DuckDB, dense FAISS and BM25 indexes kept in step.

The indexes are segments (``segmented``): a commit costs what it changes, not what the store holds.
Write order (for crash safety): embed first (no state), commit the documents, passages
and embeddings to DuckDB in one transaction (bumping the store's generation), then
save one new segment for the new passages (a staging folder renamed into place) and finally
the manifest listing it, with that generation. Passages DuckDB holds beyond the manifest's
coverage are indexed from DuckDB when the store is opened, and removed ones are tombstones, so a
crash at any point leaves whole documents present or absent, and searchable.
"""

import contextlib
import hashlib
import logging
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from evidence_store.db import DocumentRow, EvidenceDB, StoreModelMismatch
from evidence_store.embedding.embedder import Embedder, ProgressCallback, load_embedder
from evidence_store.errors import InvalidInput
from evidence_store.fusion import reciprocal_rank_fusion
from evidence_store.limits import clean_document_text, text_problem
from evidence_store.locking import hold_lock
from evidence_store.manifest import MANIFEST_FILE
from evidence_store.rows import PreparedDocument, prepare_rows
from evidence_store.segmented import SegmentedIndex
from evidence_store.segments import IndexInputs, IndexParams
from evidence_store.settings import StoreSettings
from evidence_store.text.normalize import strip_invisible
from evidence_store.text.tokenize import tokenize
from evidence_store.types import AddReport, Document, DocumentInput, Passage, SearchHit, SearchMode, StoreStats

log = logging.getLogger(__name__)

_DB_FILE, _LOCK_FILE = "evidence.duckdb", "write.lock"

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
    generation: int = -1  # the store's generation when its hashes were checked (-1: unknown)


class EvidenceStore:
    """Add, remove and search evidence; one folder holds the DuckDB file, indexes and manifest."""

    def __init__(self, path: Path, settings: StoreSettings, embedder: Embedder) -> None:
        self.path = Path(path)
        self.settings = settings
        self.embedder = embedder
        self.db = EvidenceDB(self.path / _DB_FILE)
        self._lock = threading.RLock()
        self._index = SegmentedIndex(self.path, self.db, embedder.name)

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
            store._load()
        return store

    # ------------------------------------------------------------------ indexes

    @property
    def dimension(self) -> int:
        return int(self.db.meta()["dimension"])

    def _params(self) -> IndexParams:
        """How segments are built: the store's own index type (``rebuild_indexes(index_type)``) when it
        has one, else the setting ('auto' picks by size), and the FAISS knobs of the settings."""
        return IndexParams(
            requested=self.db.index_type() or self.settings.index_type,
            hnsw_m=self.settings.hnsw_m,
            ivf_nlist=self.settings.ivf_nlist,
            ef_search=self.settings.hnsw_ef_search,
            nprobe=self.settings.ivf_nprobe,
        )

    def _load(self) -> None:
        """Load the segments and index what the manifest does not cover; when the saved index lags
        DuckDB, take the write lock, look again unless nothing changed (a writer may have caught up
        meanwhile) and save it."""
        if not self._index.refresh(self._params()):
            return
        with self._lock, self._write_lock():
            params = self._params()
            if self._index.unchanged() or self._index.refresh(params):
                fresh = not (self.path / MANIFEST_FILE).exists()  # a new or imported store: nothing lags
                log.log(
                    logging.DEBUG if fresh else logging.WARNING,
                    "evidence store %s: the saved indexes lag the database (generation %s); indexing the "
                    "difference from DuckDB",
                    self.path,
                    self._index.generation,
                )
                self._index.persist(self._index.generation, params)

    def rebuild_indexes(self, index_type: str | None = None) -> None:
        """Rebuild FAISS and BM25 from the embeddings and tokens stored in DuckDB, as one segment.

        ``index_type`` (flat, hnsw, ivf, ivfpq or auto) becomes the store's own choice, kept in
        DuckDB, which later opens follow whatever ``SANAD_INDEX_TYPE`` says; 'auto' hands the
        choice back to the setting.
        """
        with self._lock, self._write_lock():
            if index_type is not None:
                self.db.set_index_type(index_type)
            self._rebuild_locked()

    def compact(self) -> int:
        """Merge every segment into one (the scheduled merge; adds merge small segments only); returns how
        many segments there were."""
        with self._lock, self._write_lock():
            self._sync()
            before = len(self._index.segments)
            self._rebuild_locked()
        return before

    def _rebuild_locked(self) -> None:
        params = self._params()
        self._index.rebuild(params)
        self._index.persist(self.db.generation(), params)

    def _sync(self) -> None:
        """Catch up with changes another process made since we loaded (only new segments are read)."""
        if self.db.generation() != self._index.generation:
            self._index.refresh(self._params())

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
        generation = self.db.generation()  # read first: hashes stored after it bump it
        stored_hashes = self.db.hashes([digest for _, digest, _ in prepared])
        fresh = []
        for doc, digest, doc_id in prepared:
            if digest in stored_hashes:
                duplicates.append(doc_id)
            else:
                fresh.append((doc, digest, doc_id))
        return AddPlan(fresh=fresh, duplicates=duplicates, generation=generation)

    def commit(self, plan: AddPlan, rows: Sequence[DocumentRow]) -> AddReport:
        """Write ``rows`` (prepared from ``plan.fresh``) in one transaction and index them.

        Contents stored by another writer since ``plan`` are skipped as duplicates; a row whose
        document id exists replaces that document.
        """
        with self._lock, self._write_lock():
            self._sync()
            # contents another writer stored since ``plan`` (none if nothing was committed since: one index
            # lookup fewer, a third of a small add's DuckDB time at a million documents)
            unchanged = self.db.generation() == plan.generation
            stored = {} if unchanged else self.db.hashes([row.content_hash for row in rows])
            late = [row.doc_id for row in rows if row.content_hash in stored]
            rows = [row for row in rows if row.content_hash not in stored]
            replace = list(self.db.document_hashes([row.doc_id for row in rows]))
            new_ids, removed = self.db.write(rows, replace, datetime.now(UTC))
            new = None
            if new_ids:
                passages = [passage for row in rows for passage in row.passages]
                vectors = np.vstack([row.embeddings for row in rows if len(row.passages)])
                tokens, languages = [p[4] for p in passages], [p[3] for p in passages]
                new = IndexInputs(np.array(new_ids, dtype=np.int64), vectors, tokens, languages)
            self._index_commit(new, removed)
        return AddReport(
            added=tuple(row.doc_id for row in rows if row.doc_id not in replace),
            replaced=tuple(replace),
            duplicates=tuple(plan.duplicates + late),
            passages_added=len(new_ids),
        )

    def remove(self, doc_ids: Sequence[str]) -> list[str]:
        """Delete documents by id; returns the ids that existed and were removed."""
        with self._lock, self._write_lock():
            self._sync()
            existing = list(self.db.document_hashes(list(doc_ids)))
            if not existing:
                return []
            removed = self.db.delete(existing)
            self._index_commit(None, removed)
        return existing

    def _index_commit(self, new: IndexInputs | None, removed: list[int]) -> None:
        """Index a committed change: a new segment for ``new``, tombstones for ``removed``; then the manifest."""
        params = self._params()
        self._index.apply(new, removed, params)
        self._index.persist(self.db.generation(), params)

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
            generation = self._index.generation
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

    def _dense_rankings(
        self, queries: Sequence[str], k: int, language: str | None, on_progress
    ) -> list[list[tuple[int, float]]]:
        vectors = self.embedder.embed(list(queries), "query", on_progress=on_progress)
        return self._index.search_dense(vectors, self._candidates(k, language), language)

    def _lexical_rankings(self, queries: Sequence[str], k: int, language: str | None) -> list[list[tuple[int, float]]]:
        return [self._index.search_lexical(tokenize(query), self._candidates(k, None), language) for query in queries]

    def documents(self, doc_ids: Sequence[str] | None = None) -> list[Document]:
        """Stored documents, all or by id."""
        return self.db.documents(doc_ids)

    def has_fact_checks(self) -> bool:
        """Whether the store holds any prior fact-check (cheaper than listing them)."""
        return self.db.has_fact_checks()

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
                index_type=self._index.kind(self._params().requested),
                generation=self._index.generation,
                **counts,
            )

    def close(self) -> None:
        """Release the DuckDB file."""
        self.db.close()

    def __enter__(self) -> "EvidenceStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
