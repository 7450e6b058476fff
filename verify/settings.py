"""The application's settings: the evidence store's plus verification and reports."""

from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from evidence_store.embedding.gemma_rebuild import GEMMA_MODEL_NAME
from evidence_store.settings import Precision, StoreSettings

StanceBackend = Literal["trained", "cross-encoder", "llm"]


class Settings(StoreSettings):
    """Everything Sanad reads from ``SANAD_*`` environment variables (data under ``SANAD_HOME``)."""

    max_article_chars: int = 3_000_000

    # claims: which sentences become claims, how many, and the check-worthiness head that ranks them
    claims_min_checkworthiness: float = 0.5  # claims scoring below this are not returned
    claims_max_per_article: int = 50
    claims_min_words: int = 5  # shorter sentences are not claims
    claims_split_min_words: int = 25  # sentences this long may split into independent clauses
    claims_max_candidates: int = 1000  # sentences scored by the model; more are pre-ranked by their cues first
    checkworthy_model: Path | None = None  # shared head (.npz), language heads beside it (head_en.npz); None: shipped

    # stance: the trained e5 LoRA cross-encoder (default), any sentence-transformers CrossEncoder, or an LLM judge
    stance_backend: StanceBackend = "trained"
    stance_model_dir: Path | None = None  # trained model folder; None: the one shipped in verify/models/stance
    stance_cross_encoder: str | None = None  # CrossEncoder name or path for backend "cross-encoder"
    stance_batch_size: int = 32
    stance_quantize: bool = False  # dynamic int8 linear layers: faster, but measured far less accurate on Arabic
    # bf16 matmuls (fp32 weights, layer norms and softmax): the same predictions, about 3x faster where the CPU
    # has native bf16 (AVX512-BF16 or AMX); "auto" uses it only there
    stance_precision: Precision = "auto"
    llm_base_url: str = "http://127.0.0.1:8000/v1"  # OpenAI-compatible chat API
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 30.0
    llm_retries: int = 2

    # verdicts: passages below relevance_floor cannot decide; full weight from relevance_full up
    verdict_relevance_floor: float = 0.76
    verdict_relevance_full: float = 0.81
    # ... nor can a passage this much (cosine) less relevant than the claim's most relevant passage; wide
    # enough that a negated restatement (about 0.05 less similar than the statement itself) still counts
    verdict_relevance_margin: float = 0.15
    # an opinion-type claim is decided only by passages that assess too, or restate it: at least this relevant
    # (measured: 0.86 keeps every dev set's macro-F1; the sample's topical neighbours of opinions reach 0.853)
    verdict_restatement_relevance: float = 0.86
    verdict_min_strength: float = 0.3  # weakest gated stance probability that may decide a verdict
    verdict_conflict_strength: float = 0.6  # both sides this strong: disputed, flagged conflicting
    verdict_top_k: int = 5  # passages retrieved per claim
    verdict_max_citations: int = 3

    # prior fact-checks: a claim matched to a published fact-check of the same claim takes its rating
    prior_checks: bool = True
    # claims and fact-checks are compared with EmbeddingGemma: recall@1 0.85 on held-out fact-check titles, against
    # 0.79 with e5 (model card); another model needs a matching model fitted on it in verify/models/prior_match
    prior_match_embedding_model: str = GEMMA_MODEL_NAME
    prior_match_threshold: float | None = None  # P(same claim) from which a match counts; None: the fitted one

    # reports: the newsroom that publishes the ClaimReview exports (unset: the export refuses rather than publish
    # under Sanad's name), its logo, and the address of each review ({claim_id} is URL-quoted)
    organisation_name: str | None = None
    organisation_url: str | None = None
    organisation_logo_url: str | None = None
    claimreview_url_template: str = "{organisation_url}#claim-{claim_id}"

    @property
    def reports_db(self) -> Path:
        """DuckDB file of runs, claims, verdicts and reviews."""
        return self.home / "reports.duckdb"
