"""`check_store` finds every way DuckDB, the manifest, FAISS and BM25 can disagree; `repair_store` fixes
the indexes from DuckDB and refuses when DuckDB itself is damaged."""

import json
import shutil
import subprocess
import sys
import threading
import time

import duckdb
import faiss
import numpy as np
import pytest

from evidence_store.check import StoreCheckError, check_store, repair_store
from evidence_store.locking import StoreBusyError, hold_lock
from evidence_store.segmented import SegmentedIndex
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput

DOCS = [
    DocumentInput(
        text=f"Report {n} says Cham Wings flew {n} times to Benghazi. It cites UN experts.", external_id=f"r{n}"
    )
    for n in range(6)
]


@pytest.fixture
def store_path(tmp_path, settings, hash_embedder):
    path = tmp_path / "store"
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add(DOCS)
    return path


def segment(path):
    """The folder of the store's only segment."""
    (folder,) = (path / "segments").iterdir()
    return folder


def repaired(path, settings, hash_embedder):
    result = repair_store(path, settings, hash_embedder)
    assert result.ok and not result.leftovers, result
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        assert store.search("Cham Wings flew 3 times", k=1, mode="bm25")[0].passage.doc_id == "r3"
        assert store.search("Cham Wings flew 3 times", k=1, mode="dense")[0].passage.doc_id == "r3"
    return result


def test_a_sound_store_checks_clean(store_path, settings):
    found = check_store(store_path, settings)
    assert found.ok and (found.documents, found.passages, found.generation) == (6, 6, 1)
    assert found.model == "test/hash-embedder"


def test_indexes_behind_the_database_are_found_and_rebuilt(store_path, settings, hash_embedder):
    stale = (store_path / "manifest.json").read_text()
    with EvidenceStore.open(store_path, settings, hash_embedder) as store:
        store.add([DocumentInput(text="A seventh report about flights to Benghazi.", external_id="r6")])
    (store_path / "manifest.json").write_text(stale)
    found = check_store(store_path, settings)
    assert "the indexes are at generation 1, the database at 2" in found.index_problems[0]
    assert repaired(store_path, settings, hash_embedder).passages == 7


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: (segment(p) / "dense.faiss").unlink(), "the FAISS index file is missing"),
        (lambda p: (segment(p) / "dense.faiss").write_bytes(b"\x00" * 64), "the FAISS index file is unreadable"),
        (lambda p: shutil.rmtree(segment(p)), "segment "),
        (lambda p: (segment(p) / "docs.npy").write_bytes(b"junk"), "the BM25 index is unreadable"),
        (lambda p: (segment(p) / "ids.npy").write_bytes(b"junk"), "segment "),
        (lambda p: (p / "manifest.json").write_text("{"), "the manifest is unreadable"),
        (lambda p: (p / "manifest.json").unlink(), "the manifest is missing"),
    ],
)
def test_missing_or_corrupt_index_files_are_found_and_rebuilt(store_path, settings, hash_embedder, damage, problem):
    damage(store_path)
    found = check_store(store_path, settings)
    assert not found.ok and any(p.startswith(problem) for p in found.index_problems), found.index_problems
    repaired(store_path, settings, hash_embedder)


def test_faiss_vectors_that_are_not_the_database_embeddings_are_found(store_path, settings, hash_embedder):
    index = faiss.read_index(str(segment(store_path) / "dense.faiss"))
    ids = faiss.vector_to_array(index.id_map)
    forged = faiss.IndexIDMap2(faiss.IndexFlatIP(index.d))
    vectors = np.random.default_rng(1).normal(size=(len(ids), index.d)).astype(np.float32)
    forged.add_with_ids(vectors, ids)
    faiss.write_index(forged, str(segment(store_path) / "dense.faiss"))
    found = check_store(store_path, settings)
    assert found.index_problems == (
        f"{len(ids)} FAISS vectors differ from DuckDB's embeddings (ids {sorted(ids.tolist())[:5]})",
    )
    repaired(store_path, settings, hash_embedder)


def test_an_index_holding_other_passages_is_found(store_path, settings, hash_embedder):
    old_segments, old_manifest = store_path.parent / "segments-before", (store_path / "manifest.json").read_text()
    shutil.copytree(store_path / "segments", old_segments)
    with EvidenceStore.open(store_path, settings, hash_embedder) as store:
        store.remove(["r0"])
        store.add([DocumentInput(text="A replacement report about the embargo.", external_id="new")])
    shutil.rmtree(store_path / "segments")
    shutil.copytree(old_segments, store_path / "segments")
    (store_path / "manifest.json").write_text(old_manifest)
    problems = check_store(store_path, settings).index_problems
    assert "the FAISS index is missing 1 of 6 passages (first ids [7])" in problems
    assert "the BM25 index is missing 1 of 6 passages (first ids [7])" in problems
    assert not any("holds" in problem for problem in problems)  # r0's passage 1 is a tombstone, not a problem
    repaired(store_path, settings, hash_embedder)


def test_an_index_holding_passages_the_database_never_had_is_found(store_path, settings, hash_embedder):
    folder = segment(store_path)
    ids = np.load(folder / "ids.npy")
    np.save(folder / "ids.npy", ids + 100)
    problems = check_store(store_path, settings).index_problems
    assert any("out of order or outside its range" in problem for problem in problems), problems
    repaired(store_path, settings, hash_embedder)


def test_hnsw_tombstones_are_not_a_problem(tmp_path, settings, hash_embedder):
    hnsw = settings.model_copy(update={"index_type": "hnsw"})
    with EvidenceStore.open(tmp_path / "h", hnsw, hash_embedder) as store:
        store.add(DOCS)
        store.remove(["r1"])
    assert check_store(tmp_path / "h", hnsw).ok


def test_leftovers_of_an_interrupted_save_are_listed_and_removed(store_path, settings, hash_embedder):
    (store_path / ".dense.faiss.abc123.tmp").write_bytes(b"half an index")
    (store_path / ".lexical.old").mkdir()
    (store_path / "segments" / ".000000000009-000000000012-ab12cd34.tmp").mkdir()  # a segment being staged
    (store_path / "segments" / "000000000009-000000000012-ab12cd34").mkdir()  # one the manifest does not list
    found = check_store(store_path, settings)
    assert found.ok and found.leftovers == (
        ".dense.faiss.abc123.tmp",
        ".lexical.old",
        ".000000000009-000000000012-ab12cd34.tmp",
        "000000000009-000000000012-ab12cd34",
    )
    assert repair_store(store_path, settings, hash_embedder).leftovers == ()
    assert not (store_path / ".lexical.old").exists()
    assert [p.name for p in (store_path / "segments").iterdir()] == [segment(store_path).name]


def test_a_half_made_checkpoint_copy_is_listed_and_removed(store_path, settings, hash_embedder):
    # what a process killed while ``guarded_checkpoint`` copied the file leaves: the start of a copy
    database = store_path / "evidence.duckdb"
    partial = store_path / "evidence.duckdb.pre-checkpoint.partial"
    partial.write_bytes(database.read_bytes()[: database.stat().st_size // 2])
    found = check_store(store_path, settings)
    assert found.ok and found.leftovers == ("evidence.duckdb.pre-checkpoint.partial",)
    assert partial.exists()  # the check only reports
    repaired(store_path, settings, hash_embedder)
    assert not partial.exists() and database.exists()


def test_a_damaged_database_is_reported_and_not_papered_over(store_path, settings, hash_embedder):
    with duckdb.connect(str(store_path / "evidence.duckdb")) as con:
        con.execute("UPDATE passages SET text = 'tampered' WHERE doc_id = 'r2'")
        con.execute("DELETE FROM documents WHERE doc_id = 'r4'")
    found = check_store(store_path, settings)
    assert found.database_problems == (
        "1 passages belong to no document",
        "1 passages do not match their document's text at their offsets",
    )
    with pytest.raises(StoreCheckError, match="restore a backup"):
        repair_store(store_path, settings, hash_embedder)


def test_a_folder_that_is_not_a_store(tmp_path, settings):
    with pytest.raises(StoreCheckError, match="is not an evidence store"):
        check_store(tmp_path, settings)


def test_a_write_lock_held_too_long_is_a_clear_error_naming_the_holder(tmp_path):
    lock = tmp_path / "write.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from evidence_store.locking import hold_lock\n"
            f"with hold_lock(Path({str(lock)!r}), timeout_s=5):\n    print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with (
            pytest.raises(StoreBusyError, match=rf"is being written by process {holder.pid} for over 1s"),
            hold_lock(lock, timeout_s=1.0),
        ):
            pass
        assert 1.0 <= time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.wait()
    with hold_lock(lock, timeout_s=1.0):  # free again once its holder is gone
        assert json.loads(lock.read_text()) > 0


def test_opening_a_store_with_unreadable_indexes_rebuilds_them(store_path, settings, hash_embedder):
    (store_path / "dense.faiss").write_bytes(b"\x00" * 64)
    (store_path / "manifest.json").write_text("{not json")
    with EvidenceStore.open(store_path, settings, hash_embedder) as store:
        assert store.search("Cham Wings flew 3 times", k=1, mode="dense")[0].passage.doc_id == "r3"
    assert check_store(store_path, settings).ok


def test_a_reader_that_waited_for_a_writer_loads_its_indexes_instead_of_rebuilding(
    store_path, settings, hash_embedder, monkeypatch
):
    saved = (store_path / "manifest.json").read_text()
    (store_path / "manifest.json").write_text(saved.replace('"generation": 1', '"generation": 0'))
    rebuilds = []
    monkeypatch.setattr(SegmentedIndex, "persist", lambda self, *args: rebuilds.append(self))

    def writer_finishing_its_save():
        with hold_lock(store_path / "write.lock", timeout_s=5):
            ready.set()
            time.sleep(0.3)
            (store_path / "manifest.json").write_text(saved)

    ready = threading.Event()
    writer = threading.Thread(target=writer_finishing_its_save)
    writer.start()
    ready.wait(5)
    with EvidenceStore.open(store_path, settings, hash_embedder) as store:
        assert store.stats().passages == 6 and store._index.size == 6
    writer.join()
    assert rebuilds == []


def test_a_document_over_the_passage_limit_is_refused_whole(store_path, settings, hash_embedder):
    few = settings.model_copy(update={"max_passages_per_document": 3, "chunk_max_chars": 100})
    text = " ".join(f"Sentence {n} about the sanctions on Cham Wings." for n in range(30))
    with EvidenceStore.open(store_path, few, hash_embedder) as store:
        with pytest.raises(ValueError, match=r"big: document has \d+ passages, over the limit of 3"):
            store.add([DocumentInput(text=text, external_id="big")])
        assert store.stats().documents == 6
