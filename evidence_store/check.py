"""Checking an evidence store on disk, and repairing its indexes from DuckDB.

The check reads the files as they are (it does not open an ``EvidenceStore``, which would
quietly rebuild lagging indexes): DuckDB's own consistency, then the manifest and each segment
it lists (FAISS index, passage ids, BM25 postings) against DuckDB's passage ids; removed passages
a segment still holds are tombstones, not problems. Index problems are repaired by
rebuilding both indexes from the embeddings and tokens stored in DuckDB; a problem inside
DuckDB itself cannot be, and calls for a backup.
"""

import shutil
from pathlib import Path

import duckdb
import faiss
import numpy as np
from pydantic import BaseModel, ConfigDict

from evidence_store import checkpoint_guard
from evidence_store.bm25 import Postings
from evidence_store.duck import DuckFile
from evidence_store.embedding.embedder import Embedder
from evidence_store.errors import SanadError
from evidence_store.locking import hold_lock
from evidence_store.manifest import MANIFEST_FILE, IndexManifest, SegmentEntry, read_manifest
from evidence_store.segmented import LEGACY, unlisted
from evidence_store.segments import SEGMENTS_DIR
from evidence_store.settings import StoreSettings
from evidence_store.store import _DB_FILE, _LOCK_FILE, EvidenceStore

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


def _compare_ids(name: str, held: np.ndarray, live: np.ndarray) -> list[str]:
    problems = []
    if len(np.unique(held)) != len(held):
        problems.append(f"{name} holds {len(held) - len(np.unique(held))} duplicate passage ids")
    missing = np.setdiff1d(live, held)
    if len(missing):
        problems.append(f"{name} is missing {len(missing)} of {len(live)} passages (first ids {missing[:5].tolist()})")
    return problems


def _segment_dense(folder: Path, entry: SegmentEntry, dimension: int, ids: np.ndarray) -> list[str]:
    where = f" (segment {entry.name})"
    if not (folder / "dense.faiss").exists():
        return ["the FAISS index file is missing" + where]
    try:
        index = faiss.read_index(str(folder / "dense.faiss"))
    except RuntimeError as exc:
        return [f"the FAISS index file is unreadable, corrupt or truncated ({type(exc).__name__}){where}"]
    if index.d != dimension:
        return [f"the FAISS index is {index.d}-d, the store {dimension}-d{where}"]
    held = _faiss_ids(index)
    if (held is None and index.ntotal != len(ids)) or (held is not None and sorted(held.tolist()) != ids.tolist()):
        return [f"the FAISS index holds other passages than its segment lists{where}"]
    return []


def _segment_lexical(folder: Path, entry: SegmentEntry, ids: np.ndarray) -> list[str]:
    try:
        postings = Postings.load(folder)
    except (OSError, ValueError, KeyError) as exc:
        return [f"the BM25 index is unreadable ({type(exc).__name__}: {str(exc)[:120]}) (segment {entry.name})"]
    if postings.size != len(ids) or (len(postings.docs) and int(postings.docs.max()) >= len(ids)):
        return [f"the BM25 index scores {postings.size} passages but lists {len(ids)} (segment {entry.name})"]
    return []


def _segment_ids(folder: Path, entry: SegmentEntry) -> tuple[np.ndarray | None, list[str]]:
    try:
        ids = np.load(folder / "ids.npy")
    except (OSError, ValueError) as exc:
        return None, [f"segment {entry.name}'s passage ids are unreadable ({type(exc).__name__})"]
    problems = []
    if len(ids) != entry.vectors:
        problems.append(f"segment {entry.name} lists {len(ids)} passages, the manifest {entry.vectors}")
    if len(ids) and (np.any(np.diff(ids) <= 0) or ids[0] < entry.first_id or ids[-1] >= entry.end_id):
        problems.append(f"segment {entry.name}'s passage ids are out of order or outside its range")
    return ids, problems


def _segments(
    path: Path, manifest: IndexManifest, meta: dict[str, str], live: np.ndarray, vectors: dict[int, np.ndarray]
) -> list[str]:
    """Each listed segment readable and sound; together they hold every live passage once, and the right vectors."""
    problems: list[str] = []
    held: list[np.ndarray] = []
    indexes: list[tuple[SegmentEntry, faiss.Index]] = []
    previous_end = 0
    for entry in manifest.segments:
        folder = path / SEGMENTS_DIR / entry.name
        if not folder.is_dir():
            problems.append(f"segment {entry.name} is missing")
            continue
        if entry.first_id < previous_end:
            problems.append(f"segment {entry.name} overlaps the one before it")
        previous_end = entry.end_id
        ids, found = _segment_ids(folder, entry)
        problems += found
        if ids is None:
            continue
        dense = _segment_dense(folder, entry, int(meta["dimension"]), ids)
        problems += dense + _segment_lexical(folder, entry, ids)
        if not dense:
            held.append(ids)
            indexes.append((entry, faiss.read_index(str(folder / "dense.faiss"))))
    if manifest.covered_to < previous_end:
        problems.append(f"the manifest covers ids up to {manifest.covered_to}, its segments up to {previous_end}")
    all_held = np.concatenate(held) if held else np.zeros(0, np.int64)
    problems += _compare_ids("the FAISS index", all_held, live)
    problems += [
        p.replace("the FAISS index", "the BM25 index") for p in _compare_ids("the FAISS index", all_held, live)
    ]
    never = all_held[all_held >= int(meta.get("next_passage_id", "0"))]
    if len(never):
        problems.append(
            f"the indexes hold {len(never)} passages the database never had (first ids {never[:5].tolist()})"
        )
    return problems + _vectors(indexes, vectors)


def _vectors(indexes: list[tuple[SegmentEntry, faiss.Index]], vectors: dict[int, np.ndarray]) -> list[str]:
    """Sampled FAISS vectors (of ID-map segments) against DuckDB's embeddings."""
    wrong = []
    for entry, index in indexes:
        if not hasattr(index, "id_map"):
            continue
        held = set(faiss.vector_to_array(index.id_map).tolist())
        mine = {pid: vector for pid, vector in vectors.items() if entry.first_id <= pid < entry.end_id and pid in held}
        wrong += [pid for pid, vector in mine.items() if not np.allclose(index.reconstruct(pid), vector, atol=1e-5)]
    wrong.sort()
    return [f"{len(wrong)} FAISS vectors differ from DuckDB's embeddings (ids {wrong[:5]})"] if wrong else []


def _manifest(path: Path, meta: dict[str, str], counts: tuple[int, int]) -> tuple[IndexManifest | None, list[str]]:
    if not (path / MANIFEST_FILE).exists():
        return None, ["the manifest is missing"]
    manifest = read_manifest(path)
    if manifest is None:
        return None, ["the manifest is unreadable, or of an older format (the indexes are rebuilt on open)"]
    problems = []
    if manifest.generation != int(meta["generation"]):
        problems.append(
            f"the indexes are at generation {manifest.generation}, the database at {meta['generation']} "
            "(a write was interrupted before the indexes were saved)"
        )
    for key, expected in (("model", meta["model"]), ("dimension", int(meta["dimension"]))):
        if getattr(manifest, key) != expected:
            problems.append(f"the manifest's {key} is {getattr(manifest, key)!r}, the database's {expected!r}")
    for key, expected in zip(("documents", "passages"), counts, strict=True):
        if getattr(manifest, key) != expected:
            problems.append(f"the manifest counts {getattr(manifest, key)} {key}, the database {expected}")
    return manifest, problems


def leftover_files(path: Path) -> list[Path]:
    """What an interrupted write or checkpoint copy left: temporary files, segment folders the manifest does
    not list, and the single-file indexes of the older layout."""
    if not path.exists():
        return []
    manifest = read_manifest(path)
    listed = {entry.name for entry in manifest.segments} if manifest else set()
    partial = checkpoint_guard.partial_copy(path / _DB_FILE)
    prefixes = (f".{MANIFEST_FILE}.", *(f".{name}." for name in LEGACY))
    temporary = [p for p in path.iterdir() if p.name.startswith(prefixes) or p == partial]
    return sorted(temporary + unlisted(path, listed))


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
        manifest, index_problems = _manifest(path, meta, (documents, len(live)))
        if manifest is not None:
            index_problems += _segments(path, manifest, meta, live, vectors)
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
            (path / MANIFEST_FILE).unlink(missing_ok=True)  # the next open rebuilds from DuckDB
    if found.index_problems:
        same_model = settings.model_copy(update={"embedding_model": found.model})
        EvidenceStore.open(path, same_model, embedder).close()
    return check_store(path, settings)
