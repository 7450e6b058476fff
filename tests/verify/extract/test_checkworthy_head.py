import numpy as np
import pytest

from verify.extract.checkworthy import CheckworthyHead, HeadScorer
from verify.extract.cw_metrics import average_precision, best_threshold, f1_positive, mean_average_precision
from verify.extract.features import FEATURE_NAMES


def cues_head(hidden: int = 0) -> CheckworthyHead:
    rng = np.random.default_rng(0)
    n = len(FEATURE_NAMES)
    layers = (
        [(rng.normal(size=(n, 1)), np.zeros(1))]
        if hidden == 0
        else [
            (rng.normal(size=(n, hidden)), np.zeros(hidden)),
            (rng.normal(size=(hidden, 1)), np.zeros(1)),
        ]
    )
    return CheckworthyHead("cues", None, np.zeros(n), np.ones(n), layers)


@pytest.mark.parametrize("hidden", [0, 8])
def test_head_round_trips_through_npz(tmp_path, hidden):
    head = cues_head(hidden)
    x = np.random.default_rng(1).normal(size=(5, len(FEATURE_NAMES))).astype(np.float32)
    head.save(tmp_path / "head.npz")
    loaded = CheckworthyHead.load(tmp_path / "head.npz")
    assert loaded.inputs == "cues" and loaded.embedding_model is None
    np.testing.assert_allclose(loaded.predict(x), head.predict(x), atol=2e-2)  # float16 weights
    assert np.all((loaded.predict(x) >= 0) & (loaded.predict(x) <= 1))


def test_head_refuses_other_features_and_missing_files(tmp_path):
    head = cues_head()
    head.save(tmp_path / "head.npz")
    stored = dict(np.load(tmp_path / "head.npz"))
    stored["features"] = np.array(["something", "else"])
    np.savez(tmp_path / "other.npz", **stored)
    with pytest.raises(ValueError, match="other cue features"):
        CheckworthyHead.load(tmp_path / "other.npz")
    with pytest.raises(FileNotFoundError, match="sanad train checkworthy"):
        CheckworthyHead.load(tmp_path / "missing.npz")


def test_cues_scorer_scores_each_text():
    scorer = HeadScorer(cues_head())
    scores = scorer(["The deficit rose by 40 billion dollars.", "Hello?"])
    assert scores.shape == (2,) and len(set(scores.round(6))) == 2
    assert scorer([]).shape == (0,)
    with pytest.raises(ValueError, match="embedder"):
        HeadScorer(CheckworthyHead("embedding+cues", "e5", np.zeros(3), np.ones(3), [(np.ones((3, 1)), np.zeros(1))]))


def test_metrics():
    assert f1_positive([1, 1, 0, 0], [1, 0, 1, 0]) == pytest.approx(0.5)
    assert f1_positive([1, 0], [0, 0]) == 0.0
    assert average_precision([1, 0, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 0]) == 0.0
    docs, labels, scores = ["a", "a", "a", "b", "b", "c"], [0, 1, 0, 1, 0, 0], [0.9, 0.8, 0.1, 0.7, 0.2, 0.5]
    assert mean_average_precision(docs, labels, scores) == pytest.approx((0.5 + 1.0) / 2)  # "c" has no positive
    cut = best_threshold([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9])
    assert 0.3 < cut <= 0.6
