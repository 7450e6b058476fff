"""Retrieval quality: recall@1/5/10 of dense, BM25 and hybrid on the shared retrieval sets."""

from bench.corpus import cached_embedder
from bench.data import RETRIEVAL_SETS, SHARED_DATA, require
from bench.report import table
from evidence_store.evaluation import RECALL_CUTOFFS, evaluate_retrieval
from verify.settings import Settings

MODES = ("dense", "bm25", "hybrid")


def run() -> str:
    settings = Settings()
    rows = []
    for name in RETRIEVAL_SETS:
        queries = require(SHARED_DATA / f"retrieval_{name}_queries.jsonl")
        corpus = require(SHARED_DATA / f"retrieval_{name}_corpus.jsonl")
        runs, _ = evaluate_retrieval(queries, corpus, MODES, 10, settings, embedder=cached_embedder(settings))
        for run_ in runs:
            rows.append([name, run_.mode, run_.scored_queries, *(f"{run_.recall[k]:.3f}" for k in RECALL_CUTOFFS)])
    return (
        "## Retrieval recall\n\n"
        "`sanad eval retrieval` on `../shared/data/retrieval_*` (the corpus indexed into a throwaway store; "
        "multilingual-e5-small with `query:`/`passage:` prompts, bm25s over Arabic-normalised, stemmed tokens, "
        "RRF fusion with k=60). Recall over queries with at least one gold id. The e5 vectors of corpus and "
        "queries come from the bench cache after the first run (the same vectors; only the embedding time is "
        "saved).\n\n" + table(["set", "mode", "queries", *(f"R@{k}" for k in RECALL_CUTOFFS)], rows)
    )
