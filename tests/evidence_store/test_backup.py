"""`export_store` / `import_store` round-trip a store exactly: rows, embeddings, meta and search results."""

import json
from datetime import UTC, datetime

import duckdb
import pytest

from evidence_store.backup import export_store, import_store
from evidence_store.backup_files import BackupError, check_columns, insert_table
from evidence_store.check import check_store
from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from verify.reports.backup import export_reports

LONG = " ".join(f"Paragraph {n}: the UN panel traced flight {n} from Damascus to Benghazi." for n in range(40))
DOCS = [
    DocumentInput(
        text="The Treasury designated Cham Wings Airlines for transporting militants.",
        external_id="treasury",
        publisher="US Department of the Treasury",
        url="https://home.treasury.gov/news/press-releases/jl0693",
        published_at=datetime(2016, 12, 23, tzinfo=UTC),
        fetched_at=datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=UTC),
        language="en",
    ),
    DocumentInput(text="وصل وفد من حكومة الشرق الليبي إلى دمشق والتقى وزير الخارجية.", external_id="visit"),
    DocumentInput(text=LONG, external_id="long", title="A long report"),
    DocumentInput(
        text="Claim: Cham Wings flew mercenaries. Rating: Unproven. No manifests were shown.",
        external_id="factcheck",
        claim_reviewed="Cham Wings flew mercenaries",
        rating="Unproven",
    ),
    DocumentInput(text="The football club won the cup final after extra time.", external_id="football"),
]
QUERIES = ["Cham Wings militants", "وفد دمشق", "flight 17 Benghazi", "mercenaries manifests", "cup final"]


def table_rows(path, table: str, order: str) -> list[tuple]:
    with duckdb.connect(str(path / "evidence.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def searches(store: EvidenceStore) -> list:
    return [
        [(h.passage, h.fused_score, h.dense_score, h.lexical_score) for h in store.search(q, k=5, mode=mode)]
        for q in QUERIES
        for mode in ("dense", "bm25", "hybrid")
    ]


@pytest.fixture
def original(tmp_path, settings, hash_embedder):
    path = tmp_path / "original"
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add(DOCS)
        store.remove(["football"])  # leaves a gap in the passage ids
        store.add([DocumentInput(text="The visit was cut short, officials said.", external_id="visit")])  # replaces
        store.db.record_feed_items("https://wire.example/feed", [("item-1", "ingested", None)], datetime.now(UTC))
    return path


def test_a_store_round_trips_exactly(original, tmp_path, settings, hash_embedder):
    backup = export_store(original, tmp_path / "backup")
    assert (backup.documents, backup.feed_items, backup.model, backup.dimension) == (4, 1, "test/hash-embedder", 64)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["counts"] == {"documents": 4, "passages": backup.passages, "feed_items": 1}
    assert set(manifest["files"]) == {"documents.parquet", "passages.parquet", "feed_items.parquet"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())

    restored = tmp_path / "restored"
    import_store(tmp_path / "backup", restored, settings, hash_embedder)
    for table, order in (("documents", "doc_id"), ("passages", "passage_id"), ("feed_items", "feed_url, item_key")):
        assert table_rows(restored, table, order) == table_rows(original, table, order), table
    assert table_rows(restored, "meta", "key") == table_rows(original, "meta", "key")
    assert check_store(restored, settings).ok

    with (
        EvidenceStore.open(original, settings, hash_embedder) as before,
        EvidenceStore.open(restored, settings, hash_embedder) as after,
    ):
        assert searches(after) == searches(before)
        assert after.stats() == before.stats().model_copy(update={"path": str(restored)})
        new = DocumentInput(text="A new report after the restore.", external_id="new")
        assert after.add([new]).passages_added == before.add([new]).passages_added
        assert after.db.passages_of("new") == before.db.passages_of("new")  # same next passage id


def test_a_damaged_backup_is_refused_before_anything_is_written(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    passages = tmp_path / "backup" / "passages.parquet"
    data = bytearray(passages.read_bytes())
    data[len(data) // 2] ^= 0xFF
    passages.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"passages\.parquet does not match its checksum"):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


def test_export_and_import_never_overwrite(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    with pytest.raises(BackupError, match="already exists and is not an empty folder"):
        export_store(original, tmp_path / "backup")
    with pytest.raises(BackupError, match="already holds an evidence store"):
        import_store(tmp_path / "backup", original, settings, hash_embedder)
    with pytest.raises(BackupError, match="no evidence store at"):
        export_store(tmp_path / "nowhere", tmp_path / "backup2")
    assert not (tmp_path / "backup2").exists()


def test_other_folders_are_not_taken_for_a_backup(tmp_path, settings, hash_embedder):
    with pytest.raises(BackupError, match="is not a Sanad backup"):
        import_store(tmp_path, tmp_path / "restored", settings, hash_embedder)
    reports = tmp_path / "reports.duckdb"
    from verify.reports import ReportStore

    ReportStore(reports).start_run("verify-article")
    export_reports(reports, tmp_path / "reports-backup")
    with pytest.raises(BackupError, match="is a 'sanad-reports' backup, not 'sanad-evidence'"):
        import_store(tmp_path / "reports-backup", tmp_path / "restored", settings, hash_embedder)


def test_a_table_file_with_other_columns_is_refused_by_name(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE passages (passage_id INTEGER, text VARCHAR)")
    same, reordered = tmp_path / "same.parquet", tmp_path / "passages.parquet"
    con.execute(f"COPY (SELECT 1 AS passage_id, 'x' AS text) TO '{same}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT 'x' AS text, 1 AS passage_id) TO '{reordered}' (FORMAT parquet)")
    check_columns(con, "passages", same)
    with pytest.raises(BackupError, match=r"passages\.parquet has columns \['text', 'passage_id'\]"):
        check_columns(con, "passages", reordered)
    with pytest.raises(BackupError, match="has columns"):
        insert_table(con, "passages", reordered)
    assert con.execute("SELECT count(*) FROM passages").fetchone() == (0,)  # refused before any row
    assert insert_table(con, "passages", same) == 1
