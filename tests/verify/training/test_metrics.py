import pytest

from verify.training.metrics import abstention, classification_metrics, expected_calibration_error

LABELS = ("supported", "disputed", "unverified")


def test_metrics_by_hand():
    gold = ["supported", "supported", "disputed", "disputed", "unverified"]
    predicted = ["supported", "disputed", "disputed", "disputed", "supported"]
    m = classification_metrics(gold, predicted, LABELS)
    assert m.accuracy == pytest.approx(3 / 5)
    # supported: P 1/2 R 1/2; disputed: P 2/3 R 1; unverified: 0
    assert m.per_class["supported"].f1 == pytest.approx(0.5)
    assert m.per_class["disputed"].f1 == pytest.approx(0.8)
    assert m.per_class["unverified"].f1 == 0.0
    assert m.macro_f1 == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert m.confusion["supported"]["disputed"] == 1
    assert m.confusion["unverified"]["supported"] == 1
    assert m.per_class["disputed"].support == 2


def test_ece_zero_when_confidence_matches_accuracy_and_large_when_overconfident():
    assert expected_calibration_error([0.75] * 4, [True, True, True, False]) == pytest.approx(0.0)
    assert expected_calibration_error([0.99] * 4, [True, False, False, False]) == pytest.approx(0.74)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        classification_metrics(["supported"], [], LABELS)


def test_abstention_counts_decisive_verdicts_and_ranks_them_by_confidence():
    gold = ["supported", "disputed", "unverified", "supported", "unverified"]
    predicted = ["supported", "supported", "unverified", "supported", "disputed"]
    confidences = [0.9, 0.6, 0.8, 0.7, 0.5]
    measured = abstention(gold, predicted, confidences)
    assert measured.coverage == pytest.approx(4 / 5)  # four of five claims got a decisive verdict
    assert measured.precision == pytest.approx(2 / 4)  # two of them right
    # most confident first: right (0.9), right (0.7), wrong (0.6), wrong (0.5)
    assert measured.curve[0] == (pytest.approx(1 / 5), pytest.approx(1.0))
    assert measured.curve[-1] == (pytest.approx(4 / 5), pytest.approx(0.5))
    assert len(measured.curve) == 10 and [c for c, _ in measured.curve] == sorted(c for c, _ in measured.curve)


def test_abstention_when_nothing_is_decided():
    measured = abstention(["supported", "disputed"], ["unverified", "unverified"], [0.4, 0.3])
    assert (measured.precision, measured.coverage, measured.curve) == (0.0, 0.0, ())
