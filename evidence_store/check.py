"""Checking an evidence store on disk, and repairing its indexes from DuckDB.

The check reads the files as they are (it does not open an ``EvidenceStore``, which would
quietly rebuild lagging indexes): DuckDB's own consistency, then the manifest, the FAISS
index and the BM25 index against DuckDB's passage ids. Index problems are repaired by
rebuilding both indexes from the embeddings and tokens stored in DuckDB; a problem inside
DuckDB itself cannot be, and calls for a backup.
"""

import json
import shutil
from pathlib import Path

import duckdb
import faiss
import numpy as np
from pydantic import BaseModel, ConfigDict

from evidence_store import checkpoint_guard
from evidence_store.duck import DuckFile
from evidence_store.embedding.embedder import Embedder
from evidence_store.errors import SanadError
from evidence_store.lexical import LexicalIndex
from evidence_store.locking import hold_lock
from evidence_store.settings import StoreSettings
from evidence_store.store import _DB_FILE, _DENSE_FILE, _LEXICAL_DIR, _LOCK_FILE, _MANIFEST_FILE, EvidenceStore

_SAMPLE = 256  # vectors compared with DuckDB's embeddings


class StoreCheckError(SanadError, RuntimeError):
    """The folder is not an evidence store, or its database is damaged beyond index repair."""


class StoreCheck(BaseModel):
    """What a check found. ``index_problems`` are repaired by rebuilding the indexes from DuckDB."""

    model_config = ConfigDict(frozen=True)

    path: str
    model: str
    documents: int
    passages: int
    generation: int
    index_problems: tuple[str, ...] = ()
    database_problems: tuple[str, ...] = ()
    leftovers: tuple[str, ...] = ()  # temporary files of an interrupted write; harmless, removed by repair

    @property
    def ok(self) -> bool:
        return not self.index_problems and not self.database_problems


def _database(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], np.ndarray, list[str]]:
    """(meta, passage ids, problems) of the store's DuckDB file."""
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    ids = np.array([r[0] for r in con.execute("SELECT passage_id FROM passages ORDER BY 1").fetchall()], np.int64)
    checks = (
        ("passages belong to no document", "SELECT count(*) FROM passages p ANTI JOIN documents d USING (doc_id)"),
        ("documents have no passages", "SELECT count(*) FROM documents d ANTI JOIN passages p USING (doc_id)"),
        (
            "documents have passages out of order or missing",
            "SELECT count(*) FROM (SELECT doc_id FROM passages GROUP BY doc_id "
            "HAVING min(ord) <> 0 OR max(ord) <> count(*) - 1 OR count(DISTINCT ord) <> count(*))",
        ),
        (
            "passages do not match their document's text at their offsets",
            "SELECT count(*) FROM passages p JOIN documents d USING (doc_id) "
            "WHERE substring(d.raw_text, p.char_start + 1, p.char_end - p.char_start) <> p.text",
        ),
        (
            "passage ids are at or above next_passage_id",
            "SELECT count(*) FROM passages WHERE passage_id >= CAST(? AS BIGINT)",
        ),
    )
    problems = []
    for problem, sql in checks:
        parameters = [meta.get("next_passage_id", "0")] if "?" in sql else []
        (count,) = con.execute(sql, parameters).fetchall()[0]
        if count:
            problems.append(f"{count} {problem}")
    return meta, ids, problems


def _faiss_ids(index: faiss.Index) -> np.ndarray | None:
    """The ids an index holds (ID maps and IVF lists); ``None`` for a kind that does not say."""
    if hasattr(index, "id_map"):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return None
    lists = ivf.invlists
    parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy() for i in range(ivf.nlist)]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _compare_ids(name: str, held: np.ndarray, live: np.ndarray, *, extra_allowed: bool) -> list[str]:
    problems = []
    if len(np.unique(held)) != len(held):
        problems.append(f"{name} holds {len(held) - len(np.unique(held))} duplicate passage ids")
    missing = np.setdiff1d(live, held)
    if len(missing):
        problems.append(f"{name} is missing {len(missing)} of {len(live)} passages (first ids {missing[:5].tolist()})")
    extra = np.setdiff1d(held, live)
    if len(extra) and not extra_allowed:
        problems.append(f"{name} holds {len(extra)} passages the database does not (first ids {extra[:5].tolist()})")
    return problems


def _dense(path: Path, kind: str, dimension: int, live: np.ndarray, vectors: dict[int, np.ndarray]) -> list[str]:
    if not path.exists():
        return ["the FAISS index file is missing"]
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        return [f"the FAISS index file is unreadable, corrupt or truncated ({type(exc).__name__})"]
    if index.d != dimension:
        return [f"the FAISS index is {index.d}-d, the store {dimension}-d"]
    held = _faiss_ids(index)
    if held is None:
        return (
            [] if index.ntotal == len(live) else [f"the FAISS index holds {index.ntotal} vectors, DuckDB {len(live)}"]
        )
    problems = _compare_ids("the FAISS index", held, live, extra_allowed=kind == "hnsw")  # HNSW keeps tombstones
    if not problems and hasattr(index, "id_map"):
        wrong = sorted(
            pid for pid, vector in vectors.items() if not np.allclose(index.reconstruct(pid), vector, atol=1e-5)
        )
        if wrong:
            problems.append(f"{len(wrong)} FAISS vectors differ from DuckDB's embeddings (ids {wrong[:5]})")
    return problems


def _lexical(path: Path, live: np.ndarray) -> list[str]:
    if not path.exists():
        return ["the BM25 index is missing"]
    try:
        lexical = LexicalIndex.load(path)
    except (OSError, ValueError, KeyError) as exc:
        return [f"the BM25 index is unreadable ({type(exc).__name__}: {str(exc)[:120]})"]
    problems = _compare_ids("the BM25 index", lexical.ids, live, extra_allowed=False)
    if lexical.ids.tolist() != sorted(lexical.ids.tolist()):
        problems.append("the BM25 index's passage ids are out of order")
    documents = lexical.documents
    if documents != len(lexical.ids):
        problems.append(f"the BM25 index scores {documents} passages but lists {len(lexical.ids)}")
    return problems


def _manifest(path: Path, meta: dict[str, str], counts: tuple[int, int]) -> tuple[dict, list[str]]:
    if not path.exists():
        return {}, ["the manifest is missing"]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, [f"the manifest is unreadable ({exc})"]
    problems = []
    if manifest.get("generation") != int(meta["generation"]):
        problems.append(
            f"the indexes are at generation {manifest.get('generation')}, the database at {meta['generation']} "
            "(a write was interrupted before the indexes were saved)"
        )
    for key, expected in (("model", meta["model"]), ("dimension", int(meta["dimension"]))):
        if manifest.get(key) != expected:
            problems.append(f"the manifest's {key} is {manifest.get(key)!r}, the database's {expected!r}")
    for key, expected in zip(("documents", "passages"), counts, strict=True):
        if manifest.get(key) != expected:
            problems.append(f"the manifest counts {manifest.get(key)} {key}, the database {expected}")
    return manifest, problems


def leftover_files(path: Path) -> list[Path]:
    """Temporary files and folders an interrupted index save or checkpoint copy left beside the store's files."""
    prefixes = (f".{_DENSE_FILE}.", f".{_LEXICAL_DIR}.", f".{_MANIFEST_FILE}.")
    partial = checkpoint_guard.partial_copy(path / _DB_FILE)
    return sorted(p for p in path.iterdir() if p.name.startswith(prefixes) or p == partial) if path.exists() else []


def _remove_leftover(leftover: Path, database: Path) -> None:
    """Remove one leftover; a checkpoint copy only once no live process is making it."""
    if leftover == checkpoint_guard.partial_copy(database):
        checkpoint_guard.remove_partial_copy(database)
    elif leftover.is_dir():
        shutil.rmtree(leftover)
    else:
        leftover.unlink(missing_ok=True)


def check_store(path: Path, settings: StoreSettings) -> StoreCheck:
    """Compare DuckDB, the manifest, FAISS and BM25 of the store at ``path`` (waits for a writer to finish)."""
    path = Path(path)
    if not (path / _DB_FILE).exists():
        raise StoreCheckError(f"{path} is not an evidence store (no {_DB_FILE})")
    with hold_lock(path / _LOCK_FILE, timeout_s=settings.store_lock_timeout_s, exclusive=False):
        file = DuckFile(path / _DB_FILE, idle_release_s=0)
        try:
            with file.connect() as con:
                try:
                    meta, live, database_problems = _database(con)
                except duckdb.CatalogException as exc:
                    raise StoreCheckError(f"{path} is not an evidence store ({exc})") from None
                documents = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
                sample = np.random.default_rng(0).permutation(live)[:_SAMPLE].tolist()
                vectors = {
                    pid: np.array(vector, dtype=np.float32)
                    for pid, vector in con.execute(
                        "SELECT passage_id, embedding FROM passages WHERE passage_id IN (SELECT unnest(?))", [sample]
                    ).fetchall()
                }
        finally:
            file.close()
        manifest, index_problems = _manifest(path / _MANIFEST_FILE, meta, (documents, len(live)))
        index_problems += _dense(
            path / _DENSE_FILE, manifest.get("index_type", ""), int(meta["dimension"]), live, vectors
        )
        index_problems += _lexical(path / _LEXICAL_DIR, live)
        leftovers = leftover_files(path)
    return StoreCheck(
        path=str(path),
        model=meta["model"],
        documents=documents,
        passages=len(live),
        generation=int(meta["generation"]),
        index_problems=tuple(index_problems),
        database_problems=tuple(database_problems),
        leftovers=tuple(p.name for p in leftovers),
    )


def repair_store(path: Path, settings: StoreSettings, embedder: Embedder | None = None) -> StoreCheck:
    """Rebuild the indexes of the store at ``path`` from DuckDB when the check finds them wrong,
    remove leftovers of interrupted writes, and check again. ``StoreCheckError`` when DuckDB
    itself is damaged (rebuilding from it would not help)."""
    path = Path(path)
    found = check_store(path, settings)
    if found.database_problems:
        raise StoreCheckError(
            f"{path}: the database itself is inconsistent ({'; '.join(found.database_problems)}); "
            "rebuilding the indexes cannot fix that: restore a backup (sanad evidence import)"
        )
    with hold_lock(path / _LOCK_FILE, timeout_s=settings.store_lock_timeout_s):
        for leftover in leftover_files(path):
            _remove_leftover(leftover, path / _DB_FILE)
        if found.index_problems:
            (path / _MANIFEST_FILE).unlink(missing_ok=True)  # the next open rebuilds from DuckDB
    if found.index_problems:
        same_model = settings.model_copy(update={"embedding_model": found.model})
        EvidenceStore.open(path, same_model, embedder).close()
    return check_store(path, settings)
