"""Backups through the real CLI: a damaged or forged backup is one error line and exit status 1, and
SANAD_BACKUP_KEY signs exports and is required of imports. Stores use the test embedder (no model loads)."""

import json

import pytest
from typer.testing import CliRunner

from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from flows.cli import app
from tests.support.report_factories import make_article, make_claims
from verify.reports import ReportStore

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def error_line(result) -> str:
    """The one line a failed command printed."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def home(tmp_path, monkeypatch, settings, hash_embedder):
    """A SANAD_HOME with a small evidence store and a reports database, and a folder for backups."""
    monkeypatch.setenv("SANAD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SANAD_EMBEDDING_MODEL", hash_embedder.name)
    monkeypatch.delenv("SANAD_BACKUP_KEY", raising=False)
    store_settings = settings.model_copy(update={"home": tmp_path / "home"})
    with EvidenceStore.open(tmp_path / "home" / "evidence", store_settings, hash_embedder) as store:
        store.add([DocumentInput(text="The Treasury designated Cham Wings in 2016.", external_id="treasury")])
    reports = ReportStore(tmp_path / "home" / "reports.duckdb")
    article = make_article()
    reports.start_run("verify-article")
    reports.record_article(article)
    reports.record_claims(make_claims(article))
    return tmp_path


def move_home(home, monkeypatch) -> None:
    monkeypatch.setenv("SANAD_HOME", str(home / "new-home"))


@pytest.mark.parametrize("kind", ["evidence", "reports"])
def test_a_manifest_without_files_is_one_line_and_exit_1(home, monkeypatch, kind):
    export = ("evidence", "export") if kind == "evidence" else ("export", "reports")
    restore = ("evidence", "import") if kind == "evidence" else ("import", "reports")
    backup = home / "backup"
    assert run(*export, str(backup)).exit_code == 0
    manifest = json.loads((backup / "manifest.json").read_text())
    del manifest["files"]
    (backup / "manifest.json").write_text(json.dumps(manifest))
    move_home(home, monkeypatch)
    assert "manifest.json: 'files' is missing" in error_line(run(*restore, str(backup)))
    assert not (home / "new-home").exists() or not any((home / "new-home").rglob("*.duckdb"))


def test_the_backup_key_signs_and_checks_backups(home, monkeypatch):
    monkeypatch.setenv("SANAD_BACKUP_KEY", "the newsroom's backup key")
    assert run("evidence", "export", str(home / "evidence")).exit_code == 0
    assert run("export", "reports", str(home / "reports")).exit_code == 0
    assert (home / "evidence" / "manifest.sig").exists() and (home / "reports" / "manifest.sig").exists()
    move_home(home, monkeypatch)
    monkeypatch.setenv("SANAD_BACKUP_KEY", "a wrong key")
    line = error_line(run("import", "reports", str(home / "reports")))
    assert "manifest.sig does not match manifest.json under SANAD_BACKUP_KEY" in line
    assert "wrong key" not in line and "newsroom" not in line
    monkeypatch.setenv("SANAD_BACKUP_KEY", "the newsroom's backup key")
    assert run("evidence", "import", str(home / "evidence")).exit_code == 0
    assert run("import", "reports", str(home / "reports")).exit_code == 0
    assert run("evidence", "check").exit_code == 0


def test_with_a_key_an_unsigned_backup_is_one_line(home, monkeypatch):
    assert run("export", "reports", str(home / "reports")).exit_code == 0
    move_home(home, monkeypatch)
    monkeypatch.setenv("SANAD_BACKUP_KEY", "the newsroom's backup key")
    assert "is not signed (no manifest.sig)" in error_line(run("import", "reports", str(home / "reports")))
