import pytest

from verify.training.metrics import classification_metrics, expected_calibration_error

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
