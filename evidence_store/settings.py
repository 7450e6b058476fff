"""Settings of the evidence store, read from ``SANAD_*`` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "intfloat/multilingual-e5-small"

IndexType = Literal["auto", "flat", "hnsw", "ivf", "ivfpq"]
Precision = Literal["auto", "fp32", "bf16"]  # of matrix products in the encoders (see embedding.precision)


class StoreSettings(BaseSettings):
    """Where data lives and how the evidence store embeds, indexes and fetches.

    ``verify.settings.Settings`` extends this with the verdict-side settings, so the
    whole application reads one object.
    """

    model_config = SettingsConfigDict(env_prefix="SANAD_", frozen=True, extra="ignore")

    home: Path = Path(".sanad")
    # folders the ingest-evidence flow may read files from (a file's real path, symlinks resolved, must lie in
    # one); empty: SANAD_HOME/inbox only. The command line reads whatever path its user gives.
    ingest_roots: list[Path] = []
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = 32
    embedding_device: str = "cpu"
    # bf16 matmuls in the encoder (fp32 weights, layer norms and softmax): vectors within 1e-4 cosine of fp32,
    # about 1.6x faster where the CPU has native bf16 (AVX512-BF16 or AMX); "auto" uses it only there
    embedding_precision: Precision = "auto"
    # calls of at most this many texts (a search's claim) run through the model's ONNX export, where PyTorch's
    # per-operator overhead would dominate (same vectors, about 2x faster for one claim); 0: always PyTorch
    embedding_onnx_max_texts: int = 4

    index_type: IndexType = "auto"  # auto: exact below 100k passages, HNSW from there
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    ivf_nlist: int = 0  # 0: about 4 * sqrt(passages)
    ivf_nprobe: int = 16

    chunk_max_chars: int = 700
    chunk_overlap_sentences: int = 1
    max_document_chars: int = 2_000_000
    max_passages_per_document: int = 10_000
    max_record_bytes: int = 10_000_000  # one JSONL line, CSV row, or text/HTML/JSON file read whole
    store_lock_timeout_s: float = 600.0  # wait this long for another process's write to the store, then fail
    # wait this long for another process holding a DuckDB file (reports, evidence), then fail; logged after 1 s
    db_lock_timeout_s: float = 60.0
    # HMAC-SHA256 key of backups: export signs manifest.json (manifest.sig), import refuses a backup not signed
    # with it; unset: checksums only (they detect damage, not tampering)
    backup_key: SecretStr | None = None

    fetch_timeout_s: float = 15.0  # the longest wait for any one read from the server
    fetch_connect_timeout_s: float = 10.0
    fetch_total_timeout_s: float = 30.0  # one attempt, redirects included, headers and body; not retried
    fetch_max_bytes: int = 5_000_000
    fetch_max_redirects: int = 5
    fetch_retries: int = 2  # more tries after a retryable failure (timeout, connection error, 429, 5xx)
    fetch_backoff_s: float = 1.0  # wait before the first retry; doubles each time
    fetch_allow_private: bool = False  # allow loopback, private, link-local and metadata addresses
    fetch_allowed_networks: list[IPvAnyNetwork] = []  # or only these networks, e.g. ["10.1.2.0/24"]
    fetch_user_agent: str = "Sanad/0.1 (+https://github.com/sanad-factcheck/sanad)"

    @property
    def models_dir(self) -> Path:
        """Folder of locally built models."""
        return self.home / "models"

    @property
    def store_dir(self) -> Path:
        """Folder of the default evidence store."""
        return self.home / "evidence"
