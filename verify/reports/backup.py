"""Export the reports database to Parquet files plus a manifest, and import such a backup into a new file.

Every table is copied row for row (ids, timestamps and the migration history included), and
the id sequences continue after the imported ids, so the imported database reads, and keeps
growing, exactly like the original.
"""

import os
import uuid
from pathlib import Path
from typing import ClassVar

import duckdb
from pydantic import BaseModel, ConfigDict, SecretStr

from evidence_store.backup_files import (
    BackupError,
    Manifest,
    insert_tables,
    read_manifest,
    staged_folder,
    write_manifest,
    write_table,
)
from evidence_store.duck import DuckFile
from verify.reports.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version

KIND = "sanad-reports"
TABLES = {
    "schema_version": "SELECT * FROM schema_version ORDER BY version",
    "runs": "SELECT * FROM runs ORDER BY run_id",
    "articles": "SELECT * FROM articles ORDER BY article_id",
    "claims": "SELECT * FROM claims ORDER BY claim_id",
    "verdicts": "SELECT * FROM verdicts ORDER BY verdict_id",
    "verdict_evidence": "SELECT * FROM verdict_evidence ORDER BY verdict_id, rank",
    "reviews": "SELECT * FROM reviews ORDER BY review_id",
}
# each sequence continues after the largest id imported into its table
_SEQUENCES = (
    ("SELECT coalesce(max(verdict_id), 0) FROM verdicts", "SELECT count(nextval('verdict_ids')) FROM range(?)"),
    ("SELECT coalesce(max(review_id), 0) FROM reviews", "SELECT count(nextval('review_ids')) FROM range(?)"),
)


class ReportsManifest(Manifest):
    """The manifest of a reports backup: the schema version its tables are at."""

    KIND: ClassVar[str] = KIND
    TABLES: ClassVar[tuple[str, ...]] = tuple(TABLES)

    schema_version: int


class ReportsBackup(BaseModel):
    """What a reports backup holds: its schema version and the rows of each table."""

    model_config = ConfigDict(frozen=True)

    path: str
    schema_version: int
    counts: dict[str, int]


def export_reports(database: Path, target: Path, key: SecretStr | None = None) -> ReportsBackup:
    """Write the reports database to the new folder ``target`` from one snapshot (writers may go on); with
    ``key``, the manifest is signed in ``manifest.sig``."""
    if not Path(database).exists():
        raise BackupError(f"no reports database at {database}")
    file = DuckFile(database, idle_release_s=0, read_only=True)
    with staged_folder(target) as staging:
        try:
            with file.transaction() as con:
                version = schema_version(con)
                files = {
                    f"{table}.parquet": write_table(con, sql, staging / f"{table}.parquet")
                    for table, sql in TABLES.items()
                }
        finally:
            file.close()
        counts = {table: files[f"{table}.parquet"].rows for table in TABLES}
        write_manifest(staging, ReportsManifest(kind=KIND, schema_version=version, counts=counts, files=files), key)
    return ReportsBackup(path=str(target), schema_version=version, counts=counts)


def _fill(con: duckdb.DuckDBPyConnection, source: Path, version: int) -> dict[str, int]:
    """Create the schema at the backup's version, copy every table in, then migrate to the latest."""
    migrate(con, MIGRATIONS[:version])
    con.execute("DELETE FROM schema_version")
    counts = insert_tables(con, source, TABLES)
    for largest, advance in _SEQUENCES:
        con.execute(advance, [con.execute(largest).fetchall()[0][0]]).fetchall()
    migrate(con)
    return counts


def import_reports(source: Path, database: Path, key: SecretStr | None = None) -> ReportsBackup:
    """Create the reports database ``database`` (which must not exist) from the backup in ``source``; with
    ``key``, the backup must be signed with it."""
    source, database = Path(source), Path(database)
    manifest = read_manifest(source, ReportsManifest, key)
    version = manifest.schema_version
    if not 1 <= version <= LATEST_VERSION:
        raise BackupError(f"{source} is at reports schema version {version}; this Sanad knows 1 to {LATEST_VERSION}")
    if database.exists():
        raise BackupError(f"{database} already exists; import into a new SANAD_HOME or move it aside")
    database.parent.mkdir(parents=True, exist_ok=True)
    draft = database.with_name(f".{database.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.import")
    try:
        with duckdb.connect(str(draft)) as con:
            con.execute("BEGIN TRANSACTION")
            counts = _fill(con, source, version)
            if counts != manifest.counts:
                raise BackupError(f"{source}: read {counts}, the manifest promises {manifest.counts}")
            con.execute("COMMIT")
        try:
            os.link(draft, database)  # appears whole, and never over a database created meanwhile
        except FileExistsError:
            raise BackupError(f"{database} was created while importing; nothing was replaced") from None
    finally:
        draft.unlink(missing_ok=True)
        draft.with_name(draft.name + ".wal").unlink(missing_ok=True)
    return ReportsBackup(path=str(database), schema_version=version, counts=counts)
