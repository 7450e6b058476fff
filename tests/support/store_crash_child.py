"""A child process for the evidence store crash test: runs a fixed sequence of adds and removes on a
store and, when told to, stops at a chosen point of a write (printing ``PAUSED``) so that the parent
can SIGKILL it there.

    python -m tests.support.store_crash_child STORE STAGE OCCURRENCE

STAGE is one of ``STAGES`` (or ``none``); OCCURRENCE counts from 1.
"""

import os
import sys
import time
from pathlib import Path

from evidence_store.db import EvidenceDB
from evidence_store.segmented import SegmentedIndex
from evidence_store.segments import Segment
from evidence_store.settings import StoreSettings
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from tests.support.embedders import HashEmbedder

STAGES = (
    "embed",  # embedding a batch: nothing written yet
    "insert",  # inside the DuckDB transaction, a batch of documents or passages inserted
    "commit",  # DuckDB committed, the new segment not yet written
    "segment-rename",  # a segment written to its staging folder, not yet renamed into segments/
    "manifest",  # the segments saved, the manifest listing them not yet
    "cleanup",  # the manifest written, the folders it no longer lists not yet removed
)


def _document(batch: int, n: int, version: int = 0) -> DocumentInput:
    sentences = " ".join(
        f"Sentence {s} of report b{batch}d{n}v{version} tells of flight tok{batch}x{n}v{version} to Benghazi."
        for s in range(3 + n * 9)
    )
    return DocumentInput(text=sentences, external_id=f"b{batch}-{n}", language="en")


OPERATIONS: list[tuple[str, list]] = [
    ("add", [_document(0, n) for n in range(3)]),
    ("add", [_document(1, n) for n in range(3)]),
    ("add", [_document(0, 1, version=1), _document(2, 0), _document(2, 1)]),  # replaces b0-1
    ("remove", ["b1-0", "b0-2"]),
    ("add", [_document(3, n) for n in range(3)]),
    ("add", [_document(4, n) for n in range(2)]),
]


def expected_states() -> list[dict[str, str]]:
    """The documents (id -> text) after each prefix of ``OPERATIONS`` (index 0: empty store)."""
    states, current = [{}], {}
    for kind, payload in OPERATIONS:
        current = dict(current)
        if kind == "add":
            current.update({doc.external_id: doc.text for doc in payload})
        else:
            for doc_id in payload:
                current.pop(doc_id, None)
        states.append(current)
    return states


def apply(store: EvidenceStore, operations: list[tuple[str, list]]) -> None:
    for kind, payload in operations:
        if kind == "add":
            store.add(payload)
        else:
            store.remove(payload)


def settings(store: Path) -> StoreSettings:
    return StoreSettings(home=store.parent, chunk_max_chars=200)


def _pause_at(stage: str, occurrence: int) -> None:
    """Wrap the function where ``stage`` happens so that its ``occurrence``-th call stops the process."""
    calls = {"n": 0}

    def reached() -> None:
        calls["n"] += 1
        if calls["n"] == occurrence:
            print(f"PAUSED {stage}", flush=True)
            time.sleep(120)

    def wrap(owner, name, wrapper_of):
        original = getattr(owner, name)
        setattr(owner, name, wrapper_of(original))

    if stage == "embed":
        wrap(HashEmbedder, "embed", lambda f: lambda self, *a, **k: (reached(), f(self, *a, **k))[1])
    elif stage == "insert":
        wrap(EvidenceDB, "_insert", lambda f: staticmethod(lambda *a: (f(*a), reached())[0]))
    elif stage == "commit":
        wrap(Segment, "save", lambda f: lambda self, root: (reached(), f(self, root))[1])
    elif stage == "cleanup":
        wrap(SegmentedIndex, "remove_unlisted", lambda f: lambda self: (reached(), f(self))[1])
    else:
        real = os.replace

        def replace(source, destination):
            source, destination = Path(source), Path(destination)
            if stage == "manifest":
                moving_in = destination.name == "manifest.json" and source.name.startswith(".manifest.json.")
            else:
                moving_in = destination.parent.name == "segments" and source.name.startswith(".")
            if moving_in:
                reached()
            return real(source, destination)

        os.replace = replace


def main(store_path: str, stage: str, occurrence: str) -> None:
    path = Path(store_path)
    with EvidenceStore.open(path, settings(path), HashEmbedder()) as store:
        if stage != "none":
            _pause_at(stage, int(occurrence))
        print("READY", flush=True)
        apply(store, OPERATIONS)
    print("DONE", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
