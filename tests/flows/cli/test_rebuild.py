"""``sanad evidence rebuild``: indexes rebuilt from DuckDB alone, in the index type asked for."""

import json
import shutil

from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_rebuild_switches_the_index_type_and_keeps_search_working(sanad_home, e5, tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(sanad_home))
    store = ["--store", str(tmp_path / "store")]
    corpus = tmp_path / "corpus.jsonl"
    lines = [
        {"id": "treasury", "text": "The US Treasury designated the Syrian airline Cham Wings in December 2016."},
        {"id": "weather", "text": "Heavy rain is expected in Oslo over the weekend."},
        {"id": "mou", "text": "Turkey and the Government of National Accord signed a security memorandum in 2019."},
    ]
    corpus.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    assert runner.invoke(app, ["evidence", "add", str(corpus), *store]).exit_code == 0
    shutil.rmtree(tmp_path / "store" / "segments")  # only DuckDB is needed

    rebuilt = runner.invoke(app, ["evidence", "rebuild", "--index-type", "hnsw", *store])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt hnsw and BM25 indexes over 3 passages" in rebuilt.output
    assert "hnsw" in runner.invoke(app, ["evidence", "stats", *store]).output  # kept on reopen
    found = runner.invoke(app, ["evidence", "search", "عقوبات على أجنحة الشام", "--k", "1", "--mode", "dense", *store])
    assert "Treasury" in found.output

    back = runner.invoke(app, ["evidence", "rebuild", "--index-type", "auto", *store])
    assert "rebuilt flat" in back.output
    wrong = runner.invoke(app, ["evidence", "rebuild", "--index-type", "annoy", *store])
    assert wrong.exit_code != 0


def test_compact_merges_the_segments_of_several_adds_into_one(sanad_home, e5, tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(sanad_home))
    store = ["--store", str(tmp_path / "store")]
    for n, text in enumerate(["Cham Wings flew to Benghazi in 2019.", "Heavy rain is expected in Oslo."]):
        corpus = tmp_path / f"corpus-{n}.jsonl"
        corpus.write_text(json.dumps({"id": f"doc-{n}", "text": text}), encoding="utf-8")
        assert runner.invoke(app, ["evidence", "add", str(corpus), *store]).exit_code == 0
    assert len(list((tmp_path / "store" / "segments").iterdir())) == 2

    compacted = runner.invoke(app, ["evidence", "compact", *store])
    assert compacted.exit_code == 0, compacted.output
    assert "compacted 2 segment(s) into one: flat and BM25 over 2 passages" in compacted.output
    assert len(list((tmp_path / "store" / "segments").iterdir())) == 1
    found = runner.invoke(app, ["evidence", "search", "Benghazi flights", "--k", "1", "--mode", "bm25", *store])
    assert "Cham Wings" in found.output
