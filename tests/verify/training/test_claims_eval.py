"""`sanad eval claims` logic on small claim files in the shared schema (real models)."""

import json

import pytest

from verify.training.claims_eval import evaluate_claims, read_claims, write_predictions

pytestmark = pytest.mark.slow

CLAIMS = [
    {
        "id": "c1",
        "lang": "en",
        "claim": "The earthquake in Hama killed 12 people.",
        "evidence": [
            {"text": "The central bank kept interest rates unchanged in March.", "source": "Libya Herald"},
            {
                "text": "The earthquake killed 12 people in the city of Hama on Tuesday.",
                "source": "SANA",
                "date": "2023-02-07",
            },
        ],
        "label": "supported",
    },
    {
        "id": "c2",
        "lang": "ar",
        "claim": "فرضت الولايات المتحدة عقوبات على شركة أجنحة الشام للطيران السورية",
        "evidence": [
            {
                "text": "The United States has never imposed sanctions on the Syrian airline Cham Wings.",
                "source": "Example Wire",
            }
        ],
        "label": "disputed",
    },
    {"id": "c3", "lang": "en", "claim": "Cham Wings flies to Benghazi.", "evidence": [], "label": "unverified"},
]
CORPUS = [
    {
        "id": "p1",
        "lang": "en",
        "text": "The earthquake killed 12 people in the city of Hama on Tuesday.",
        "source": "SANA",
        "date": "2023-02-07",
    },
    {
        "id": "p2",
        "lang": "en",
        "text": "The United States has never imposed sanctions on the Syrian airline Cham Wings.",
        "source": "Example Wire",
    },
    {
        "id": "p3",
        "lang": "en",
        "text": "Libya's central bank kept interest rates unchanged in March.",
        "source": "Libya Herald",
    },
]


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_given_evidence_predictions_keep_the_output_contract(settings, tmp_path):
    run = evaluate_claims(_write(tmp_path / "claims.jsonl", CLAIMS), settings)
    out = tmp_path / "pred.jsonl"
    write_predictions(run.predictions, out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [set(line) for line in lines] == [{"id", "verdict", "confidence", "cited"}] * 3
    assert [line["id"] for line in lines] == ["c1", "c2", "c3"]
    assert [line["verdict"] for line in lines] == ["supported", "disputed", "unverified"]
    assert lines[0]["cited"] == [1]  # the evidence index of the earthquake report, not the bank one
    assert lines[2]["cited"] == []
    assert run.metrics.count == 3 and run.metrics.ece is not None
    assert run.metrics.accuracy == pytest.approx(1.0)


def test_retrieval_mode_cites_corpus_ids(settings, tmp_path):
    claims = _write(tmp_path / "claims.jsonl", CLAIMS)
    corpus = _write(tmp_path / "corpus.jsonl", CORPUS)
    run = evaluate_claims(claims, settings, corpus=corpus)
    by_id = {p.id: p for p in run.predictions}
    assert by_id["c1"].verdict == "supported" and by_id["c1"].cited == ["p1"]
    assert by_id["c2"].verdict == "disputed" and by_id["c2"].cited == ["p2"]


def test_bad_lines_are_reported_with_their_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(CLAIMS[0]) + "\n" + json.dumps({"id": "x", "claim": "y", "label": "maybe"}) + "\n")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        read_claims(path)
