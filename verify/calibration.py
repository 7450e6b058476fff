"""Calibration of verdict confidence: temperature and class biases over the aggregated evidence logits.

Fitted per claim language on dev claims by minimising negative log-likelihood, and for claims
judged on evidence in another language only (keys such as "ar-en": claim language, then evidence
language); stored in the trained stance model's ``stance.json`` so a verdict's confidence matches
that model.
"""

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


class VerdictCalibration(BaseModel):
    """softmax(logits / temperature + bias) over (supported, disputed, unverified), divided once more by
    ``retrieved_temperature`` for evidence found by search.

    The first two are fitted on dev claims with the evidence their dataset gives. Passages found by
    search (the product's case) include reporting on neighbouring events, and the same logits are then
    right less often, so a further temperature is fitted on the same dev claims judged on retrieved
    passages. Dividing by a positive number keeps the argmax, so it never changes a verdict's label,
    only its confidence.
    """

    model_config = ConfigDict(frozen=True)

    temperature: float = Field(default=1.0, gt=0.0)
    bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fitted_on: str = "identity"
    retrieved_temperature: float = Field(default=1.0, gt=0.0)
    retrieved_fitted_on: str | None = None

    def probabilities(self, logits: np.ndarray, retrieved: bool = False) -> np.ndarray:
        """Calibrated probabilities of logits of shape (3,) or (n, 3); ``retrieved``: the evidence came from search."""
        z = np.asarray(logits, dtype=np.float64) / self.temperature + np.asarray(self.bias)
        return softmax(z / self.retrieved_temperature if retrieved else z)


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class Calibration(BaseModel):
    """Per-language verdict calibrations, with a fallback for other languages."""

    model_config = ConfigDict(frozen=True)

    languages: dict[str, VerdictCalibration] = {}
    fallback: VerdictCalibration = VerdictCalibration()

    def for_language(self, language: str | None) -> VerdictCalibration:
        """The calibration of ``language`` ("ar-en" falls back to "ar", then to the fallback)."""
        key = language or ""
        return self.languages.get(key) or self.languages.get(key.partition("-")[0], self.fallback)


def calibration_key(claim_language: str | None, passage_languages: Sequence[str | None]) -> str | None:
    """The claim's language, or "ar-en" style when every passage of known language is in one other language."""
    known = {language for language in passage_languages if language}
    if claim_language and len(known) == 1 and claim_language not in known:
        return f"{claim_language}-{known.pop()}"
    return claim_language
