"""An LLM judge over an OpenAI-compatible chat API: one strict-JSON stance answer per pair.

A malformed answer is not guessed at: the pair becomes neutral (so it cannot decide a verdict)
and the reason is logged. Transport failures are retried, then raised as ``StanceBackendError``.
"""

import json
import logging
import time
from collections.abc import Callable, Sequence

import httpx

from evidence_store.errors import InvalidInput, SanadError
from verify.calibration import Calibration
from verify.settings import Settings
from verify.stance.protocol import LABELS, StancePair
from verify.types import StanceScore

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are a careful fact-checking assistant. Given a CLAIM and an EVIDENCE passage (either may be "
    "Arabic or English), decide whether the evidence supports the claim, refutes it, or is neutral "
    "(unrelated, or not enough to decide). Judge only from the evidence. Answer with one JSON object "
    'and nothing else: {"stance": "supports" | "refutes" | "neutral", "confidence": <number 0 to 1>}.'
)
_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class StanceBackendError(SanadError, RuntimeError):
    """The stance backend could not be reached or refused the request."""


class MalformedAnswer(SanadError, ValueError):
    """The model's answer is not the JSON object asked for."""


def parse_answer(content: str) -> StanceScore:
    """A ``StanceScore`` from the model's JSON; the chosen stance gets ``confidence``, the rest share the remainder."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedAnswer(f"not JSON: {content[:80]!r}") from exc
    if not isinstance(answer, dict):
        raise MalformedAnswer(f"not a JSON object: {content[:80]!r}")
    stance = answer.get("stance")
    if stance not in LABELS:
        raise MalformedAnswer(f"stance {stance!r} is not one of {', '.join(LABELS)}")
    confidence = answer.get("confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0.0 <= confidence <= 1.0:
        raise MalformedAnswer(f"confidence {confidence!r} is not a number in [0, 1]")
    confidence = max(float(confidence), 1.0 / 3.0)
    rest = (1.0 - confidence) / 2.0
    return StanceScore(**{label: confidence if label == stance else rest for label in LABELS})


NEUTRAL = StanceScore(supports=0.0, refutes=0.0, neutral=1.0)


class LLMJudge:
    """Asks a chat model for the stance of each pair (temperature 0, JSON answer)."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        if not settings.llm_model:
            raise InvalidInput("the llm stance backend needs SANAD_LLM_MODEL (and SANAD_LLM_BASE_URL)")
        self.settings = settings
        self.model = settings.llm_model
        self.name = f"llm:{settings.llm_model}"
        headers = {"Content-Type": "application/json"}
        if settings.llm_api_key is not None:
            headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
        try:
            self._client = httpx.Client(
                base_url=settings.llm_base_url.rstrip("/"),
                headers=headers,
                timeout=httpx.Timeout(settings.llm_timeout_s),
                transport=transport,
            )
            self.endpoint = str(httpx.URL(settings.llm_base_url).copy_with(userinfo=b""))
        except httpx.InvalidURL as exc:
            raise InvalidInput(f"SANAD_LLM_BASE_URL is not a valid URL ({exc})") from None

    @property
    def calibration(self) -> Calibration:
        """None is fitted for a chat model's answers: the identity."""
        return Calibration()

    def warm_up(self) -> None:
        """Nothing to load: the model runs behind its API."""

    def _redact(self, text: str) -> str:
        """``text`` with the API key blanked (a proxy or model may echo the request back)."""
        key = self.settings.llm_api_key.get_secret_value() if self.settings.llm_api_key else ""
        return text.replace(key, "[redacted]") if key else text

    def _ask(self, pair: StancePair) -> str:
        body = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"CLAIM: {pair.claim}\n\nEVIDENCE: {pair.passage}"},
            ],
        }
        problem = ""
        for attempt in range(self.settings.llm_retries + 1):
            if attempt:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
            try:
                response = self._client.post("/chat/completions", json=body)
            except httpx.TransportError as exc:
                problem = self._redact(f"{type(exc).__name__}: {exc}")
                continue
            if response.status_code in _RETRYABLE_STATUS:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise StanceBackendError(f"LLM at {self.endpoint} answered HTTP {response.status_code}")
            try:
                return str(response.json()["choices"][0]["message"]["content"])
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise MalformedAnswer(f"response is not a chat completion ({type(exc).__name__})") from exc
        raise StanceBackendError(
            f"LLM at {self.endpoint} failed after {self.settings.llm_retries + 1} tries ({problem})"
        )

    def score(
        self, pairs: Sequence[StancePair], on_progress: Callable[[int, int], None] | None = None
    ) -> list[StanceScore]:
        """One request per pair; malformed answers become neutral with a logged reason."""
        scores = []
        for done, pair in enumerate(pairs, start=1):
            try:
                scores.append(parse_answer(self._redact(self._ask(pair))))
            except MalformedAnswer as exc:
                log.warning("LLM stance answer rejected, treating the passage as neutral: %s", exc)
                scores.append(NEUTRAL)
            if on_progress is not None:
                on_progress(done, len(pairs))
        return scores

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
