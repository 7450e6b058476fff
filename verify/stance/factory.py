"""The stance backend named by settings, created once per process."""

import threading

from evidence_store.errors import InvalidInput
from verify.settings import Settings
from verify.stance.protocol import StanceModel

_cache: dict[tuple, StanceModel] = {}
_lock = threading.Lock()


def _key(settings: Settings) -> tuple:
    return (
        settings.stance_backend,
        str(settings.stance_model_dir),
        settings.stance_cross_encoder,
        settings.stance_quantize,
        settings.stance_precision,
        str(settings.home.resolve()),
        settings.llm_base_url,
        settings.llm_model,
    )


def load_stance_model(settings: Settings) -> StanceModel:
    """The process-wide stance model for ``settings.stance_backend`` (loaded lazily on first use)."""
    key = _key(settings)
    with _lock:
        if key not in _cache:
            _cache[key] = _create(settings)
        return _cache[key]


def _create(settings: Settings) -> StanceModel:
    if settings.stance_backend == "trained":
        from verify.stance.cross_encoder import TrainedCrossEncoder

        return TrainedCrossEncoder(settings)
    if settings.stance_backend == "cross-encoder":
        from verify.stance.st_cross_encoder import SentenceTransformersCrossEncoder

        if not settings.stance_cross_encoder:
            raise InvalidInput("stance backend 'cross-encoder' needs SANAD_STANCE_CROSS_ENCODER (a model name or path)")
        return SentenceTransformersCrossEncoder(settings.stance_cross_encoder, settings.stance_batch_size)
    from verify.stance.llm import LLMJudge

    return LLMJudge(settings)
