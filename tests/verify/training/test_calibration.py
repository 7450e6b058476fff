import numpy as np
import pytest

from verify.calibration import Calibration, VerdictCalibration, calibration_key
from verify.training.calibration_fit import fit_calibration, fit_temperature
from verify.training.metrics import expected_calibration_error


def _overconfident(n: int, seed: int):
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    logits = rng.normal(0, 1, (n, 3))
    logits[np.arange(n), gold] += 1.0  # right class only a bit more likely
    return logits * 6.0, gold  # ... but stated six times too sharply


def test_fitting_softens_overconfident_logits_and_lowers_ece():
    logits, gold = _overconfident(3000, 0)
    fitted = fit_calibration(logits, gold, fitted_on="synthetic")
    assert fitted.temperature > 3.0
    test_logits, test_gold = _overconfident(3000, 1)
    raw, calibrated = VerdictCalibration().probabilities(test_logits), fitted.probabilities(test_logits)
    ece_raw = expected_calibration_error(raw.max(1), raw.argmax(1) == test_gold)
    ece_fit = expected_calibration_error(calibrated.max(1), calibrated.argmax(1) == test_gold)
    assert ece_fit < 0.05 < ece_raw


def test_language_lookup_falls_back():
    ar = VerdictCalibration(temperature=2.0, fitted_on="ar")
    calibration = Calibration(languages={"ar": ar})
    assert calibration.for_language("ar") is ar
    assert calibration.for_language("fr").fitted_on == "identity"
    assert calibration.for_language(None).temperature == 1.0


def test_cross_lingual_calibration_is_used_when_all_evidence_is_in_another_language():
    ar, ar_en = VerdictCalibration(fitted_on="ar"), VerdictCalibration(fitted_on="ar-en")
    calibration = Calibration(languages={"ar": ar, "ar-en": ar_en})
    assert calibration_key("ar", ["en", "en", None]) == "ar-en"
    assert calibration_key("ar", ["en", "ar"]) == "ar"
    assert calibration_key("ar", []) == "ar"
    assert calibration_key(None, ["en"]) is None
    assert calibration.for_language("ar-en") is ar_en
    assert calibration.for_language("ar-fr") is ar  # no ar-fr calibration: the claim language's
    assert calibration.for_language("fr-en").fitted_on == "identity"


def test_fitted_temperature_recovers_how_overconfident_logits_are():
    logits, gold = _overconfident(4000, 2)
    sharp = fit_temperature(logits, gold)
    assert 3.0 < sharp < 20.0
    assert fit_temperature(logits / sharp, gold) == pytest.approx(1.0, rel=0.02)  # nothing left to soften


def test_the_retrieved_temperature_changes_confidence_never_the_label():
    logits, _ = _overconfident(500, 3)
    calibration = VerdictCalibration(temperature=1.5, bias=(0.3, -0.2, 0.0), retrieved_temperature=4.0)
    given, retrieved = calibration.probabilities(logits), calibration.probabilities(logits, retrieved=True)
    assert (given.argmax(1) == retrieved.argmax(1)).all()
    assert (retrieved.max(1) < given.max(1)).all()
    assert np.allclose(retrieved.sum(1), 1.0)
    assert np.allclose(
        VerdictCalibration(temperature=1.5).probabilities(logits, retrieved=True),
        VerdictCalibration(temperature=1.5).probabilities(logits),
    )
