"""Export an evidence store to Parquet files plus a manifest, and import such a backup into a new store.

The export reads one DuckDB snapshot (documents, passages with their embeddings and tokens,
feed items, and the store's meta: model, dimension, generation, next passage id); the import
recreates the DuckDB file from it and rebuilds the FAISS and BM25 indexes, so the imported
store answers every search exactly as the original did.
"""

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from evidence_store.backup_files import (
    BackupError,
    Manifest,
    insert_tables,
    read_manifest,
    staged_folder,
    write_manifest,
    write_table,
)
from evidence_store.db import SCHEMA_VERSION, EvidenceDB
from evidence_store.duck import DuckFile
from evidence_store.embedding.embedder import Embedder
from evidence_store.settings import IndexType, StoreSettings
from evidence_store.store import _DB_FILE, EvidenceStore

KIND = "sanad-evidence"
TABLES = {
    "documents": "SELECT * FROM documents ORDER BY doc_id",
    "passages": "SELECT * FROM passages ORDER BY passage_id",
    "feed_items": "SELECT * FROM feed_items ORDER BY feed_url, item_key",
}
_NUMBER = r"^[0-9]{1,18}$"


class EvidenceMeta(BaseModel):
    """The store's meta table, as a backup carries it (values are text, as in DuckDB)."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    schema_version: str = Field(pattern=_NUMBER)
    model: str = Field(min_length=1)
    dimension: str = Field(pattern=_NUMBER)
    generation: str = Field(pattern=_NUMBER)
    next_passage_id: str = Field(pattern=_NUMBER)
    index_type: IndexType | None = None


class EvidenceManifest(Manifest):
    """The manifest of an evidence backup: the embedding model and dimension, and the store's meta."""

    KIND: ClassVar[str] = KIND
    TABLES: ClassVar[tuple[str, ...]] = tuple(TABLES)

    model: str
    dimension: int = Field(gt=0, le=65_536)
    meta: EvidenceMeta

    @model_validator(mode="after")
    def _agrees_with_meta(self) -> "EvidenceManifest":
        if self.meta.model != self.model or int(self.meta.dimension) != self.dimension:
            raise ValueError("'model' and 'dimension' differ from those in 'meta'")
        if self.meta.schema_version != str(SCHEMA_VERSION):
            raise ValueError(f"meta.schema_version is {self.meta.schema_version}; this Sanad reads {SCHEMA_VERSION}")
        return self


class EvidenceBackup(BaseModel):
    """What a backup holds."""

    model_config = ConfigDict(frozen=True)

    path: str
    model: str
    dimension: int
    documents: int
    passages: int
    feed_items: int


def export_store(store_path: Path, target: Path, key: SecretStr | None = None) -> EvidenceBackup:
    """Write the store at ``store_path`` to the new folder ``target`` (Parquet files and ``manifest.json``,
    signed in ``manifest.sig`` when ``key`` is given)."""
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
        rows = {table: files[f"{table}.parquet"].rows for table in TABLES}
        manifest = EvidenceManifest(
            kind=KIND, model=meta["model"], dimension=int(meta["dimension"]), counts=rows, meta=meta, files=files
        )
        write_manifest(staging, manifest, key)
    return EvidenceBackup(path=str(target), model=manifest.model, dimension=manifest.dimension, **rows)


def import_store(
    source: Path,
    store_path: Path,
    settings: StoreSettings,
    embedder: Embedder | None = None,
    key: SecretStr | None = None,
) -> EvidenceBackup:
    """Create the store at ``store_path`` (a new or empty folder) from the backup in ``source``, indexes included.
    With ``key``, the backup must be signed with it."""
    source, store_path = Path(source), Path(store_path)
    manifest = read_manifest(source, EvidenceManifest, key)
    if (store_path / _DB_FILE).exists():
        raise BackupError(f"{store_path} already holds an evidence store; import into a new folder or move it aside")
    meta = manifest.meta.model_dump(exclude_none=True)
    with staged_folder(store_path) as staging:
        db = EvidenceDB(staging / _DB_FILE)
        try:
            db.initialise(manifest.model, manifest.dimension)
            with db.file.transaction() as con:
                rows = insert_tables(con, source, TABLES)
                con.executemany(
                    "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    sorted(meta.items()),
                )
                if rows != manifest.counts:
                    raise BackupError(f"{source}: read {rows}, the manifest promises {manifest.counts}")
        finally:
            db.close()
    same_model = settings.model_copy(update={"embedding_model": manifest.model})
    EvidenceStore.open(store_path, same_model, embedder).close()  # builds FAISS and BM25 from DuckDB
    return EvidenceBackup(path=str(store_path), model=manifest.model, dimension=manifest.dimension, **rows)
