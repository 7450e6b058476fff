"""Training and measuring the check-worthiness head on the shared CheckThat! data (skipped when absent)."""

import numpy as np
import pytest

from tests.support.shared import SHARED_DATA, shared_file
from verify.extract.checkworthy import load_scorer
from verify.extract.features import feature_matrix
from verify.training.checkworthy import TrainConfig, train_head, train_heads
from verify.training.checkworthy_data import embed_cached, load_split
from verify.training.ranking_metrics import average_precision


def ranked_ap(labels, scores) -> float:
    return average_precision(np.asarray(labels)[np.argsort(-np.asarray(scores), kind="stable")])


def test_cues_head_trained_on_train_split_beats_chance_on_dev(tmp_path):
    shared_file("checkworthy_ct24_en_train.jsonl")
    shared_file("checkworthy_ct24_en_dev.jsonl")
    config = TrainConfig(inputs="cues", splits={"ct24_en_train": 1.0})
    head = train_head(SHARED_DATA, config, None, tmp_path, log=lambda _: None)
    dev = load_split(SHARED_DATA, "ct24_en_dev")
    labels = [row.label for row in dev]
    ap = ranked_ap(labels, head.predict(feature_matrix(row.text for row in dev)))
    assert ap > np.mean(labels) + 0.15, (ap, np.mean(labels))


def test_a_language_gets_a_head_trained_on_its_own_splits(tmp_path):
    shared_file("checkworthy_ct24_ar_train.jsonl")
    shared_file("checkworthy_ct24_en_train.jsonl")
    config = TrainConfig(inputs="cues", splits={"ct24_ar_train": 1.0}, language_splits={"en": {"ct24_en_train": 1.0}})
    heads = train_heads(SHARED_DATA, config, None, tmp_path, log=lambda _: None)
    english_only = config.model_copy(update={"splits": {"ct24_en_train": 1.0}})
    alone = train_head(SHARED_DATA, english_only, None, tmp_path, log=lambda _: None)
    assert set(heads.by_language) == {"en"}
    cues = feature_matrix(row.text for row in load_split(SHARED_DATA, "ct24_en_dev"))
    np.testing.assert_array_equal(heads.for_language("en").predict(cues), alone.predict(cues))
    assert not np.allclose(heads.for_language("en").predict(cues), heads.shared.predict(cues))


@pytest.mark.slow
def test_shipped_head_ranks_real_dev_sentences_above_chance(settings, e5):
    shared_file("checkworthy_ct24_en_dev.jsonl")
    dev = load_split(SHARED_DATA, "ct24_en_dev")[:200]
    labels = [row.label for row in dev]
    scores = load_scorer(settings)([row.text for row in dev])
    assert ranked_ap(labels, scores) > np.mean(labels) + 0.3


def test_embedding_cache_embeds_each_text_once(tmp_path, hash_embedder):
    calls = []

    class Counting:
        name = hash_embedder.name

        def embed(self, texts, role, on_progress=None):
            calls.append(list(texts))
            return hash_embedder.embed(texts, role)

    cache = tmp_path / "cache.npz"
    first = embed_cached(["one sentence", "two  sentences", "one sentence"], Counting(), cache)
    again = embed_cached(["two sentences", "three"], Counting(), cache)
    assert [sorted(batch) for batch in calls] == [["one sentence", "two sentences"], ["three"]]  # normalised, once
    np.testing.assert_array_equal(first[1], again[0])
    assert first.shape == (3, hash_embedder.dimension)
