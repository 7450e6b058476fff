"""Backup folders: DuckDB tables streamed to Parquet, a manifest with counts and sha256 checksums, and,
where ``SANAD_BACKUP_KEY`` is set, a signature of the manifest.

Shared by the evidence store's and the reports database's export and import. A backup is written
into a staging folder and renamed into place whole. Reading one, before anything is imported:
checks the signature (with a key), validates the manifest (strict types, no unknown, missing or
duplicate keys), requires every table file to be listed, refuses a Parquet file it does not list,
checks every listed file's size and sha256, and checks each file's columns and types against the
table it goes into.

Checksums detect damage (corruption, truncation, an accidental edit), not tampering: whoever can
rewrite a table file can rewrite the manifest. ``manifest.sig`` holds ``hmac-sha256:<hex>``, the
HMAC-SHA256 of the exact bytes of ``manifest.json`` keyed with ``SANAD_BACKUP_KEY``; only a
backup signed with the key is known to come from someone who holds it.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from evidence_store.errors import SanadError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_SIGNATURE_PREFIX = "hmac-sha256:"
_MAX_MANIFEST_BYTES = 1 << 20
_BATCH_ROWS = 20_000
_AS_ARROW = {"JSON": "VARCHAR"}  # a column type that Parquet files hold as another (checked on insert)

log = logging.getLogger(__name__)


class BackupError(SanadError, RuntimeError):
    """A backup that cannot be written or read (exists, damaged, wrong kind, target not empty)."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


class FileEntry(_Strict):
    """A table file of a backup: its rows, size and checksum."""

    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(_Strict):
    """What every backup's ``manifest.json`` holds; each kind of backup adds its own fields."""

    KIND: ClassVar[str]
    TABLES: ClassVar[tuple[str, ...]]

    kind: str
    format: Literal[1] = 1
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())
    counts: dict[str, int]
    files: dict[str, FileEntry]


M = TypeVar("M", bound=Manifest)


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


def write_table(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> FileEntry:
    """Stream the rows of ``query`` (a fixed statement, no values) to a Parquet file; its manifest entry."""
    reader = con.sql(query).to_arrow_reader(_BATCH_ROWS)
    rows = 0
    with pq.ParquetWriter(path, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return FileEntry(rows=rows, bytes=path.stat().st_size, sha256=sha256_of(path))


def _signature(key: SecretStr, data: bytes) -> str:
    secret = key.get_secret_value().encode("utf-8")
    if not secret:
        raise BackupError("SANAD_BACKUP_KEY is empty; set a long random key, or unset it")
    return _SIGNATURE_PREFIX + hmac.new(secret, data, hashlib.sha256).hexdigest()


def write_manifest(folder: Path, manifest: Manifest, key: SecretStr | None = None) -> None:
    """Write ``manifest.json`` (last, after the table files) and, with a key, its signature ``manifest.sig``."""
    data = json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False).encode("utf-8")
    if key is not None:
        (folder / SIGNATURE).write_text(_signature(key, data) + "\n", encoding="ascii")
    (folder / MANIFEST).write_bytes(data)


def _manifest_bytes(folder: Path) -> bytes:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a Sanad backup (no {MANIFEST})")
    with path.open("rb") as handle:
        data = handle.read(_MAX_MANIFEST_BYTES + 1)
    if len(data) > _MAX_MANIFEST_BYTES:
        raise BackupError(f"{folder}: {MANIFEST} is over {_MAX_MANIFEST_BYTES} bytes; a Sanad manifest is far smaller")
    return data


def _check_signature(folder: Path, data: bytes, key: SecretStr) -> None:
    """Refuse the manifest unless ``manifest.sig`` is its HMAC under ``key``."""
    path = folder / SIGNATURE
    if not path.is_file():
        raise BackupError(f"{folder} is not signed (no {SIGNATURE}) and SANAD_BACKUP_KEY is set; refusing it")
    with path.open("rb") as handle:
        found = handle.read(len(_SIGNATURE_PREFIX) + 200).strip()
    if not hmac.compare_digest(found, _signature(key, data).encode("ascii")):
        raise BackupError(
            f"{folder}: {SIGNATURE} does not match {MANIFEST} under SANAD_BACKUP_KEY (edited, or another key)"
        )


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(f"key {_shown(key)} appears twice")
        found[key] = value
    return found


def _shown(text: str) -> str:
    """A key from the manifest, quoted, escaped and cut short, for an error line."""
    return repr(text if len(text) <= 60 else text[:60] + "…")


def _parse(folder: Path, data: bytes) -> dict[str, object]:
    try:
        raw = json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise BackupError(f"{folder}: {MANIFEST}: {exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BackupError(f"{folder}: {MANIFEST} is not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(raw, dict):
        raise BackupError(f"{folder}: {MANIFEST} is a JSON {type(raw).__name__}, not an object")
    return raw


def _problem(exc: ValidationError) -> str:
    """The first validation error, as a short phrase naming the key."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        text = f"{_shown(where)} is missing"
    elif error["type"] == "extra_forbidden":
        text = f"{_shown(where)} is not a known key"
    else:
        text = f"{_shown(where)}: {error['msg']}" if where else error["msg"].removeprefix("Value error, ")
    more = exc.error_count() - 1
    return text + (f" (and {more} more problem(s))" if more else "")


def _check_listing(folder: Path, manifest: Manifest) -> None:
    """Every table file listed and counted, nothing else listed, no Parquet file left unlisted."""
    expected = [f"{table}.parquet" for table in manifest.TABLES]
    for name in expected:
        if name not in manifest.files:
            raise BackupError(f"{folder}: {MANIFEST} does not list {name}; every table file must be listed and checked")
    for name in manifest.files:
        if name not in expected:
            raise BackupError(f"{folder}: {MANIFEST} lists {_shown(name)}, which is not a table of this backup")
    for path in folder.iterdir():
        if path.suffix.lower() == ".parquet" and path.name not in manifest.files:
            raise BackupError(f"{folder}: {_shown(path.name)} is not listed in {MANIFEST}; refusing an unchecked file")
    for table in manifest.TABLES:
        if manifest.counts.get(table) != manifest.files[f"{table}.parquet"].rows:
            raise BackupError(f"{folder}: {MANIFEST}: counts.{table} differs from the rows of {table}.parquet")
    if len(manifest.counts) != len(manifest.TABLES):
        raise BackupError(f"{folder}: {MANIFEST}: 'counts' names other tables than {', '.join(manifest.TABLES)}")


def _check_files(folder: Path, manifest: Manifest) -> None:
    for name, entry in manifest.files.items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"{folder}: {name} is missing")
        if file.stat().st_size != entry.bytes or sha256_of(file) != entry.sha256:
            raise BackupError(f"{folder}: {name} does not match its checksum in the manifest (damaged or edited)")


def read_manifest(folder: Path, manifest_type: type[M], key: SecretStr | None = None) -> M:
    """The manifest of the backup in ``folder``, once it is valid, signed where ``key`` is set, lists every
    table file, and every file matches its size and checksum; a ``BackupError`` naming the problem otherwise."""
    folder = Path(folder)
    data = _manifest_bytes(folder)
    if key is not None:
        _check_signature(folder, data, key)
    raw = _parse(folder, data)
    if raw.get("kind") != manifest_type.KIND:
        raise BackupError(f"{folder} is a {_shown(str(raw.get('kind')))} backup, not {manifest_type.KIND!r}")
    if raw.get("format") != 1:
        raise BackupError(f"{folder} is backup format {_shown(str(raw.get('format')))}; this Sanad reads format 1")
    try:
        manifest = manifest_type.model_validate(raw)
    except ValidationError as exc:
        raise BackupError(f"{folder}: {MANIFEST}: {_problem(exc)}") from None
    _check_listing(folder, manifest)
    _check_files(folder, manifest)
    if key is None and (folder / SIGNATURE).exists():
        log.warning("%s is signed, but SANAD_BACKUP_KEY is not set: signature not verified (checksums were)", folder)
    return manifest


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
    ).fetchall()


def _file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """The columns of a Parquet file, with the DuckDB type each would be inserted as."""
    try:
        with pq.ParquetFile(path) as file:
            schema = file.schema_arrow
        types = con.from_arrow(schema.empty_table()).types
    except (pa.ArrowException, duckdb.Error, OSError) as exc:
        raise BackupError(f"{path.name} is not a readable Parquet file ({str(exc)[:120]})") from None
    return list(zip(schema.names, map(str, types), strict=True))


def check_columns(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Refuse a Parquet file whose columns differ (in name, order or type) from ``table``'s."""
    expected, found = _table_columns(con, table), _file_columns(con, path)
    names, wanted = [name for name, _ in found], [name for name, _ in expected]
    if names != wanted:
        raise BackupError(f"{path.name} has columns {names}; this Sanad's {table} table has {wanted}")
    for (name, found_type), (_, expected_type) in zip(found, expected, strict=True):
        if found_type != _AS_ARROW.get(expected_type, expected_type):
            raise BackupError(f"{path.name}: column {name} is {found_type}; the {table} table here has {expected_type}")


def _append(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    rows = 0
    try:
        with pq.ParquetFile(path) as file:
            for batch in file.iter_batches(_BATCH_ROWS):
                con.from_arrow(batch).insert_into(table)
                rows += batch.num_rows
    except (pa.ArrowException, duckdb.Error, OSError) as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise BackupError(f"{path.name}: its rows cannot be restored into {table} ({reason})") from None
    return rows


def insert_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """Append the rows of a Parquet file to ``table``, batch by batch (no SQL text is built); the row count.
    A file whose columns differ from the table's is refused before any row is written."""
    check_columns(con, table, path)
    return _append(con, table, path)


def insert_tables(con: duckdb.DuckDBPyConnection, folder: Path, tables: Iterable[str]) -> dict[str, int]:
    """Check every table file's columns against its table, then append each; the rows of each table."""
    paths = {table: Path(folder) / f"{table}.parquet" for table in tables}
    for table, path in paths.items():
        check_columns(con, table, path)
    return {table: _append(con, table, path) for table, path in paths.items()}
