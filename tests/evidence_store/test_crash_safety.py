"""SIGKILL an ingest at chosen and random points; the store reopens consistent, with whole documents.

Each run starts ``tests.support.store_crash_child`` in a subprocess on a fresh store, kills it at one
point of a write (or after a random delay), then checks the files as they are, reopens the store, and
compares it with the states the operations could have left: all or nothing of each one.
"""

import random

import pytest

from evidence_store.check import check_store
from evidence_store.chunking import chunk_text
from evidence_store.store import EvidenceStore
from tests.support import store_crash_child
from tests.support.crash import kill_child
from tests.support.embedders import HashEmbedder

# (stage, occurrence): where the kill lands; "random" kills after that many seconds (a slow machine
# may finish first, which the checks below accept)
POINTS = [
    ("embed", 2),
    ("insert", 5),
    ("commit", 1),
    ("segment-rename", 3),
    ("manifest", 5),
    ("cleanup", 4),
    *(("random", round(random.Random(seed).uniform(0.02, 0.25), 3)) for seed in (1, 2)),  # the run takes ~0.3s
]
LAGGING = {"commit", "segment-rename", "manifest"}  # DuckDB committed, indexes behind


def assert_whole(store: EvidenceStore, texts: dict[str, str], settings) -> None:
    """Every document has exactly the passages its text chunks into, and both indexes find each one."""
    for doc_id, text in texts.items():
        passages = store.db.passages_of(doc_id)
        chunks = chunk_text(text, settings.chunk_max_chars, settings.chunk_overlap_sentences)
        assert [(p.text, p.char_start, p.char_end) for p in passages] == [tuple(c) for c in chunks], doc_id
        token = text.split("flight ")[1].split()[0]
        assert store.search(f"flight {token}", k=1, mode="bm25")[0].passage.doc_id == doc_id
        exact = [
            h.passage.passage_id for h in store.search(passages[0].text, k=5, mode="dense") if h.dense_score > 0.9999
        ]
        assert passages[0].passage_id in exact, doc_id


@pytest.mark.parametrize(("stage", "when"), POINTS, ids=[f"{s}-{w}" for s, w in POINTS])
def test_a_killed_ingest_leaves_whole_documents_and_consistent_indexes(tmp_path, stage, when):
    path = tmp_path / "store"
    settings = store_crash_child.settings(path)
    output = kill_child("tests.support.store_crash_child", path, stage, when)
    states = store_crash_child.expected_states()

    found = check_store(path, settings)  # the files exactly as the kill left them
    assert found.database_problems == ()
    if stage in LAGGING:
        assert found.index_problems, "a kill after the commit must leave the indexes behind the database"
        assert any("generation" in problem for problem in found.index_problems)
    elif stage in ("embed", "insert", "cleanup"):
        assert found.ok, found.index_problems  # nothing committed, or all of it indexed: nothing to catch up

    with EvidenceStore.open(path, settings, HashEmbedder()) as store:
        assert check_store(path, settings).ok
        present = {doc.doc_id for doc in store.documents()}
        matches = [k for k, state in enumerate(states) if set(state) == present]  # the states differ in ids
        assert len(matches) == 1, f"documents {sorted(present)} are no prefix of the operations (output {output})"
        (done,) = matches
        assert_whole(store, states[done], settings)  # and in content: b0-1 is replaced by operation 2
        store_crash_child.apply(store, store_crash_child.OPERATIONS[done:])  # the ingest can simply be run again
        assert_whole(store, states[-1], settings)
        assert {doc.doc_id for doc in store.documents()} == set(states[-1])
    assert check_store(path, settings).ok
