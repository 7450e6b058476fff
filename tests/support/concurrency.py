"""The documents and store settings of the concurrent-ingest tests: each writer adds ``BATCHES`` batches
of ``PER_BATCH`` documents."""

from pathlib import Path

from evidence_store.settings import StoreSettings
from evidence_store.types import DocumentInput

WRITERS, BATCHES, PER_BATCH = 2, 6, 3


def document(worker: int, batch: int, n: int) -> DocumentInput:
    return DocumentInput(
        text=f"Worker {worker} batch {batch} report {n}: flight w{worker}b{batch}n{n} landed in Benghazi. "
        f"The cargo was inspected by officials.",
        external_id=f"w{worker}-b{batch}-{n}",
    )


def settings_for(path: str) -> StoreSettings:
    return StoreSettings(home=Path(path).parent)
