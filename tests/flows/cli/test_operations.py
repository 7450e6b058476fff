"""Operating commands through the real CLI: evidence check/repair, backups of evidence and reports,
and injection strings as ids and filters. Stores are built with the test embedder (no model loads)."""

import pytest
from typer.testing import CliRunner

from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from flows.cli import app
from tests.support.injection import HOSTILE
from tests.support.report_factories import make_article, record_one_verdict
from verify.reports import ReportStore

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def home(tmp_path, monkeypatch, settings, hash_embedder):
    """A SANAD_HOME whose evidence store (built with the test embedder) and reports hold a little."""
    monkeypatch.setenv("SANAD_HOME", str(tmp_path))
    monkeypatch.setenv("SANAD_EMBEDDING_MODEL", hash_embedder.name)
    store_settings = settings.model_copy(update={"home": tmp_path})
    with EvidenceStore.open(tmp_path / "evidence", store_settings, hash_embedder) as store:
        store.add(
            [
                DocumentInput(text="The Treasury designated Cham Wings in December 2016.", external_id="treasury"),
                DocumentInput(text="Cham Wings flew between Damascus and Benghazi in 2019.", external_id="flights"),
            ]
        )
    reports = ReportStore(tmp_path / "reports.duckdb")
    _, run_id = record_one_verdict(reports, make_article(), claim=1)
    reports.finish_run(run_id, "completed")
    return tmp_path


def test_check_reports_a_sound_store(home):
    result = run("evidence", "check")
    assert result.exit_code == 0, result.output
    assert "2 documents, 2 passages, generation 1" in result.output
    assert "ok: DuckDB, the FAISS and BM25 indexes and the manifest agree" in result.output


def test_check_finds_a_broken_index_and_repair_rebuilds_it(home):
    (segment,) = (home / "evidence" / "segments").iterdir()
    (segment / "dense.faiss").write_bytes(b"not faiss")
    found = run("evidence", "check")
    assert found.exit_code == 1
    assert "index: the FAISS index file is unreadable" in found.output
    assert "`sanad evidence check --repair` rebuilds the indexes" in found.output
    repaired = run("evidence", "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: indexes rebuilt from DuckDB" in repaired.output
    assert run("evidence", "check").exit_code == 0
    hits = run("evidence", "search", "Damascus Benghazi", "--mode", "bm25", "--k", "1")
    assert hits.exit_code == 0 and "2019" in hits.output and "2016" not in hits.output


def test_check_of_a_missing_store_is_one_clear_line(home):
    result = run("evidence", "check", "--store", str(home / "nowhere"))
    assert result.exit_code == 1
    assert "is not an evidence store" in result.output


def test_evidence_and_reports_backups_restore_into_a_new_home(home, tmp_path_factory, monkeypatch):
    backups = tmp_path_factory.mktemp("backups")
    exported = run("evidence", "export", str(backups / "evidence"))
    assert exported.exit_code == 0, exported.output
    assert "exported 2 documents, 2 passages and 0 feed items (test/hash-embedder, 64-d)" in exported.output
    exported = run("export", "reports", str(backups / "reports"))
    assert exported.exit_code == 0, exported.output
    assert "1 runs, 1 articles, 3 claims, 1 verdicts" in exported.output

    again = run("evidence", "export", str(backups / "evidence"))
    assert again.exit_code == 1 and "already exists and is not an empty folder" in again.output

    new_home = tmp_path_factory.mktemp("new-home")
    monkeypatch.setenv("SANAD_HOME", str(new_home))
    imported = run("evidence", "import", str(backups / "evidence"))
    assert imported.exit_code == 0, imported.output
    imported = run("import", "reports", str(backups / "reports"))
    assert imported.exit_code == 0, imported.output
    assert run("evidence", "check").exit_code == 0
    listed = run("evidence", "list")
    assert "treasury" in listed.output and "flights" in listed.output
    report = run("report", "--format", "json")
    assert report.exit_code == 0 and "The US Treasury designated Cham Wings" in report.output

    twice = run("import", "reports", str(backups / "reports"))
    assert twice.exit_code == 1 and "already exists; import into a new SANAD_HOME" in twice.output


def test_injection_strings_as_ids_and_filters_are_plain_values(home):
    for value in HOSTILE:
        removed = run("evidence", "remove", value)
        assert removed.exit_code == 1 and "no such document(s)" in removed.output
        found = run("evidence", "search", value, "--lang", value, "--mode", "bm25")
        assert found.exit_code == 0 and "no matching passages" in found.output
        for args in (["report", "--run", value], ["report", "--article", value]):
            result = run(*args)
            assert result.exit_code == 1 and "error:" in result.output
        reviewed = run("review", value, "--verdict", "supported", "--note", value, "--reviewer", value)
        assert reviewed.exit_code == 1 and "no claim" in reviewed.output
    assert "2 documents, 2 passages" in run("evidence", "check").output
    assert len(ReportStore(home / "reports.duckdb", read_only=True).report()) == 3


def test_hostile_files_give_clear_lines_not_tracebacks(home, tmp_path):
    corpus = tmp_path / "hostile.jsonl"
    corpus.write_bytes(
        b"[" * 100_000
        + b"\n"
        + b'{"text": "\xff\xfe not utf-8"}\n'
        + b'{"text": {"nested": true}, "published_at": 1e300}\n'
        + b'{"id": "no text", "title": "\\u202e\\u0000"}\n'
        + b'"just a string"\n'
    )
    added = run("evidence", "add", str(corpus))
    assert added.exit_code == 1 and "error: no documents to add" in added.output
    for line, reason in (
        (1, "invalid JSON (nested too deeply)"),
        (2, "invalid UTF-8"),
        (3, "missing or empty 'text'"),
        (4, "missing or empty 'text'"),
        (5, "expected a JSON object, got str"),
    ):
        assert f"skipped {corpus}:{line}: {reason}\n" in added.output
    binary = tmp_path / "article.txt"
    binary.write_bytes(b"\x00\x01\x02" * 1000)
    for source in (str(binary), str(tmp_path), "http://169.254.169.254/latest/meta-data/"):  # the last: refused
        result = run("claims", "extract", source)
        assert result.exit_code == 1 and result.output.startswith(f"error: {source}")
