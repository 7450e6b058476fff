import json

import pytest

from evidence_store.evaluation import RetrievalQuery, evaluate_retrieval, read_queries, recall_at, write_run


def test_recall_counts_share_of_gold_found():
    queries = [
        RetrievalQuery(qid="q1", text="a", gold=("d1",)),
        RetrievalQuery(qid="q2", text="b", gold=("d2", "d3")),
        RetrievalQuery(qid="q3", text="c", gold=()),  # not scored
    ]
    ranked = {"q1": ["d9", "d1"], "q2": ["d3", "d8", "d7", "d6", "d2"], "q3": ["d1"]}
    recall, scored = recall_at(ranked, queries)
    assert scored == 2
    assert recall[1] == pytest.approx((0 + 0.5) / 2)
    assert recall[5] == pytest.approx((1 + 1) / 2)


def test_bad_query_line_is_named(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"qid": "1", "claim": "x"}\n{"claim": "no qid"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:2: bad query line"):
        read_queries(path)


def test_chunked_corpus_lines_map_back_to_their_ids(tmp_path, settings, hash_embedder):
    corpus = tmp_path / "corpus.jsonl"
    long_text = " ".join(f"Sentence {i} about the weather in Oslo." for i in range(60))
    lines = [
        {"id": "c-long", "text": long_text + " The ferry to Bergen was cancelled.", "lang": "en"},
        {"id": "c-a", "text": "Cham Wings flights between Damascus and Benghazi.", "lang": "en"},
        {"id": "c-b", "text": "A football club won the cup.", "lang": "en"},
    ]
    corpus.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"qid": "1", "claim": "ferry to Bergen cancelled", "gold_passage_ids": ["c-long"]},
                {"qid": "2", "claim": "Cham Wings Benghazi flights", "gold_passage_ids": ["c-a"]},
            ]
        ),
        encoding="utf-8",
    )
    runs, issues = evaluate_retrieval(queries, corpus, ["bm25", "hybrid"], 10, settings, hash_embedder)
    assert not issues
    for run in runs:
        assert run.ranked["1"][0] == "c-long" and run.ranked["2"][0] == "c-a"
        assert all(len(ids) == len(set(ids)) for ids in run.ranked.values())
        assert run.recall[1] == 1.0
    out = tmp_path / "run.jsonl"
    write_run(runs[1], read_queries(queries), out)
    assert [json.loads(line)["qid"] for line in out.read_text().splitlines()] == ["1", "2"]
