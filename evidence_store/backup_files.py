"""Backup folders: DuckDB tables streamed to Parquet, and a manifest with counts and sha256 checksums.

Shared by the evidence store's and the reports database's export and import. A backup is
written into a staging folder and renamed into place whole; reading one checks every file
against the manifest before anything is imported.
"""

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from evidence_store.errors import SanadError

MANIFEST = "manifest.json"
_BATCH_ROWS = 20_000


class BackupError(SanadError, RuntimeError):
    """A backup that cannot be written or read (exists, damaged, wrong kind, target not empty)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target`` that becomes ``target`` when the block succeeds.

    ``target`` must not exist, or be an empty folder.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield staging
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_table(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> dict[str, object]:
    """Stream the rows of ``query`` (a fixed statement, no values) to a Parquet file; its manifest entry."""
    reader = con.sql(query).to_arrow_reader(_BATCH_ROWS)
    rows = 0
    with pq.ParquetWriter(path, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return {"rows": rows, "bytes": path.stat().st_size, "sha256": sha256_of(path)}


def write_manifest(folder: Path, kind: str, files: Mapping[str, Mapping[str, object]], **fields: object) -> None:
    """The manifest of a backup of ``kind``, written last."""
    manifest = {"kind": kind, "format": 1, "created_at": datetime.now(UTC).isoformat(), **fields, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def read_manifest(folder: Path, kind: str) -> dict:
    """The manifest of the backup in ``folder``, after checking every file's size and checksum."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a Sanad backup (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is unreadable ({exc})") from None
    if manifest.get("kind") != kind:
        raise BackupError(f"{folder} is a {manifest.get('kind')!r} backup, not {kind!r}")
    if manifest.get("format") != 1:
        raise BackupError(f"{folder} is backup format {manifest.get('format')!r}; this Sanad reads format 1")
    for name, entry in manifest["files"].items():
        file = Path(folder) / name
        if not file.exists():
            raise BackupError(f"{folder}: {name} is missing")
        if file.stat().st_size != entry["bytes"] or sha256_of(file) != entry["sha256"]:
            raise BackupError(f"{folder}: {name} does not match its checksum in the manifest (damaged or edited)")
    return manifest


def check_columns(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Refuse a Parquet file whose columns differ (in name or order) from ``table``'s."""
    columns = [
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
        ).fetchall()
    ]
    found = pq.ParquetFile(path).schema_arrow.names
    if found != columns:
        raise BackupError(f"{path.name} has columns {found}; this Sanad's {table} table has {columns}")


def insert_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """Append the rows of a Parquet file to ``table``, batch by batch (no SQL text is built); the row count.
    A file whose columns differ from the table's is refused before any row is written."""
    check_columns(con, table, path)
    rows = 0
    for batch in pq.ParquetFile(path).iter_batches(_BATCH_ROWS):
        con.from_arrow(batch).insert_into(table)
        rows += batch.num_rows
    return rows
