"""Which models a process would use, named without loading any: a warm worker must use its caller's."""

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from verify.extract.checkworthy import SHIPPED_HEAD
from verify.settings import Settings

SHIPPED_STANCE_DIR = Path(__file__).resolve().parent / "models" / "stance"
MATCH_MODELS_DIR = Path(__file__).resolve().parent / "models" / "prior_match"


def match_model_path(embedding_model: str) -> Path:
    """Where the claim-matching model fitted on ``embedding_model``'s cosines is kept."""
    return MATCH_MODELS_DIR / f"{embedding_model.rstrip('/').rsplit('/', 1)[-1]}.json"


class ModelVersions(BaseModel):
    """The embedding models' names (the store's, claim matching's) and digests of the stance, check-worthiness and
    claim-matching models' files."""

    model_config = ConfigDict(frozen=True)

    embedding: str
    stance: str
    checkworthy: str
    matching: str

    def differences(self, wanted: "ModelVersions") -> list[str]:
        """``name: ours, wanted theirs`` for each model that differs from ``wanted``."""
        return [
            f"{name}: {mine}, wanted {theirs}"
            for name, mine in self.model_dump().items()
            if mine != (theirs := getattr(wanted, name))
        ]


def stance_model_dir(settings: Settings) -> Path:
    """The trained stance model folder in use (the shipped one unless ``SANAD_STANCE_MODEL_DIR`` says otherwise)."""
    return settings.stance_model_dir or SHIPPED_STANCE_DIR


def _digest(files: list[Path]) -> str:
    """The first 12 hex digits of the SHA-256 of the files' names and contents ('missing' if none exist)."""
    found = [path for path in sorted(files) if path.is_file()]
    if not found:
        return "missing"
    digest = hashlib.sha256()
    for path in found:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_versions(settings: Settings) -> ModelVersions:
    """The models ``settings`` name, identified by name (embedding, other stance backends) or by file digest."""
    if settings.stance_backend == "trained":
        stance = f"trained:{_digest(list(stance_model_dir(settings).glob('*')))}"
    elif settings.stance_backend == "cross-encoder":
        stance = f"cross-encoder:{settings.stance_cross_encoder}"
    else:
        stance = f"{settings.stance_backend}:{settings.llm_model}"
    head = (settings.checkworthy_model or SHIPPED_HEAD).resolve()
    matcher = settings.prior_match_embedding_model
    return ModelVersions(
        embedding=settings.embedding_model,
        stance=stance,
        checkworthy=_digest([head, *head.parent.glob(f"{head.stem}_*.npz")]),
        matching=f"{matcher}:{_digest([match_model_path(matcher)])}" if settings.prior_checks else "off",
    )
