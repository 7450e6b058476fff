"""ingest-evidence sharded over a real Dask LocalCluster builds the same store as a serial ingest."""

import json
import random

import numpy as np
import pytest

from evidence_store.store import EvidenceStore
from flows import runtime
from flows.ingest_evidence import ingest_evidence, task_runner
from flows.params import IngestRequest

WORDS = (
    "ministry delegation airline sanctions flights damascus benghazi treasury statement agreement security "
    "minister visit cargo aircraft report officials government eastern libya syria turkey embassy trade"
).split()


@pytest.fixture(scope="module")
def tiny_model(e5, tmp_path_factory) -> str:
    """A two-layer sentence-transformers model with e5's tokenizer: a real model, small enough for many
    passages in seconds (this test checks sharding and merging, not retrieval quality)."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import AutoTokenizer, BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-model")
    tokenizer = AutoTokenizer.from_pretrained(e5.source)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=514,
    )
    BertModel(config).save_pretrained(folder / "bert")
    tokenizer.save_pretrained(folder / "bert")
    modules = [models.Transformer(str(folder / "bert"), max_seq_length=32), models.Pooling(32), models.Normalize()]
    SentenceTransformer(modules=modules).save(str(folder / "st"))
    return str(folder / "st")


def write_corpus(path) -> None:
    """1200 documents (some long enough to chunk, a few exact duplicates): about 2500 passages."""
    rng = random.Random(3)
    lines = []
    for i in range(1200):
        sentences = rng.choice([1, 2, 14, 20])
        text = " ".join(" ".join(rng.choices(WORDS, k=rng.randint(8, 14))).capitalize() + "." for _ in range(sentences))
        lines.append({"id": f"doc-{i}", "text": text, "publisher": rng.choice(["Reuters", "AFP", "SANA"])})
    lines += [dict(lines[i], id=f"copy-{i}") for i in range(0, 1200, 120)]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")


def snapshot(store: EvidenceStore, queries: list[str]):
    with store.db.file.connect() as con:
        documents = con.execute("SELECT doc_id, content_hash FROM documents ORDER BY doc_id").fetchall()
        passages = con.execute("SELECT passage_id, doc_id, ord, text, tokens FROM passages ORDER BY 1").fetchall()
        vectors = np.array(con.execute("SELECT embedding FROM passages ORDER BY passage_id").fetchnumpy()["embedding"])
    hits = [[hit.passage.passage_id for hit in store.search(query, k=10)] for query in queries]
    return documents, passages, np.stack(vectors), hits


def ingest(home, monkeypatch, corpus, dask_address: str | None):
    monkeypatch.setenv("SANAD_HOME", str(home))
    monkeypatch.setenv("SANAD_INGEST_ROOTS", json.dumps([str(corpus.parent)]))
    if dask_address:
        monkeypatch.setenv("SANAD_DASK_ADDRESS", dask_address)
        monkeypatch.setenv("SANAD_DASK_SHARD_DOCUMENTS", "250")
    runtime.reset()
    flow = ingest_evidence.with_options(task_runner=task_runner(runtime.flow_settings()))
    return flow(IngestRequest(sources=[str(corpus)]))


@pytest.mark.slow
def test_sharded_ingest_on_dask_gives_the_same_store_as_a_serial_one(flow_home, tiny_model, monkeypatch, tmp_path):
    from distributed import LocalCluster

    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus)
    monkeypatch.setenv("SANAD_EMBEDDING_MODEL", tiny_model)  # before the workers start: they inherit it
    queries = ["treasury sanctions on the airline", "delegation visit to damascus", "cargo flights benghazi"]

    serial = ingest(tmp_path / "serial", monkeypatch, corpus, None)
    expected = snapshot(runtime.evidence_store(), queries)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        sharded = ingest(tmp_path / "sharded", monkeypatch, corpus, cluster.scheduler_address)
        found = snapshot(runtime.evidence_store(), queries)

    assert serial.documents_added == sharded.documents_added == 1200
    assert serial.duplicates == sharded.duplicates == 10
    assert sharded.passages_added == serial.passages_added >= 2000
    assert found[0] == expected[0]  # the same documents, by id and content hash
    assert found[1] == expected[1]  # the same passages, ids, order, text and tokens
    np.testing.assert_allclose(found[2], expected[2], atol=1e-5)  # the same vectors, up to batch padding
    assert found[3] == expected[3]
