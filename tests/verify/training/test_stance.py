"""A two-step training run on real shared data writes a model the default backend can load."""

import pytest

from evidence_store.embedding.embedder import ensure_default_model
from tests.support.shared import shared_file
from verify.stance.cross_encoder import TrainedCrossEncoder
from verify.stance.protocol import StancePair
from verify.training.stance import TrainSettings, length_bucketed_batches, train_stance

pytestmark = pytest.mark.slow


def test_length_buckets_cover_every_pair_once_and_are_seeded():
    import random

    lengths = [i % 37 for i in range(200)]
    batches = length_bucketed_batches(lengths, 16, random.Random(1))
    assert sorted(i for b in batches for i in b) == list(range(200))
    assert batches == length_bucketed_batches(lengths, 16, random.Random(1))
    assert all(max(lengths[i] for i in b) - min(lengths[i] for i in b) <= 36 for b in batches)


def test_tiny_run_writes_a_loadable_model(settings, tmp_path):
    data = shared_file("claims_ans_ar_train.jsonl").parent
    base = ensure_default_model(settings)
    out = tmp_path / "stance"
    tiny = TrainSettings(epochs=1, limit=16, dev_limit=4, threads=1, reported_pairs=8)
    config = train_stance(data, base, out, settings, tiny, log=lambda _m: None)
    assert 16 < config.training["pairs"] <= 24  # reported-speech pairs framed from the 16 joined the mix
    assert "reported_dev" in config.training["history"][0]["dev"]
    assert set(config.dev_scores) == {"ans_dev", "scifact_dev", "xnli_cross_dev", "reported_dev"}
    assert (out / "adapter.safetensors").exists() and (out / "stance.json").exists()
    model = TrainedCrossEncoder(settings.model_copy(update={"stance_quantize": False}), out)
    [score] = model.score([StancePair(claim="The airport reopened.", passage="The airport reopened on Monday.")])
    assert abs(score.supports + score.refutes + score.neutral - 1.0) < 1e-5
    assert model.name.startswith("sanad-stance-e5-lora@")
