"""Retrieval evaluation: index a JSONL corpus into a throwaway store and score ranked ids."""

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evidence_store.embedding.embedder import Embedder
from evidence_store.errors import InvalidInput
from evidence_store.ingest.records import IngestIssue
from evidence_store.ingest.sources import load_jsonl_corpus
from evidence_store.settings import StoreSettings
from evidence_store.store import EvidenceStore
from evidence_store.types import SearchMode

RECALL_CUTOFFS = (1, 5, 10)


class RetrievalQuery(BaseModel):
    """A query line: ``qid``, the query text (``claim``, ``query`` or ``text``) and gold ids."""

    model_config = ConfigDict(frozen=True)

    qid: str
    text: str
    gold: tuple[str, ...]


class RetrievalRun(BaseModel):
    """Ranked corpus ids per query for one mode, and recall@k over queries with gold ids."""

    model_config = ConfigDict(frozen=True)

    mode: SearchMode
    ranked: dict[str, list[str]]
    recall: dict[int, float]
    scored_queries: int


def read_queries(path: Path) -> list[RetrievalQuery]:
    """Queries from JSONL; raises ``ValueError`` naming the first bad line."""
    queries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record.get("claim") or record.get("query") or record.get("text")
                if not text:
                    raise InvalidInput("no 'claim', 'query' or 'text' field")
                gold = tuple(str(g) for g in record.get("gold_passage_ids") or record.get("gold_ids") or ())
                queries.append(RetrievalQuery(qid=str(record["qid"]), text=text, gold=gold))
            except (json.JSONDecodeError, KeyError, ValueError, AttributeError) as exc:
                raise InvalidInput(f"{path}:{number}: bad query line ({exc})") from exc
    return queries


def recall_at(ranked: dict[str, list[str]], queries: Sequence[RetrievalQuery], cutoffs=RECALL_CUTOFFS):
    """Mean share of each query's gold ids found in its top k, over queries with gold ids."""
    scored = [q for q in queries if q.gold]
    if not scored:
        return {k: 0.0 for k in cutoffs}, 0
    recall = {}
    for k in cutoffs:
        recall[k] = sum(len(set(q.gold) & set(ranked.get(q.qid, [])[:k])) / len(set(q.gold)) for q in scored) / len(
            scored
        )
    return recall, len(scored)


def _unique_doc_ids(hits, k: int) -> list[str]:
    ranked: list[str] = []
    for hit in hits:
        if hit.passage.doc_id not in ranked:
            ranked.append(hit.passage.doc_id)
        if len(ranked) == k:
            break
    return ranked


def evaluate_retrieval(
    queries_path: Path,
    corpus_path: Path,
    modes: Sequence[SearchMode],
    k: int,
    settings: StoreSettings,
    embedder: Embedder | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[RetrievalRun], Sequence[IngestIssue]]:
    """Index ``corpus_path`` into a temporary store, run every query in each mode, score recall."""
    queries = read_queries(queries_path)
    documents, issues = load_jsonl_corpus(corpus_path)
    if not documents:
        raise InvalidInput(f"{corpus_path}: no usable corpus lines")
    runs = []
    with tempfile.TemporaryDirectory(prefix="sanad-eval-") as scratch:
        store = EvidenceStore.open(Path(scratch) / "store", settings, embedder)
        try:
            store.add(documents, on_progress=(lambda d, t: on_progress("embed corpus", d, t)) if on_progress else None)
            texts = [q.text for q in queries]
            for mode in modes:
                # ask for extra passages: chunks of one corpus line collapse into one id
                results = store.search_many(
                    texts,
                    k=3 * k,
                    mode=mode,
                    on_progress=(lambda d, t, m=mode: on_progress(f"{m} queries", d, t)) if on_progress else None,
                )
                ranked = {q.qid: _unique_doc_ids(hits, k) for q, hits in zip(queries, results, strict=True)}
                recall, scored = recall_at(ranked, queries)
                runs.append(RetrievalRun(mode=mode, ranked=ranked, recall=recall, scored_queries=scored))
        finally:
            store.close()
    return runs, issues


def write_run(run: RetrievalRun, queries: Sequence[RetrievalQuery], out: Path) -> None:
    """One ``{"qid", "ranked_ids"}`` line per query, in query order."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for query in queries:
            handle.write(json.dumps({"qid": query.qid, "ranked_ids": run.ranked.get(query.qid, [])}) + "\n")
