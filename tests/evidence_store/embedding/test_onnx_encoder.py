"""The ONNX export of e5 for small calls: built with the model, the same vectors as PyTorch, used only for
calls of a few texts, and written whole or not at all."""

import numpy as np
import pytest

from evidence_store.embedding.embedder import SentenceTransformerEmbedder, default_model_dir, load_embedder
from evidence_store.embedding.onnx_encoder import export_onnx, onnx_path

CLAIMS = [
    "Is Cham Wings under US sanctions?",
    "هل تخضع شركة أجنحة الشام لعقوبات أمريكية؟",
    "ضرب زلزال مدينة حماة وقتل ١٢ شخصاً",
]
PASSAGES = [
    "The US Treasury sanctioned the Syrian airline Cham Wings for flying fighters to Libya.",
    "أعلنت وزارة الخزانة الأمريكية فرض عقوبات على شركة أجنحة الشام للطيران",
    "The central bank kept interest rates unchanged in March.",
]


@pytest.fixture(scope="module")
def in_torch(settings):
    """The same model with every call in PyTorch (fp32), to compare against."""
    return load_embedder(settings.model_copy(update={"embedding_onnx_max_texts": 0, "embedding_precision": "fp32"}))


def test_the_model_build_exports_onnx(e5, settings):
    export = onnx_path(default_model_dir(settings))
    assert export.is_file() and export.stat().st_size > 100 * 2**20
    assert e5.onnx_encoder() is not None


@pytest.mark.parametrize("role", ["query", "passage"])
def test_small_calls_give_the_pytorch_vectors(e5, in_torch, role):
    texts = CLAIMS if role == "query" else PASSAGES
    assert len(texts) <= e5.onnx_max_texts and in_torch.onnx_encoder() is None
    one_by_one = np.vstack([e5.embed([text], role) for text in texts])
    together = e5.embed(texts, role)
    reference = in_torch.embed(texts, role)
    assert one_by_one.dtype == np.float32 and one_by_one.shape == reference.shape
    np.testing.assert_allclose(np.linalg.norm(one_by_one, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(one_by_one * reference, axis=1)) > 0.9999
    assert np.min(np.sum(together * reference, axis=1)) > 0.9999


def test_the_query_prompt_is_applied(e5, in_torch):
    """Embedding as a query differs from embedding as a passage, in both runtimes alike."""
    as_query, as_passage = e5.embed(CLAIMS[:1], "query")[0], e5.embed(CLAIMS[:1], "passage")[0]
    assert float(as_query @ as_passage) < 0.999
    assert float(as_query @ in_torch.embed(CLAIMS[:1], "query")[0]) > 0.9999


def test_only_small_calls_go_to_onnx(e5, monkeypatch):
    routed: list[int] = []
    encoder = e5.onnx_encoder()
    original = encoder.encode
    monkeypatch.setattr(encoder, "encode", lambda texts: routed.append(len(texts)) or original(texts))
    e5.embed(CLAIMS, "query")
    e5.embed(CLAIMS + PASSAGES, "passage")
    assert routed == [len(CLAIMS)]


def test_no_export_means_pytorch(e5, tmp_path):
    without = SentenceTransformerEmbedder("copy", str(tmp_path), onnx_max_texts=4)
    assert without.onnx_encoder() is None
    assert SentenceTransformerEmbedder(e5.name, e5.source, onnx_max_texts=0).onnx_encoder() is None


def test_a_failed_export_leaves_nothing_behind(e5, settings, tmp_path, monkeypatch):
    import torch

    target = tmp_path / "model"
    target.mkdir()
    for item in default_model_dir(settings).iterdir():
        if item.name != "onnx":
            (target / item.name).symlink_to(item)

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash during export")

    monkeypatch.setattr(torch.onnx, "export", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        export_onnx(target)
    assert list((target / "onnx").iterdir()) == []
    assert SentenceTransformerEmbedder("copy", str(target), onnx_max_texts=4).onnx_encoder() is None
