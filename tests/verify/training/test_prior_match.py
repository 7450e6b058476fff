"""The claim-matching recipe: near misses, signed weights, the precision threshold, which titles are claims."""

import numpy as np

from verify.prior.matching import MATCH_FEATURE_SIGNS, MATCH_FEATURES, RANK_FEATURES, Ranker, differences
from verify.training.prior_match import (
    MatchRecord,
    fit_model,
    fit_ranker,
    near_misses,
    pick_threshold,
    title_query,
)

UNIT_RANKER = Ranker(
    features=RANK_FEATURES,
    means=(0.0,) * len(RANK_FEATURES),
    scales=(1.0,) * len(RANK_FEATURES),
    weights=(1.0,) * len(RANK_FEATURES),
)


def test_every_near_miss_differs_from_its_claim():
    claim = "السلطات الليبية رحلت 300 مهاجر من طرابلس في مارس 2023"
    made = dict(near_misses(claim, "ar"))
    assert set(made) == {"year", "number", "place", "denied"}
    assert all(differences(text, claim) for text in made.values())
    assert made["denied"] == "ليس صحيحا أن " + claim


def test_weights_keep_their_signs_even_where_the_data_pull_the_other_way():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, len(MATCH_FEATURES)))
    labels = (features[:, 0] - 2 * features[:, 1] + rng.normal(scale=0.5, size=400) > 0).astype(float)
    model = fit_model(features, labels, "test-embedder", UNIT_RANKER)
    signs = np.sign(model.weights)
    assert all(sign == 0 or sign == expected for sign, expected in zip(signs, MATCH_FEATURE_SIGNS, strict=True))
    assert model.weights[0] > 0 and model.weights[1] == 0  # the negative pull on feature 1 is refused


def test_the_ranker_learns_which_feature_puts_the_right_record_first():
    """Pools where the right record has the best BM25 share but not the best cosine: the fitted ranker must weigh
    BM25 over cosine, and then rank the right record first in new pools made the same way."""
    rng = np.random.default_rng(1)

    def pool() -> tuple[np.ndarray, np.ndarray]:
        features = rng.uniform(size=(20, len(RANK_FEATURES)))
        features[0, 1] = features[:, 1].max() + 0.2  # the right record: the best BM25 share ...
        features[0, 0] = np.sort(features[:, 0])[len(features) // 2]  # ... and a middling cosine
        return features, np.eye(len(features))[0]

    ranker = fit_ranker([pool() for _ in range(60)])
    assert ranker.weights[1] > abs(ranker.weights[0])
    new_pools = [pool()[0] for _ in range(20)]
    assert all(int(np.argmax(ranker.scores(features))) == 0 for features in new_pools)


def test_the_threshold_is_the_lowest_that_reaches_the_precision():
    probabilities = np.array([0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, True, False, False])
    assert pick_threshold(probabilities, correct, 0.95) == 0.71
    assert pick_threshold(probabilities, np.zeros(5, dtype=bool), 0.95) == 0.99


def _record(title: str) -> MatchRecord:
    return MatchRecord(
        record_id="r",
        claim_reviewed="فيديو لاحتفالات في غزة",
        title=title,
        publisher="مسبار",
        rating="زائف",
        language="ar",
    )


def test_titles_that_deny_the_claim_are_used_only_when_asked():
    restating, denying = _record("مقطع يظهر احتفالات أهالي غزة"), _record("هذا الفيديو ليس من غزة بل من اليمن")
    assert title_query(restating, denials=False) == "مقطع يظهر احتفالات أهالي غزة"
    assert title_query(denying, denials=False) is None and title_query(denying, denials=True)
    assert title_query(_record("مسبار"), denials=True) is None  # the publisher's name is no claim
