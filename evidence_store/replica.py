"""Read replicas of an evidence store, for warm workers on other machines.

One machine writes the store; each other machine searches its own copy, refreshed from the writer with
``replicate_store`` (``sanad evidence replicate``): a consistent export of the writer's store, imported
into a new folder beside the replica and swapped in with renames. A worker's open store notices the swap
by its generation (kept in DuckDB, carried by the export) and reloads; a worker whose replica is older
than its caller's store refuses the work (``flows.warm``), so no verdict is scored on stale evidence.
"""

import os
import shutil
import tempfile
from pathlib import Path

from pydantic import SecretStr

from evidence_store.backup import export_store, import_store
from evidence_store.db import EvidenceDB
from evidence_store.errors import InvalidInput
from evidence_store.settings import StoreSettings
from evidence_store.store import _DB_FILE


def replicate_store(source: Path, replica: Path, settings: StoreSettings, key: SecretStr | None = None) -> int:
    """Make ``replica`` a copy of the store at ``source``, replacing an older copy; returns its generation.

    ``replica`` is a symbolic link to the current copy (a folder beside it), flipped in one rename, so that a
    worker opening it finds the old copy or the new one, never neither.
    """
    source, replica = Path(source).resolve(), Path(replica).absolute()
    if replica.resolve() == source:
        raise InvalidInput(f"{replica} is the store itself, not a replica of it")
    if not (source / _DB_FILE).exists():
        raise InvalidInput(f"{source} is not an evidence store (no {_DB_FILE})")
    if replica.exists() and not replica.is_symlink():
        raise InvalidInput(f"{replica} exists and is not a replica made by `sanad evidence replicate`")
    replica.parent.mkdir(parents=True, exist_ok=True)
    previous = replica.resolve() if replica.is_symlink() else None
    copy = Path(tempfile.mkdtemp(prefix=f".{replica.name}.", suffix=".copy", dir=replica.parent))
    try:
        with tempfile.TemporaryDirectory(prefix=f".{replica.name}.", suffix=".export", dir=replica.parent) as export:
            export_store(source, Path(export) / "backup", key)
            import_store(Path(export) / "backup", copy, settings, key=key)
        link = replica.with_name(f".{replica.name}.link")
        link.unlink(missing_ok=True)
        link.symlink_to(copy.name)
        os.replace(link, replica)
    except BaseException:
        shutil.rmtree(copy, ignore_errors=True)
        raise
    if previous is not None and previous != copy:
        shutil.rmtree(previous, ignore_errors=True)
    return EvidenceDB.stored_generation(replica / _DB_FILE)
