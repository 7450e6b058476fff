import numpy as np
import pytest

from verify.extract.checkworthy import CheckworthyHead, CheckworthyHeads, HeadScorer
from verify.extract.features import FEATURE_NAMES
from verify.training.ranking_metrics import average_precision, best_threshold, f1_positive, mean_average_precision


def cues_head(hidden: int = 0, seed: int = 0) -> CheckworthyHead:
    rng = np.random.default_rng(seed)
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
    scorer = HeadScorer(CheckworthyHeads(cues_head()))
    scores = scorer(["The deficit rose by 40 billion dollars.", "Hello?"])
    assert scores.shape == (2,) and len(set(scores.round(6))) == 2
    assert scorer([]).shape == (0,)
    with pytest.raises(ValueError, match="embedder"):
        HeadScorer(
            CheckworthyHeads(
                CheckworthyHead("embedding+cues", "e5", np.zeros(3), np.ones(3), [(np.ones((3, 1)), np.zeros(1))])
            )
        )


ENGLISH = "The deficit rose by 40 billion dollars last year, the minister said."
ARABIC = "قال الوزير إن العجز ارتفع بمقدار 40 مليار دولار في العام الماضي."


def test_each_text_is_scored_by_the_head_of_its_language():
    shared, english = cues_head(seed=0), cues_head(seed=1)
    scorer = HeadScorer(CheckworthyHeads(shared, {"en": english}))
    cues = scorer.inputs([ENGLISH, ARABIC])
    by_english, by_shared = english.predict(cues), shared.predict(cues)
    assert not np.allclose(by_english, by_shared)
    np.testing.assert_allclose(scorer([ENGLISH, ARABIC], ["en", "ar"]), [by_english[0], by_shared[1]])
    np.testing.assert_allclose(scorer([ENGLISH, ARABIC]), [by_english[0], by_shared[1]])  # languages detected
    np.testing.assert_allclose(scorer([ENGLISH, ARABIC], [None, "fr"]), by_shared)  # no head of their own
    with pytest.raises(ValueError, match="one language per text"):
        scorer([ENGLISH, ARABIC], ["en"])


def test_language_heads_are_saved_and_found_beside_the_shared_one(tmp_path):
    heads = CheckworthyHeads(cues_head(seed=0), {"en": cues_head(seed=1)})
    heads.save(tmp_path / "head.npz")
    cues_head(seed=2).save(tmp_path / "head_backup.npz")  # not a language code: not a language head
    loaded = CheckworthyHeads.load(tmp_path / "head.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["head.npz", "head_backup.npz", "head_en.npz"]
    assert set(loaded.by_language) == {"en"}
    x = HeadScorer(loaded).inputs([ENGLISH])
    np.testing.assert_allclose(loaded.for_language("en").predict(x), heads.by_language["en"].predict(x), atol=2e-2)
    np.testing.assert_allclose(loaded.for_language("ar").predict(x), heads.shared.predict(x), atol=2e-2)


def test_heads_on_other_inputs_are_refused():
    embedding_head = CheckworthyHead("embedding+cues", "e5", np.zeros(3), np.ones(3), [(np.ones((3, 1)), np.zeros(1))])
    with pytest.raises(ValueError, match="the en check-worthiness head takes other inputs"):
        CheckworthyHeads(cues_head(), {"en": embedding_head})


def test_metrics():
    assert f1_positive([1, 1, 0, 0], [1, 0, 1, 0]) == pytest.approx(0.5)
    assert f1_positive([1, 0], [0, 0]) == 0.0
    assert average_precision([1, 0, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 0]) == 0.0
    docs, labels, scores = ["a", "a", "a", "b", "b", "c"], [0, 1, 0, 1, 0, 0], [0.9, 0.8, 0.1, 0.7, 0.2, 0.5]
    assert mean_average_precision(docs, labels, scores) == pytest.approx((0.5 + 1.0) / 2)  # "c" has no positive
    cut = best_threshold([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9])
    assert 0.3 < cut <= 0.6
