"""The evidence commands, run through the real CLI with the real e5 model."""

import json

import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(sanad_home, e5, tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(sanad_home))
    store = tmp_path / "store"
    return ["--store", str(store)]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_add_search_stats_remove(cli_env, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {
            "id": "treasury-2016",
            "text": "The US Treasury designated the Syrian airline Cham Wings in December 2016.",
            "publisher": "US Department of the Treasury",
            "published_at": "2016-12-23",
            "lang": "en",
        },
        {"id": "weather", "text": "Heavy rain is expected in Oslo over the weekend.", "lang": "en"},
        {"id": "broken"},
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

    added = run("evidence", "add", str(corpus), *cli_env)
    assert added.exit_code == 0, added.output
    assert "added 2 document(s)" in added.output
    assert "corpus.jsonl:3: missing or empty 'text'" in added.output

    found = run("evidence", "search", "عقوبات أمريكية على أجنحة الشام", "--k", "1", *cli_env)
    assert found.exit_code == 0, found.output
    assert "US Department" in found.output and "2016-12-23" in found.output

    stats = run("evidence", "stats", *cli_env)
    assert "documents" in stats.output and "2" in stats.output

    removed = run("evidence", "remove", "weather", "nope", *cli_env)
    assert removed.exit_code == 1
    assert "removed 1 document(s): weather" in removed.output
    assert "no such document(s): nope" in removed.output


def test_errors_are_one_line_without_traceback(cli_env, tmp_path):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"text": "fine"}\nnot json\n', encoding="utf-8")
    result = run("evidence", "add", str(corpus), "--on-error", "reject", *cli_env)
    assert result.exit_code == 1
    assert "error:" in result.output and "nothing added" in result.output
    assert "Traceback" not in result.output
    missing = run("evidence", "add", str(tmp_path / "absent.jsonl"), *cli_env)
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
