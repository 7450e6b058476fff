"""The evidence store's DuckDB tables: documents, passages (with embeddings and BM25 tokens), meta.

DuckDB is the source of truth; the FAISS and BM25 indexes are derived from it and
can always be rebuilt from the stored embeddings and tokens.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from evidence_store.duck import DuckFile
from evidence_store.errors import SanadError
from evidence_store.types import Document, Passage

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class DocumentRow:
    """A document ready to be written, with its passages and their embeddings."""

    doc_id: str
    url: str | None
    title: str | None
    publisher: str | None
    published_at: datetime | None
    language: str | None
    content_hash: str
    fetched_at: datetime | None
    raw_text: str
    claim_reviewed: str | None
    rating: str | None
    passages: Sequence[tuple[str, int, int, str | None, str]]  # text, start, end, language, tokens
    embeddings: np.ndarray


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY,
    url VARCHAR,
    title VARCHAR,
    publisher VARCHAR,
    published_at TIMESTAMPTZ,
    language VARCHAR,
    content_hash VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ,
    added_at TIMESTAMPTZ NOT NULL,
    raw_text VARCHAR NOT NULL,
    claim_reviewed VARCHAR,
    rating VARCHAR
);
CREATE TABLE IF NOT EXISTS passages (
    passage_id BIGINT PRIMARY KEY,
    doc_id VARCHAR NOT NULL,
    ord INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    language VARCHAR,
    tokens VARCHAR NOT NULL,
    embedding FLOAT[{dim}] NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents (content_hash);
CREATE TABLE IF NOT EXISTS feed_items (
    feed_url VARCHAR NOT NULL,
    item_key VARCHAR NOT NULL,
    status VARCHAR NOT NULL,  -- ingested | failed
    attempts INTEGER NOT NULL,
    last_error VARCHAR,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (feed_url, item_key)
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id);
"""

_PASSAGE_COLUMNS = """
    p.passage_id, p.doc_id, p.ord, p.text, p.char_start, p.char_end, p.language,
    d.url, d.title, d.publisher, d.published_at, d.claim_reviewed, d.rating
"""


LOOKUP_CHUNK = 1000  # values in one IN list


def _lookup(con: duckdb.DuckDBPyConnection, select: str, values: Sequence[str]) -> list[tuple]:
    """The rows of ``select`` (ending in ``IN ``) for ``values``, sent as lists of constants a chunk at a time: DuckDB
    looks those up in the column's index, where ``IN (SELECT unnest(?))`` scans the table (49 ms against 4 ms
    for 100 content hashes at a million documents, which was most of a small add's time)."""
    rows: list[tuple] = []
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = list(values[start : start + LOOKUP_CHUNK])
        rows += con.execute(select + "(" + ", ".join(["?"] * len(chunk)) + ")", chunk).fetchall()
    return rows


class StoreModelMismatch(SanadError, RuntimeError):
    """The store was built with another embedding model than the one asked for."""


class EvidenceDB:
    """Typed reads and transactional writes over the store's DuckDB file."""

    def __init__(self, path: Path, *, lock_timeout_s: float | None = None) -> None:
        self.file = DuckFile(path, lock_timeout_s=lock_timeout_s)

    @property
    def path(self) -> Path:
        return self.file.path

    def initialise(self, model: str, dimension: int) -> None:
        """Create the tables for ``model`` or check that an existing store was built with it."""
        with self.file.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta:
                if meta["model"] != model or int(meta["dimension"]) != dimension:
                    raise StoreModelMismatch(
                        f"evidence store {self.path.parent} was built with embedding model "
                        f"{meta['model']!r} ({meta['dimension']}-d); it cannot be searched with "
                        f"{model!r} ({dimension}-d). Set SANAD_EMBEDDING_MODEL={meta['model']} "
                        "or use another store."
                    )
                return
            con.execute(_SCHEMA.format(dim=int(dimension)))
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("model", model),
                    ("dimension", str(dimension)),
                    ("generation", "0"),
                    ("next_passage_id", "1"),
                ],
            )

    @staticmethod
    def stored_model(path: Path) -> tuple[str, int] | None:
        """(model, dimension) recorded in an existing store file, without opening it for writing."""
        if not path.exists():
            return None
        file = DuckFile(path)
        try:
            with file.connect() as con:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        except duckdb.CatalogException:
            return None
        finally:
            file.close()
        return (meta["model"], int(meta["dimension"])) if meta else None

    @staticmethod
    def stored_generation(path: Path) -> int:
        """The generation recorded in an existing store file (0 when there is none)."""
        if not path.exists():
            return 0
        db = EvidenceDB(path)
        try:
            return db.generation()
        except duckdb.CatalogException:
            return 0
        finally:
            db.close()

    def meta(self) -> dict[str, str]:
        with self.file.connect() as con:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())

    def generation(self) -> int:
        with self.file.connect() as con:
            return int(con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchall()[0][0])

    def index_type(self) -> str | None:
        """The dense index type this store was told to use (None, or 'auto': follow the settings)."""
        chosen = self.meta().get("index_type")
        return None if chosen in (None, "auto") else chosen

    def set_index_type(self, index_type: str) -> None:
        with self.file.transaction() as con:
            con.execute(
                "INSERT INTO meta VALUES ('index_type', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [index_type],
            )

    def hashes(self, content_hashes: Sequence[str]) -> dict[str, str]:
        """Map each known content hash to the id of the document that has it."""
        if not content_hashes:
            return {}
        with self.file.connect() as con:
            return dict(
                _lookup(con, "SELECT content_hash, doc_id FROM documents WHERE content_hash IN ", content_hashes)
            )

    def document_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """Map each existing document id to its content hash."""
        if not doc_ids:
            return {}
        with self.file.connect() as con:
            return dict(_lookup(con, "SELECT doc_id, content_hash FROM documents WHERE doc_id IN ", doc_ids))

    def write(self, rows: Sequence[DocumentRow], replace: Sequence[str], now: datetime) -> tuple[list[int], list[int]]:
        """Insert documents (replacing ``replace`` ids) in one transaction.

        Returns (new passage ids in row order, passage ids removed by replacement).
        """
        with self.file.transaction() as con:
            removed = self._delete(con, replace)
            next_id = int(con.execute("SELECT value FROM meta WHERE key = 'next_passage_id'").fetchall()[0][0])
            new_ids = list(range(next_id, next_id + sum(len(row.passages) for row in rows)))
            if rows:
                self._insert(con, "documents", self._document_table(rows, now))
            if new_ids:
                self._insert(con, "passages", self._passage_table(rows, new_ids))
            con.execute("UPDATE meta SET value = ? WHERE key = 'next_passage_id'", [str(next_id + len(new_ids))])
            self._bump_generation(con)
        return new_ids, removed

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, batch: pa.Table) -> None:
        """One INSERT for a whole Arrow batch (per-row inserts cost more than embedding small documents)."""
        columns = ", ".join(batch.column_names)
        con.register("incoming", batch)
        try:
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
        finally:
            con.unregister("incoming")

    @staticmethod
    def _document_table(rows: Sequence[DocumentRow], now: datetime) -> pa.Table:
        timestamp = pa.timestamp("us", tz="UTC")
        return pa.table(
            {
                "doc_id": [row.doc_id for row in rows],
                "url": pa.array([row.url for row in rows], type=pa.string()),
                "title": pa.array([row.title for row in rows], type=pa.string()),
                "publisher": pa.array([row.publisher for row in rows], type=pa.string()),
                "published_at": pa.array([row.published_at for row in rows], type=timestamp),
                "language": pa.array([row.language for row in rows], type=pa.string()),
                "content_hash": [row.content_hash for row in rows],
                "fetched_at": pa.array([row.fetched_at for row in rows], type=timestamp),
                "added_at": pa.array([now] * len(rows), type=timestamp),
                "raw_text": [row.raw_text for row in rows],
                "claim_reviewed": pa.array([row.claim_reviewed for row in rows], type=pa.string()),
                "rating": pa.array([row.rating for row in rows], type=pa.string()),
            }
        )

    @staticmethod
    def _passage_table(rows: Sequence[DocumentRow], ids: list[int]) -> pa.Table:
        passages = [passage for row in rows for passage in row.passages]
        vectors = np.vstack([row.embeddings for row in rows if len(row.passages)]).astype(np.float32)
        return pa.table(
            {
                "passage_id": pa.array(ids, type=pa.int64()),
                "doc_id": [row.doc_id for row in rows for _ in row.passages],
                "ord": pa.array([i for row in rows for i in range(len(row.passages))], type=pa.int32()),
                "text": [p[0] for p in passages],
                "char_start": pa.array([p[1] for p in passages], type=pa.int32()),
                "char_end": pa.array([p[2] for p in passages], type=pa.int32()),
                "language": pa.array([p[3] for p in passages], type=pa.string()),
                "tokens": [p[4] for p in passages],
                "embedding": pa.FixedSizeListArray.from_arrays(
                    pa.array(vectors.ravel(), type=pa.float32()), vectors.shape[1]
                ),
            }
        )

    @staticmethod
    def _bump_generation(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'generation'")

    @staticmethod
    def _delete(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> list[int]:
        if not doc_ids:
            return []
        ids = [
            r[0]
            for r in con.execute(
                "SELECT passage_id FROM passages WHERE doc_id IN (SELECT unnest(?))", [list(doc_ids)]
            ).fetchall()
        ]
        con.execute("DELETE FROM passages WHERE doc_id IN (SELECT unnest(?))", [list(doc_ids)])
        con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?))", [list(doc_ids)])
        return ids

    def feed_items(self, feed_url: str) -> dict[str, tuple[str, int]]:
        """Item key -> (status, attempts) for every item of ``feed_url`` seen so far."""
        with self.file.connect() as con:
            rows = con.execute(
                "SELECT item_key, status, attempts FROM feed_items WHERE feed_url = ?", [feed_url]
            ).fetchall()
        return {key: (status, attempts) for key, status, attempts in rows}

    def record_feed_items(self, feed_url: str, outcomes: Sequence[tuple[str, str, str | None]], now: datetime) -> None:
        """Upsert (item key, status, error) for items of ``feed_url``, counting attempts."""
        with self.file.transaction() as con:
            for key, status, error in outcomes:
                con.execute(
                    "INSERT INTO feed_items VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (feed_url, item_key) DO UPDATE "
                    "SET status = excluded.status, attempts = feed_items.attempts + 1, "
                    "last_error = excluded.last_error, updated_at = excluded.updated_at",
                    [feed_url, key, status, error, now],
                )

    def delete(self, doc_ids: Sequence[str]) -> list[int]:
        """Delete documents and their passages in one transaction; returns removed passage ids."""
        with self.file.transaction() as con:
            removed = self._delete(con, doc_ids)
            self._bump_generation(con)
        return removed

    def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """Passages (with their document's provenance) by id."""
        if not len(passage_ids):
            return {}
        with self.file.connect() as con:
            rows = con.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN documents d USING (doc_id) "
                "WHERE p.passage_id IN (SELECT unnest(?))",
                [[int(i) for i in passage_ids]],
            ).fetchall()
        fields = list(Passage.model_fields)
        return {row[0]: Passage(**dict(zip(fields, row, strict=True))) for row in rows}

    def passages_of(self, doc_id: str) -> list[Passage]:
        with self.file.connect() as con:
            rows = con.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN documents d USING (doc_id) "
                "WHERE p.doc_id = ? ORDER BY p.ord",
                [doc_id],
            ).fetchall()
        fields = list(Passage.model_fields)
        return [Passage(**dict(zip(fields, row, strict=True))) for row in rows]

    def has_fact_checks(self) -> bool:
        """Whether any stored document is a prior fact-check (has a claim reviewed)."""
        with self.file.connect() as con:
            found = con.execute("SELECT 1 FROM documents WHERE claim_reviewed IS NOT NULL LIMIT 1").fetchone()
        return found is not None

    def fact_check_passages(self) -> list[Passage]:
        """The first passage of every prior fact-check (a document with a claim reviewed), by document id."""
        with self.file.connect() as con:
            rows = con.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN documents d USING (doc_id) "
                "WHERE d.claim_reviewed IS NOT NULL AND p.ord = 0 ORDER BY p.doc_id"
            ).fetchall()
        fields = list(Passage.model_fields)
        return [Passage(**dict(zip(fields, row, strict=True))) for row in rows]

    def documents(self, doc_ids: Sequence[str] | None = None) -> list[Document]:
        """Stored documents (all, or those with the given ids), oldest first."""
        query = (
            "SELECT d.doc_id, d.url, d.title, d.publisher, d.published_at, d.language, d.content_hash, "
            "d.fetched_at, d.added_at, count(p.passage_id), d.claim_reviewed, d.rating FROM documents d "
            "LEFT JOIN passages p USING (doc_id) {where} GROUP BY ALL ORDER BY d.added_at, d.doc_id"
        )
        with self.file.connect() as con:
            if doc_ids is None:
                rows = con.execute(query.format(where="")).fetchall()
            else:
                rows = con.execute(
                    query.format(where="WHERE d.doc_id IN (SELECT unnest(?))"), [list(doc_ids)]
                ).fetchall()
        fields = list(Document.model_fields)
        return [Document(**dict(zip(fields, row, strict=True))) for row in rows]

    def index_inputs(
        self, with_vectors: bool = True, first_id: int = 0, end_id: int | None = None
    ) -> tuple[np.ndarray, np.ndarray | None, list[str], list[str | None]]:
        """(passage ids, embeddings or None, token strings, languages) of the passages with ids from
        ``first_id`` up to ``end_id`` (exclusive; None: all from ``first_id``), by id."""
        columns = "passage_id, tokens, language" + (", embedding" if with_vectors else "")
        end = end_id if end_id is not None else 2**62
        with self.file.connect() as con:
            table = con.sql(
                f"SELECT {columns} FROM passages WHERE passage_id >= ? AND passage_id < ? ORDER BY passage_id",
                params=[int(first_id), int(end)],
            ).to_arrow_table()
            dim = int(con.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchall()[0][0])
        ids = table.column("passage_id").to_numpy().astype(np.int64)
        vectors = None
        if with_vectors:
            column = table.column("embedding").combine_chunks()
            flat = column.flatten().to_numpy(zero_copy_only=False) if len(column) else np.zeros(0)
            vectors = flat.reshape(-1, dim).astype(np.float32)
        return ids, vectors, table.column("tokens").to_pylist(), table.column("language").to_pylist()

    def passage_ids(self) -> np.ndarray:
        """Every passage id, ascending."""
        with self.file.connect() as con:
            table = con.sql("SELECT passage_id FROM passages ORDER BY passage_id").to_arrow_table()
        return table.column("passage_id").to_numpy().astype(np.int64)

    def totals(self) -> tuple[int, int]:
        """(documents, passages), without the breakdowns of ``counts``."""
        with self.file.connect() as con:
            documents = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
            passages = con.execute("SELECT count(*) FROM passages").fetchall()[0][0]
        return documents, passages

    def counts(self) -> dict[str, object]:
        """Document and passage counts, by language and publisher."""
        with self.file.connect() as con:
            documents = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
            passages = con.execute("SELECT count(*) FROM passages").fetchall()[0][0]
            languages = dict(
                con.execute(
                    "SELECT coalesce(language, 'unknown'), count(*) FROM passages GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
            )
            publishers = dict(
                con.execute(
                    "SELECT coalesce(publisher, 'unknown'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC LIMIT 20"
                ).fetchall()
            )
        return {
            "documents": documents,
            "passages": passages,
            "languages": languages,
            "publishers": publishers,
        }

    def close(self) -> None:
        self.file.close()
