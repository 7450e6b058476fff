"""The default stance backend: Sanad's own e5 + LoRA cross-encoder, loaded lazily once per process."""

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from evidence_store.embedding.embedder import ensure_default_model
from evidence_store.embedding.precision import use_bf16
from verify.calibration import Calibration
from verify.model_versions import stance_model_dir
from verify.relevance import pair_similarities
from verify.settings import Settings
from verify.stance.inference import encode_pairs, feature_matrix, predict_probabilities
from verify.stance.litotes import affirm_continuation
from verify.stance.network import WEIGHTS_FILE, StanceConfig, load_network, read_config
from verify.stance.protocol import StancePair, scores_from_probabilities
from verify.types import StanceScore


class TrainedCrossEncoder:
    """e5-small with the committed LoRA adapter folded in, contrast features and an MLP head."""

    def __init__(self, settings: Settings, folder: Path | None = None) -> None:
        self.settings = settings
        self.folder = folder or stance_model_dir(settings)
        self.config: StanceConfig = read_config(self.folder)
        digest = hashlib.sha256((self.folder / WEIGHTS_FILE).read_bytes()).hexdigest()[:10]
        self.name = f"sanad-stance-e5-lora@{digest}"
        self._network = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self.bf16 = use_bf16(settings.stance_precision)

    @property
    def calibration(self) -> Calibration:
        """Verdict calibration fitted on dev claims with this model (identity if none was fitted)."""
        return Calibration.model_validate(self.config.calibration) if self.config.calibration else Calibration()

    def warm_up(self) -> None:
        """Load the base encoder, fold in the adapter, and quantise if configured (once)."""
        with self._lock:
            if self._network is not None:
                return
            import torch
            from transformers import AutoTokenizer

            base = ensure_default_model(self.settings)
            network, _ = load_network(base, self.folder)
            if self.settings.stance_quantize:
                network = torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
            self._tokenizer = AutoTokenizer.from_pretrained(str(base))
            self._network = network

    def score(
        self, pairs: Sequence[StancePair], on_progress: Callable[[int, int], None] | None = None
    ) -> list[StanceScore]:
        """Stance probabilities of each pair; missing similarities are computed with the e5 bi-encoder.

        Negated verbs of stopping are read as continuation first (``verify.stance.litotes``).
        """
        if not pairs:
            return []
        self.warm_up()
        claims = [affirm_continuation(p.claim) for p in pairs]
        passages = [affirm_continuation(p.passage) for p in pairs]
        similarities = np.array([np.nan if p.similarity is None else p.similarity for p in pairs], dtype=np.float32)
        missing = np.isnan(similarities)
        if missing.any():
            rows = np.flatnonzero(missing)
            similarities[rows] = pair_similarities(
                [claims[i] for i in rows], [passages[i] for i in rows], self.settings
            )
        encoded = encode_pairs(self._tokenizer, self.config, claims, passages)
        probabilities = predict_probabilities(
            self._network,
            encoded,
            feature_matrix(claims, passages, similarities, self.config.features),
            self._tokenizer.pad_token_id,
            batch_size=self.settings.stance_batch_size,
            on_progress=on_progress,
            bf16=self.bf16,
        )
        return scores_from_probabilities(probabilities)
