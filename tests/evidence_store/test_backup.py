"""`export_store` / `import_store` round-trip a store exactly: rows, embeddings, meta and search results."""

import json
import logging
from datetime import UTC, datetime

import duckdb
import pytest
from pydantic import SecretStr

from evidence_store.backup import export_store, import_store
from evidence_store.backup_files import BackupError, check_columns, insert_table, sha256_of
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


def edit_manifest(folder, change) -> None:
    """Apply ``change`` to the parsed manifest of the backup in ``folder`` and write it back."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def relist(folder, name: str) -> None:
    """Update ``name``'s manifest entry to the file as it now is (what someone rewriting a backup would do)."""
    path = folder / name
    rows = duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0][0]

    def change(manifest):
        manifest["files"][name] = {"rows": rows, "bytes": path.stat().st_size, "sha256": sha256_of(path)}

    edit_manifest(folder, change)


def drop(*keys: str):
    def change(manifest):
        target = manifest
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


def set_dimension(dimension: int, meta: bool):
    def change(manifest):
        manifest["dimension"] = dimension
        if meta:
            manifest["meta"]["dimension"] = str(dimension)

    return change


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (drop("files"), r"manifest\.json: 'files' is missing"),
        (drop("counts"), r"manifest\.json: 'counts' is missing"),
        (drop("files", "passages.parquet", "bytes"), r"manifest\.json: 'files\.passages\.parquet\.bytes' is missing"),
        (drop("meta"), r"manifest\.json: 'meta' is missing"),
        (drop("meta", "generation"), r"manifest\.json: 'meta\.generation' is missing"),
        (lambda m: m.update(dimension="64"), r"'dimension': Input should be a valid integer"),
        (lambda m: m["files"]["documents.parquet"].update(bytes=True), r"'files\.documents\.parquet\.bytes'"),
        (lambda m: m["counts"].update(documents=1.0), r"'counts\.documents': Input should be a valid integer"),
        (lambda m: m.update(surprise=1), r"'surprise' is not a known key"),
        (set_dimension(32, meta=False), r"'model' and 'dimension' differ from those in 'meta'"),
        (set_dimension(32, meta=True), r"passages\.parquet: column embedding is FLOAT\[64\]; .* has FLOAT\[32\]"),
        (lambda m: m.update(kind=["sanad-evidence"]), r"is a \"\['sanad-evidence'\]\" backup, not 'sanad-evidence'"),
    ],
    ids=[
        "no-files",
        "no-counts",
        "no-bytes",
        "no-meta",
        "no-generation",
        "dimension-as-text",
        "bytes-as-bool",
        "count-as-float",
        "unknown-key",
        "dimension-differs-from-meta",
        "changed-dimension",
        "kind-as-list",
    ],
)
def test_a_malformed_manifest_is_one_clear_error_and_nothing_is_written(
    original, tmp_path, settings, hash_embedder, change, problem
):
    export_store(original, tmp_path / "backup")
    edit_manifest(tmp_path / "backup", change)
    with pytest.raises(BackupError, match=problem):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1, 2]", r"manifest\.json is a JSON list, not an object"),
        ('"backup"', r"manifest\.json is a JSON str, not an object"),
        ("{", r"manifest\.json is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, r"manifest\.json is not valid JSON"),
        ('{"kind": "sanad-evidence", "kind": "sanad-evidence"}', r"manifest\.json: key 'kind' appears twice"),
        (" " * 1_100_000 + "{}", r"manifest\.json is over 1048576 bytes"),
    ],
    ids=["list", "string", "truncated", "deep", "duplicate-key", "huge"],
)
def test_a_manifest_that_is_not_one_json_object_is_refused(original, tmp_path, settings, hash_embedder, text, problem):
    export_store(original, tmp_path / "backup")
    (tmp_path / "backup" / "manifest.json").write_text(text)
    with pytest.raises(BackupError, match=problem):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


def test_duplicate_keys_deep_in_the_manifest_are_refused(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    text = path.read_text()
    entry = text.index('"sha256"', text.index('"passages.parquet"'))
    path.write_text(text[:entry] + f'"sha256": "{"0" * 64}", ' + text[entry:])  # the real checksum comes second
    with pytest.raises(BackupError, match=r"key 'sha256' appears twice"):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)


def test_a_column_of_another_type_is_refused_before_anything_is_written(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    documents = tmp_path / "backup" / "documents.parquet"
    retyped = tmp_path / "retyped.parquet"
    duckdb.sql(f"COPY (SELECT * REPLACE (42 AS title) FROM '{documents}') TO '{retyped}' (FORMAT parquet)")
    retyped.replace(documents)
    relist(tmp_path / "backup", "documents.parquet")
    with pytest.raises(
        BackupError, match=r"documents\.parquet: column title is INTEGER; the documents table here has VARCHAR"
    ):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


def test_a_table_file_missing_from_the_manifest_is_refused(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    documents = tmp_path / "backup" / "documents.parquet"
    forged = tmp_path / "forged.parquet"
    duckdb.sql(f"COPY (SELECT * REPLACE ('Forged' AS publisher) FROM '{documents}') TO '{forged}' (FORMAT parquet)")
    forged.replace(documents)
    edit_manifest(tmp_path / "backup", drop("files", "documents.parquet"))
    with pytest.raises(BackupError, match=r"manifest\.json does not list documents\.parquet"):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


def test_an_unlisted_or_unknown_file_is_refused(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    extra = tmp_path / "backup" / "Extra.PARQUET"
    extra.write_bytes((tmp_path / "backup" / "documents.parquet").read_bytes())
    with pytest.raises(BackupError, match=r"'Extra\.PARQUET' is not listed in manifest\.json"):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    extra.unlink()

    def traversal(manifest):
        manifest["files"]["../original/evidence.duckdb"] = manifest["files"]["documents.parquet"]

    edit_manifest(tmp_path / "backup", traversal)
    with pytest.raises(BackupError, match=r"lists '\.\./original/evidence\.duckdb', which is not a table"):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


def test_rows_that_break_the_tables_rules_are_one_clear_error(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "backup")
    documents = tmp_path / "backup" / "documents.parquet"
    doubled = tmp_path / "doubled.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM '{documents}' UNION ALL SELECT * FROM '{documents}') TO '{doubled}' (FORMAT parquet)"
    )
    doubled.replace(documents)
    relist(tmp_path / "backup", "documents.parquet")
    edit_manifest(tmp_path / "backup", lambda m: m["counts"].update(documents=8))
    with pytest.raises(BackupError, match=r"documents\.parquet: its rows cannot be restored into documents"):
        import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder)
    assert not (tmp_path / "restored").exists()


KEY, OTHER_KEY = SecretStr("a long random backup key"), SecretStr("another key")


def test_a_signed_backup_round_trips_and_refuses_another_key(original, tmp_path, settings, hash_embedder, caplog):
    export_store(original, tmp_path / "backup", KEY)
    assert (tmp_path / "backup" / "manifest.sig").read_text().startswith("hmac-sha256:")
    assert KEY.get_secret_value() not in (tmp_path / "backup" / "manifest.json").read_text()
    with pytest.raises(BackupError, match=r"manifest\.sig does not match manifest\.json under SANAD_BACKUP_KEY"):
        import_store(tmp_path / "backup", tmp_path / "refused", settings, hash_embedder, key=OTHER_KEY)
    assert not (tmp_path / "refused").exists()
    restored = import_store(tmp_path / "backup", tmp_path / "restored", settings, hash_embedder, key=KEY)
    assert restored.documents == 4 and check_store(tmp_path / "restored", settings).ok
    with caplog.at_level(logging.WARNING):
        import_store(tmp_path / "backup", tmp_path / "unchecked", settings, hash_embedder)
    assert "signature not verified (checksums were)" in caplog.text


def test_with_a_key_an_edited_or_unsigned_backup_is_refused(original, tmp_path, settings, hash_embedder):
    export_store(original, tmp_path / "signed", KEY)
    edit_manifest(tmp_path / "signed", lambda m: m["meta"].update(generation="7"))
    with pytest.raises(BackupError, match=r"manifest\.sig does not match manifest\.json"):
        import_store(tmp_path / "signed", tmp_path / "restored", settings, hash_embedder, key=KEY)
    export_store(original, tmp_path / "unsigned")
    with pytest.raises(BackupError, match=r"is not signed \(no manifest\.sig\) and SANAD_BACKUP_KEY is set"):
        import_store(tmp_path / "unsigned", tmp_path / "restored", settings, hash_embedder, key=KEY)
    with pytest.raises(BackupError, match="SANAD_BACKUP_KEY is empty"):
        export_store(original, tmp_path / "empty-key", SecretStr(""))
    assert not (tmp_path / "restored").exists() and not (tmp_path / "empty-key").exists()
