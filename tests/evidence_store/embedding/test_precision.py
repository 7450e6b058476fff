"""bf16 matrix products in the e5 embedder: the same vectors to within rounding, and the same ranking."""

import numpy as np

from evidence_store.embedding.embedder import load_embedder
from evidence_store.embedding.precision import use_bf16

PASSAGES = [
    "The US Treasury sanctioned the Syrian airline Cham Wings for flying fighters to Libya.",
    "أعلنت وزارة الخزانة الأمريكية فرض عقوبات على شركة أجنحة الشام للطيران",
    "The central bank kept interest rates unchanged in March.",
    "ضرب زلزال مدينة حماة وقتل 12 شخصا",
]
QUERIES = ["Is Cham Wings under US sanctions?", "كم عدد ضحايا زلزال حماة؟"]


def test_precision_choice():
    assert use_bf16("bf16") and not use_bf16("fp32")
    assert not use_bf16("auto", device="cuda")


def test_bf16_vectors_match_fp32(settings):
    in_torch = {"embedding_onnx_max_texts": 0}  # small calls would otherwise run in ONNX Runtime, in fp32
    fp32 = load_embedder(settings.model_copy(update={"embedding_precision": "fp32", **in_torch}))
    bf16 = load_embedder(settings.model_copy(update={"embedding_precision": "bf16", **in_torch}))
    assert fp32 is not bf16 and bf16.bf16 and not fp32.bf16
    passages_32, passages_16 = fp32.embed(PASSAGES, "passage"), bf16.embed(PASSAGES, "passage")
    assert passages_16.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages_16, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(passages_32 * passages_16, axis=1)) > 0.999
    scores_32 = fp32.embed(QUERIES, "query") @ passages_32.T
    scores_16 = bf16.embed(QUERIES, "query") @ passages_16.T
    assert np.abs(scores_32 - scores_16).max() < 0.01
    assert (scores_32.argmax(axis=1) == scores_16.argmax(axis=1)).all()
    assert list(scores_16.argmax(axis=1)) == [0, 3]
