"""Segmented indexes: any sequence of adds, removes, merges and kills searches exactly like one fresh
single-segment build of the surviving documents; BM25 across segments scores as ``bm25s`` does."""

import functools
import itertools
import json
import shutil

import numpy as np
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store import segmented
from evidence_store.bm25 import Part, Postings, search
from evidence_store.demo import DEMO_CORPUS
from evidence_store.lexical import LexicalIndex
from evidence_store.merge_policy import tier, trailing_merge
from evidence_store.segments import Segment
from evidence_store.store import EvidenceStore
from evidence_store.text.tokenize import tokenize
from evidence_store.types import DocumentInput
from tests.support.embedders import HashEmbedder

WORDS = (
    "flight cargo Benghazi Damascus Wings sanctions treasury militia airport report embargo ship port "
    "minister visit memorandum weapons court ruling oil field rain Oslo cup final"
).split()
QUERIES = ["flight to Benghazi", "sanctions treasury Wings", "oil field embargo ship", "cup final rain", "court"]


def _text(words: list[int], seed: int) -> str:
    sentences = [" ".join(WORDS[w] for w in words[i : i + 6]) + f" n{seed}." for i in range(0, len(words), 6)]
    return " ".join(sentences)


documents = st.builds(
    lambda ident, words, language: DocumentInput(text=_text(words, ident), external_id=f"d{ident}", language=language),
    st.integers(0, 30),
    st.lists(st.integers(0, len(WORDS) - 1), min_size=1, max_size=24),
    st.sampled_from(["en", "ar"]),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(documents, min_size=1, max_size=4)),
        st.tuples(st.just("remove"), st.lists(st.integers(0, 30), min_size=1, max_size=3)),
        st.tuples(st.sampled_from(["compact", "reopen", "kill-before-segment", "kill-before-manifest"]), st.none()),
    ),
    min_size=1,
    max_size=14,
)


def results(store: EvidenceStore) -> list:
    """Every query in every mode, with and without a language: (passage id, fused, dense, BM25 scores)."""
    found = []
    for query in QUERIES:
        for mode in ("dense", "bm25", "hybrid"):
            for language in (None, "ar"):
                hits = store.search(query, k=6, mode=mode, language=language)
                found.append([(h.passage.passage_id, h.fused_score, h.dense_score, h.lexical_score) for h in hits])
    return found


def assert_same(found: list, expected: list) -> None:
    for got, want in zip(found, expected, strict=True):
        assert [row[0] for row in got] == [row[0] for row in want]
        for got_row, want_row in zip(got, want, strict=True):
            for a, b in zip(got_row[1:], want_row[1:], strict=True):
                assert (a is None) == (b is None) and (a is None or abs(a - b) <= 1e-5), (got_row, want_row)


class Killed(Exception):
    """Stands for a SIGKILL at one write point: the process state is dropped, the files stay as they are."""


def _raise(*args, **kwargs):
    raise Killed


KILLS = {  # where the operation after a kill step dies: DuckDB committed, then...
    "kill-before-segment": (Segment, "save"),  # ...before its new segment is written
    "kill-before-manifest": (segmented, "write_manifest"),  # ...segments written, before the manifest
}


def _run(store: EvidenceStore, kind: str, payload) -> None:
    if kind == "add":
        store.add(payload)
    elif kind == "remove":
        store.remove([f"d{n}" for n in payload])
    else:
        store.compact()


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_any_history_searches_like_one_fresh_build(tmp_path_factory, settings, monkeypatch, steps):
    flat = settings.model_copy(update={"index_type": "flat", "chunk_max_chars": 80})
    monkeypatch.setattr(segmented, "trailing_merge", functools.partial(trailing_merge, factor=3))
    path = tmp_path_factory.mktemp("history") / "store"
    store = EvidenceStore.open(path, flat, HashEmbedder())
    kill = None
    for kind, payload in steps:
        if kind in KILLS:
            kill = kind
            continue
        killed = False
        with monkeypatch.context() as patched:
            if kill:
                patched.setattr(*KILLS[kill], _raise)
            try:
                _run(store, kind, payload) if kind != "reopen" else None
            except Killed:
                killed = True
        if killed or kind == "reopen":
            store.close()
            store = EvidenceStore.open(path, flat, HashEmbedder())
        kill = None
    found = results(store)
    store.close()
    with EvidenceStore.open(path, flat, HashEmbedder()) as reopened:
        assert_same(results(reopened), found)
    fresh = path.with_name("fresh")
    shutil.copytree(path, fresh)
    with EvidenceStore.open(fresh, flat, HashEmbedder()) as rebuilt:
        rebuilt.compact()
        assert len(rebuilt._index.segments) <= 1
        assert_same(found, results(rebuilt))


def _demo_tokens() -> list[str]:
    lines = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [str(line.get("text") or line.get("claim_reviewed") or "") for line in lines]
    sentences = [s for text in texts for s in text.split(". ") if s.strip()]
    return [" ".join(tokenize(sentence)) for sentence in sentences]


def test_bm25_over_segments_scores_as_bm25s_over_the_live_passages():
    tokens = _demo_tokens()
    ids = np.arange(len(tokens), dtype=np.int64) * 2 + 5
    dead = ids[::7]
    live = ~np.isin(ids, dead)
    reference = LexicalIndex.build(ids[live], [t for t, keep in zip(tokens, live, strict=True) if keep])
    cuts = [0, 13, 40, len(tokens) // 2, len(tokens)]
    parts = []
    for start, end in itertools.pairwise(cuts):
        postings = Postings.build(tokens[start:end])
        mask = live[start:end]
        length = int(postings.lengths[mask].sum())
        parts.append(Part(postings, ids[start:end], mask, mask, int(mask.sum()), length))
    queries = [" ".join(tokens[i].split()[:4]) for i in range(0, len(tokens), 9)]
    queries += ["cham wing wing sanction", "غارة دمشق", "unknownword treasuri"]
    for query in queries:
        query_tokens = tokenize(query) or query.split()
        want_ids, want_scores = reference.search(query_tokens, 10)
        got_ids, got_scores = search(parts, query_tokens, 10)
        assert got_ids.tolist() == want_ids.tolist(), query
        np.testing.assert_allclose(got_scores, want_scores, rtol=1e-6)


def test_the_merge_policy_merges_the_newest_of_one_tier_below_the_cap():
    assert tier(9) == 0 and tier(100) == 2 and tier(99_999) == 4
    assert trailing_merge([100] * 9) == 0
    assert trailing_merge([5000, *[100] * 10]) == 10
    assert trailing_merge([100] * 9 + [1000]) == 0
    assert trailing_merge([9000] * 10) == 0  # 90,000 passages: above the cap, left to compact
