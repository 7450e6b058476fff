"""`export_reports` / `import_reports` copy the reports database row for row, and the copy keeps growing alike."""

import itertools
import json

import duckdb
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import SecretStr

from evidence_store.backup_files import BackupError, sha256_of
from tests.support.hostile import json_value
from tests.support.report_factories import make_article, make_claims, make_prior_verdict, make_verdict
from verify.reports import ReportFilter, ReportStore
from verify.reports.backup import TABLES, export_reports, import_reports
from verify.reports.schema import LATEST_VERSION, MIGRATIONS, migrate, schema_version


def dump(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: con.execute(sql).fetchall() for table, sql in TABLES.items()}


@pytest.fixture
def history(store, scored):
    """``scored`` plus a second run that changes a verdict, and two reviews."""
    claims, _ = scored
    rerun = store.start_run("reverify-claims", {"claims": [claims[2].claim_id]})
    store.record_verdicts(
        rerun, [(claims[2], make_verdict(claims[2], "supported", 0.7, (7,)))], embedding_model="e5", store_generation=2
    )
    store.finish_run(rerun, "completed")
    store.add_review(claims[2].claim_id, "supported", "Confirmed by the UN panel report.", "Leila")
    store.start_run("verify-article", {"url": "https://example.org/unfinished"})  # still running
    return store


def test_reports_round_trip_row_for_row(history, db_path, tmp_path):
    backup = export_reports(db_path, tmp_path / "backup")
    assert backup.schema_version == LATEST_VERSION
    assert backup.counts["verdicts"] == 4 and backup.counts["runs"] == 3 and backup.counts["reviews"] == 2
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert set(manifest["files"]) == {f"{table}.parquet" for table in TABLES}

    restored = tmp_path / "restored" / "reports.duckdb"
    import_reports(tmp_path / "backup", restored)
    assert dump(restored) == dump(db_path)
    before, after = ReportStore(db_path, read_only=True), ReportStore(restored, read_only=True)
    assert after.report() == before.report()
    assert after.changes() == before.changes()
    assert after.needing_review() == before.needing_review()


def test_the_restored_database_continues_the_id_sequences(history, db_path, tmp_path):
    export_reports(db_path, tmp_path / "backup")
    restored = tmp_path / "restored.duckdb"
    import_reports(tmp_path / "backup", restored)
    article = make_article("after-restore")
    claims = make_claims(article)
    for path in (db_path, restored):
        store = ReportStore(path)
        run_id = store.start_run("verify-article", run_id="same-run")
        store.record_article(article)
        store.record_claims(claims)
        store.record_verdicts(
            run_id, [(claims[0], make_verdict(claims[0], "supported"))], embedding_model="e5", store_generation=3
        )
        store.add_review(claims[0].claim_id, "supported", "checked", "Omar")
    original, copy = dump(db_path), dump(restored)
    assert copy["verdicts"][-1][0] == original["verdicts"][-1][0] == 5
    assert copy["reviews"][-1][0] == original["reviews"][-1][0] == 3


def test_damaged_or_misplaced_backups_are_refused(history, db_path, tmp_path):
    export_reports(db_path, tmp_path / "backup")
    verdicts = tmp_path / "backup" / "verdicts.parquet"
    verdicts.write_bytes(verdicts.read_bytes()[:-10])
    with pytest.raises(BackupError, match=r"verdicts\.parquet does not match its checksum"):
        import_reports(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert not (tmp_path / "restored.duckdb").exists()
    export_reports(db_path, tmp_path / "backup2")
    with pytest.raises(BackupError, match="already exists; import into a new SANAD_HOME"):
        import_reports(tmp_path / "backup2", db_path)
    with pytest.raises(BackupError, match="no reports database at"):
        export_reports(tmp_path / "missing.duckdb", tmp_path / "backup3")


def test_prior_fact_checks_survive_a_backup_and_a_version_2_backup_imports(store, scored, db_path, tmp_path):
    claims, _ = scored
    rerun = store.start_run("reverify-claims")
    store.record_verdicts(rerun, [(claims[0], make_prior_verdict(claims[0]))], embedding_model="e5", store_generation=2)
    export_reports(db_path, tmp_path / "backup")
    import_reports(tmp_path / "backup", tmp_path / "restored.duckdb")
    restored = ReportStore(tmp_path / "restored.duckdb", read_only=True)
    assert restored.report(ReportFilter(prior_checked=True)) == store.report(ReportFilter(prior_checked=True))
    assert len(restored.report(ReportFilter(prior_checked=True))) == 1

    old = tmp_path / "v2.duckdb"  # the same rows in a database of the previous Sanad (schema version 2)
    with duckdb.connect(str(old)) as con:
        con.execute("BEGIN")
        migrate(con, MIGRATIONS[:2])
        con.execute("COMMIT")
        con.execute(f"ATTACH '{db_path}' AS new (READ_ONLY)")
        con.execute("BEGIN")
        for table in ("runs", "articles", "claims", "verdicts"):
            con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
        con.execute("INSERT INTO reviews SELECT * EXCLUDE (rating) FROM new.reviews")
        con.execute("INSERT INTO verdict_evidence SELECT * EXCLUDE (prior_fact_check) FROM new.verdict_evidence")
        con.execute("COMMIT")
    backup = export_reports(old, tmp_path / "backup-v2")
    assert backup.schema_version == 2
    import_reports(tmp_path / "backup-v2", tmp_path / "restored-v2.duckdb")
    upgraded = ReportStore(tmp_path / "restored-v2.duckdb", read_only=True)
    assert len(upgraded.report()) == len(store.report())
    assert upgraded.report(ReportFilter(prior_checked=True)) == []  # the flag was not in version 2
    # reviews before the rating scale (version 5) read as their label's plain rating: supported as true
    assert [(row.review.label, row.review.rating) for row in upgraded.report() if row.review] == [("supported", "true")]
    with duckdb.connect(str(tmp_path / "restored-v2.duckdb"), read_only=True) as con:
        assert schema_version(con) == LATEST_VERSION


KEY = SecretStr("the newsroom's backup key")


def forge_notes(backup) -> None:
    """Rewrite every review note in the backup's reviews file, as someone forging reviews would."""
    reviews, forged = backup / "reviews.parquet", backup / "forged.parquet"
    duckdb.sql(f"COPY (SELECT * REPLACE ('Forged note' AS note) FROM '{reviews}') TO '{forged}' (FORMAT parquet)")
    forged.replace(reviews)


def edit_manifest(backup, change) -> None:
    path = backup / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2))


def test_a_forged_reviews_file_with_its_manifest_entry_deleted_is_refused(history, db_path, tmp_path):
    export_reports(db_path, tmp_path / "backup")
    forge_notes(tmp_path / "backup")
    edit_manifest(tmp_path / "backup", lambda m: m["files"].pop("reviews.parquet"))
    with pytest.raises(BackupError, match=r"manifest\.json does not list reviews\.parquet; every table file must"):
        import_reports(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert list(tmp_path.glob("restored*")) == []


def test_an_extra_parquet_file_is_refused(history, db_path, tmp_path):
    export_reports(db_path, tmp_path / "backup")
    (tmp_path / "backup" / "reviews-2.parquet").write_bytes((tmp_path / "backup" / "reviews.parquet").read_bytes())
    with pytest.raises(BackupError, match=r"'reviews-2\.parquet' is not listed in manifest\.json"):
        import_reports(tmp_path / "backup", tmp_path / "restored.duckdb")
    assert list(tmp_path.glob("restored*")) == []


def test_only_a_signature_tells_a_rewritten_manifest_apart(history, db_path, tmp_path):
    """Checksums alone cannot catch someone who rewrites the manifest too; the signature does."""
    for name, key in (("unsigned", None), ("signed", KEY)):
        export_reports(db_path, tmp_path / name, key)
        forge_notes(tmp_path / name)
        reviews = tmp_path / name / "reviews.parquet"
        edit_manifest(
            tmp_path / name,
            lambda m, reviews=reviews: m["files"]["reviews.parquet"].update(
                bytes=reviews.stat().st_size, sha256=sha256_of(reviews)
            ),
        )
    import_reports(tmp_path / "unsigned", tmp_path / "forged.duckdb")  # what checksums cannot detect
    assert {
        note for (note,) in duckdb.connect(str(tmp_path / "forged.duckdb")).sql("SELECT note FROM reviews").fetchall()
    } == {"Forged note"}
    with pytest.raises(BackupError, match=r"manifest\.sig does not match manifest\.json under SANAD_BACKUP_KEY"):
        import_reports(tmp_path / "signed", tmp_path / "restored.duckdb", KEY)
    with pytest.raises(BackupError, match=r"is not signed \(no manifest\.sig\)"):
        import_reports(tmp_path / "unsigned", tmp_path / "restored.duckdb", KEY)
    assert not (tmp_path / "restored.duckdb").exists()


def test_a_signed_reports_backup_round_trips(history, db_path, tmp_path):
    export_reports(db_path, tmp_path / "backup", KEY)
    with pytest.raises(BackupError, match=r"manifest\.sig does not match"):
        import_reports(tmp_path / "backup", tmp_path / "restored.duckdb", SecretStr("a guess"))
    import_reports(tmp_path / "backup", tmp_path / "restored.duckdb", KEY)
    assert dump(tmp_path / "restored.duckdb") == dump(db_path)


def _paths(value, prefix=()) -> list[tuple]:
    """Every key path in a parsed manifest."""
    if not isinstance(value, dict):
        return []
    return [path for key, child in value.items() for path in [(*prefix, key), *_paths(child, (*prefix, key))]]


_COUNTER = itertools.count()


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_manifest_gives_a_restore_or_one_clear_error(history, db_path, tmp_path, data):
    backup = tmp_path / "backup"
    if not backup.exists():
        export_reports(db_path, backup)
        (tmp_path / "original.json").write_bytes((backup / "manifest.json").read_bytes())
    manifest = json.loads((tmp_path / "original.json").read_text())
    if data.draw(st.booleans()):
        manifest = data.draw(json_value)
    else:
        for path in data.draw(st.lists(st.sampled_from(_paths(manifest)), min_size=1, max_size=3)):
            parent = manifest
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if isinstance(parent, dict):
                parent[path[-1]] = data.draw(st.one_of(st.just(None), json_value))
                if parent[path[-1]] is None and data.draw(st.booleans()):
                    del parent[path[-1]]
    (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = tmp_path / f"restored-{next(_COUNTER)}.duckdb"
    try:
        import_reports(backup, target)
    except BackupError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600
        assert not target.exists()
