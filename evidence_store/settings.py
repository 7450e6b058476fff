"""Settings of the evidence store, read from ``SANAD_*`` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "intfloat/multilingual-e5-small"

IndexType = Literal["auto", "flat", "hnsw", "ivf"]


class StoreSettings(BaseSettings):
    """Where data lives and how the evidence store embeds, indexes and fetches.

    ``verify.settings.Settings`` extends this with the verdict-side settings, so the
    whole application reads one object.
    """

    model_config = SettingsConfigDict(env_prefix="SANAD_", frozen=True, extra="ignore")

    home: Path = Path(".sanad")
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = 32
    embedding_device: str = "cpu"

    index_type: IndexType = "flat"
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    ivf_nlist: int = 0  # 0: about 4 * sqrt(passages)
    ivf_nprobe: int = 16

    chunk_max_chars: int = 700
    chunk_overlap_sentences: int = 1
    max_document_chars: int = 2_000_000

    fetch_timeout_s: float = 15.0
    fetch_max_bytes: int = 5_000_000
    fetch_user_agent: str = "Sanad/0.1 (+https://github.com/sanad-factcheck/sanad)"

    @property
    def models_dir(self) -> Path:
        """Folder of locally built models."""
        return self.home / "models"

    @property
    def store_dir(self) -> Path:
        """Folder of the default evidence store."""
        return self.home / "evidence"
