"""Export an evidence store to Parquet files plus a manifest, and import such a backup into a new store.

The export reads one DuckDB snapshot (documents, passages with their embeddings and tokens,
feed items, and the store's meta: model, dimension, generation, next passage id); the import
recreates the DuckDB file from it and rebuilds the FAISS and BM25 indexes, so the imported
store answers every search exactly as the original did.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evidence_store.backup_files import (
    BackupError,
    insert_table,
    read_manifest,
    staged_folder,
    write_manifest,
    write_table,
)
from evidence_store.db import EvidenceDB
from evidence_store.duck import DuckFile
from evidence_store.embedding.embedder import Embedder
from evidence_store.settings import StoreSettings
from evidence_store.store import _DB_FILE, EvidenceStore

KIND = "sanad-evidence"
TABLES = {
    "documents": "SELECT * FROM documents ORDER BY doc_id",
    "passages": "SELECT * FROM passages ORDER BY passage_id",
    "feed_items": "SELECT * FROM feed_items ORDER BY feed_url, item_key",
}


class EvidenceBackup(BaseModel):
    """What a backup holds."""

    model_config = ConfigDict(frozen=True)

    path: str
    model: str
    dimension: int
    documents: int
    passages: int
    feed_items: int


def _summary(path: Path, meta: dict[str, str], rows: dict[str, int]) -> EvidenceBackup:
    return EvidenceBackup(path=str(path), model=meta["model"], dimension=int(meta["dimension"]), **rows)


def export_store(store_path: Path, target: Path) -> EvidenceBackup:
    """Write the store at ``store_path`` to the new folder ``target`` (Parquet files and ``manifest.json``)."""
    database = Path(store_path) / _DB_FILE
    if not database.exists():
        raise BackupError(f"no evidence store at {store_path}")
    file = DuckFile(database, idle_release_s=0, read_only=True)
    with staged_folder(target) as staging:
        try:
            with file.transaction() as con:  # one snapshot, even while others write
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
                files = {
                    f"{table}.parquet": write_table(con, sql, staging / f"{table}.parquet")
                    for table, sql in TABLES.items()
                }
        finally:
            file.close()
        rows = {table: int(files[f"{table}.parquet"]["rows"]) for table in TABLES}
        write_manifest(
            staging, KIND, files, model=meta["model"], dimension=int(meta["dimension"]), counts=rows, meta=meta
        )
    return _summary(Path(target), meta, rows)


def import_store(
    source: Path, store_path: Path, settings: StoreSettings, embedder: Embedder | None = None
) -> EvidenceBackup:
    """Create the store at ``store_path`` (a new or empty folder) from the backup in ``source``, indexes included."""
    source, store_path = Path(source), Path(store_path)
    manifest = read_manifest(source, KIND)
    meta: dict[str, str] = manifest["meta"]
    if (store_path / _DB_FILE).exists():
        raise BackupError(f"{store_path} already holds an evidence store; import into a new folder or move it aside")
    with staged_folder(store_path) as staging:
        db = EvidenceDB(staging / _DB_FILE)
        try:
            db.initialise(meta["model"], int(meta["dimension"]))
            with db.file.transaction() as con:
                rows = {}
                for table in TABLES:
                    rows[table] = insert_table(con, table, source / f"{table}.parquet")
                con.executemany(
                    "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    sorted(meta.items()),
                )
                if rows != manifest["counts"]:
                    raise BackupError(f"{source}: read {rows}, the manifest promises {manifest['counts']}")
        finally:
            db.close()
    same_model = settings.model_copy(update={"embedding_model": meta["model"]})
    EvidenceStore.open(store_path, same_model, embedder).close()  # builds FAISS and BM25 from DuckDB
    return _summary(store_path, meta, rows)
