"""`export_reports` / `import_reports` copy the reports database row for row, and the copy keeps growing alike."""

import json

import duckdb
import pytest

from evidence_store.backup_files import BackupError
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
        for table in ("runs", "articles", "claims", "verdicts", "reviews"):
            con.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
        con.execute("INSERT INTO verdict_evidence SELECT * EXCLUDE (prior_fact_check) FROM new.verdict_evidence")
        con.execute("COMMIT")
    backup = export_reports(old, tmp_path / "backup-v2")
    assert backup.schema_version == 2
    import_reports(tmp_path / "backup-v2", tmp_path / "restored-v2.duckdb")
    upgraded = ReportStore(tmp_path / "restored-v2.duckdb", read_only=True)
    assert len(upgraded.report()) == len(store.report())
    assert upgraded.report(ReportFilter(prior_checked=True)) == []  # the flag was not in version 2
    with duckdb.connect(str(tmp_path / "restored-v2.duckdb"), read_only=True) as con:
        assert schema_version(con) == LATEST_VERSION
