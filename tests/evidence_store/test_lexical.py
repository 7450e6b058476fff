"""BM25 search picks the same passages as bm25s's own retrieval, best first, positive scores only."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_store.lexical import LexicalIndex, _best
from evidence_store.text.tokenize import tokenize

PASSAGES = [
    "Cham Wings flights between Damascus and Benghazi continued after the sanctions.",
    "The US Treasury sanctioned the Syrian airline Cham Wings in 2016.",
    "أجنحة الشام تسير رحلات بين دمشق وبنغازي",
    "Benghazi airport reopened to international flights.",
    "The delegation of Haftar visited Damascus on Sunday.",
    "Weather in Damascus was sunny.",
]


def index() -> LexicalIndex:
    return LexicalIndex.build(np.arange(100, 100 + len(PASSAGES)), [" ".join(tokenize(p)) for p in PASSAGES])


def test_search_agrees_with_bm25s_retrieve():
    lexical = index()
    for query in ("Cham Wings sanctions", "Damascus Benghazi flights", "رحلات دمشق", "airport"):
        tokens = [t for t in tokenize(query) if t in lexical._bm25.vocab_dict]
        ids, scores = lexical.search(tokenize(query), k=3)
        docs, expected = lexical._bm25.retrieve([tokens], k=3, show_progress=False)
        keep = expected[0] > 0
        assert np.allclose(scores, expected[0][keep])
        assert set(ids) == set(100 + docs[0][keep])
        assert list(scores) == sorted(scores, reverse=True)


def test_a_mask_keeps_only_the_allowed_passages():
    mask = np.array([0, 1, 0, 1, 1, 1], dtype=np.float32)
    ids, _ = index().search(tokenize("Damascus Benghazi flights"), k=10, mask=mask)
    assert set(ids) == {103, 104, 105}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.0, 3.5]), max_size=40), st.integers(1, 10))
def test_best_is_the_top_k_positive_scores_in_order(values, k):
    scores = np.array(values, dtype=np.float32)
    expected = sorted((i for i, v in enumerate(values) if v > 0), key=lambda i: (-values[i], i))[:k]
    assert _best(scores, k).tolist() == expected
