"""`sanad eval claims` and `sanad train stance` through the real CLI."""

import json

import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()

PASSAGE = "The health ministry said on Monday that the main airport in Tripoli had reopened to flights."
CLAIMS = [
    {
        "id": "q1",
        "lang": "en",
        "claim": "The airport in Tripoli reopened to flights.",
        "evidence": [{"text": PASSAGE, "source": "Libya Herald"}],
        "label": "supported",
    },
    {
        "id": "q2",
        "lang": "en",
        "claim": "The airport in Tripoli did not reopen to flights.",
        "evidence": [{"text": PASSAGE, "source": "Libya Herald"}],
        "label": "disputed",
    },
]


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_eval_claims_prints_the_scores_and_writes_predictions(sanad_home, e5, tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(sanad_home))
    claims = tmp_path / "claims.jsonl"
    claims.write_text("".join(json.dumps(c) + "\n" for c in CLAIMS), encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    result = run("eval", "claims", str(claims), "--out", str(out))
    assert result.exit_code == 0, result.output
    for needle in ("accuracy", "macro-F1", "ECE", "precision", "confusion", "similarity baseline", "decisive verdicts"):
        assert needle in result.output
    predictions = [json.loads(line) for line in out.read_text().splitlines()]
    assert [p["id"] for p in predictions] == ["q1", "q2"]
    assert [p["verdict"] for p in predictions] == ["supported", "disputed"]
    assert "precision 1.000 at coverage 1.000" in result.output  # both claims decided, both right


def test_eval_claims_errors_are_one_line(tmp_path):
    missing = run("eval", "claims", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "p.jsonl"))
    assert missing.exit_code == 1
    assert "error:" in missing.output and "Traceback" not in missing.output
    no_corpus = run("eval", "claims", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "p.jsonl"), "--retrieve")
    assert no_corpus.exit_code == 1 and "--retrieve needs --corpus" in no_corpus.output


def test_train_stance_without_data_fails_clearly(tmp_path):
    result = run("train", "stance", "--data", str(tmp_path), "--out", str(tmp_path / "model"))
    assert result.exit_code == 1
    assert "no training data" in result.output


def test_calibrate_only_needs_a_trained_model(tmp_path):
    (tmp_path / "claims_ans_ar_train.jsonl").write_text("", encoding="utf-8")
    result = run("train", "stance", "--data", str(tmp_path), "--out", str(tmp_path / "model"), "--calibrate-only")
    assert result.exit_code == 1
    assert f"--calibrate-only: no trained stance model in {tmp_path / 'model'}" in " ".join(result.output.split())
