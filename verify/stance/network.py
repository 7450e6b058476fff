"""The stance cross-encoder: e5 encoder with LoRA, mean pooling, contrast features, a small MLP head.

Committed files (``verify/models/stance/``): ``stance.json`` (settings, label order, calibration)
and ``adapter.safetensors`` (LoRA matrices and head, fp16). The base encoder is rebuilt from PyPI
wheels by ``evidence_store.embedding.embedder.ensure_default_model``.
"""

import json
from pathlib import Path

import torch
from pydantic import BaseModel, ConfigDict
from safetensors.torch import load_file, save_file
from torch import nn

from evidence_store.errors import InvalidInput
from verify.stance.features import FEATURE_NAMES
from verify.stance.protocol import LABELS

CONFIG_FILE, WEIGHTS_FILE = "stance.json", "adapter.safetensors"
_HEAD_PREFIX = "head."


class LoraSettings(BaseModel):
    """Where and how large the low-rank adapters are."""

    model_config = ConfigDict(frozen=True)

    r: int = 16
    alpha: int = 32
    dropout: float = 0.1
    targets: tuple[str, ...] = ("query", "key", "value", "dense")
    first_layer: int = 0  # encoder layers below this one carry no adapter (frozen as built)


class StanceConfig(BaseModel):
    """Everything needed to rebuild the network around the base encoder, plus its calibration."""

    model_config = ConfigDict(frozen=True, extra="allow")

    format: int = 1
    base_model: str = "intfloat/multilingual-e5-small"
    labels: tuple[str, ...] = LABELS
    features: tuple[str, ...] = FEATURE_NAMES
    max_length: int = 192
    claim_prefix: str = "query: "
    passage_prefix: str = "passage: "
    head_hidden: int = 256
    lora: LoraSettings = LoraSettings()
    training: dict = {}
    dev_scores: dict = {}
    calibration: dict = {}


class StanceHead(nn.Module):
    """Pooled pair embedding + contrast features -> three logits."""

    def __init__(self, hidden: int, features: int, inner: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Dropout(0.1), nn.Linear(hidden + features, inner), nn.GELU(), nn.Dropout(0.1), nn.Linear(inner, 3)
        )

    def forward(self, pooled: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([pooled, features], dim=-1))


class StanceNetwork(nn.Module):
    """Encoder (optionally LoRA-wrapped) and head; ``forward`` returns logits over ``LABELS``."""

    def __init__(self, encoder: nn.Module, head: StanceHead) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        mask = batch["attention_mask"]
        hidden = self.encoder(
            input_ids=batch["input_ids"], attention_mask=mask, token_type_ids=batch.get("token_type_ids")
        ).last_hidden_state
        return self._classify(hidden, mask, batch["features"])

    def _classify(self, hidden: torch.Tensor, mask: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.head(pooled, features)

    def _bert(self) -> nn.Module:
        return self.encoder.get_base_model() if hasattr(self.encoder, "get_base_model") else self.encoder

    def lower_states(self, batch: dict[str, torch.Tensor], layers: int) -> torch.Tensor:
        """Hidden states after the embeddings and the first ``layers`` encoder layers."""
        bert = self._bert()
        hidden = bert.embeddings(input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids"))
        return self._run_layers(hidden, batch["attention_mask"], range(layers))

    def forward_from(
        self, hidden: torch.Tensor, mask: torch.Tensor, features: torch.Tensor, layer: int
    ) -> torch.Tensor:
        """Logits from hidden states after ``layer`` encoder layers (training on cached frozen layers)."""
        count = len(self._bert().encoder.layer)
        return self._classify(self._run_layers(hidden, mask, range(layer, count)), mask, features)

    def _run_layers(self, hidden: torch.Tensor, mask: torch.Tensor, layers: range) -> torch.Tensor:
        from transformers.masking_utils import create_bidirectional_mask

        bert = self._bert()
        attention = create_bidirectional_mask(config=bert.config, inputs_embeds=hidden, attention_mask=mask)
        for index in layers:
            hidden = bert.encoder.layer[index](hidden, attention)
        return hidden


def load_base_encoder(base_dir: Path) -> nn.Module:
    """The plain BERT encoder of the rebuilt e5 folder (no pooler)."""
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    return AutoModel.from_pretrained(str(base_dir), add_pooling_layer=False)


def new_network(base_dir: Path, config: StanceConfig) -> StanceNetwork:
    """A fresh trainable network: LoRA on the encoder (base frozen), new head."""
    from peft import LoraConfig, get_peft_model

    encoder = load_base_encoder(base_dir)
    layers = encoder.config.num_hidden_layers
    lora = LoraConfig(
        r=config.lora.r,
        lora_alpha=config.lora.alpha,
        lora_dropout=config.lora.dropout,
        target_modules=list(config.lora.targets),
        layers_to_transform=list(range(config.lora.first_layer, layers)) if config.lora.first_layer else None,
        layers_pattern="layer" if config.lora.first_layer else None,
    )
    encoder = get_peft_model(encoder, lora)
    hidden = encoder.config.hidden_size
    return StanceNetwork(encoder, StanceHead(hidden, len(config.features), config.head_hidden))


def save_network(network: StanceNetwork, config: StanceConfig, folder: Path) -> None:
    """Write the LoRA matrices and head in fp16 plus ``stance.json`` into ``folder``."""
    from peft import get_peft_model_state_dict

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {
        k: v.detach().to(torch.float16).contiguous() for k, v in get_peft_model_state_dict(network.encoder).items()
    }
    tensors.update(
        {_HEAD_PREFIX + k: v.detach().to(torch.float16).contiguous() for k, v in network.head.state_dict().items()}
    )
    save_file(tensors, str(folder / WEIGHTS_FILE))
    write_config(config, folder)


def write_config(config: StanceConfig, folder: Path) -> None:
    """Write ``stance.json`` (pretty, stable key order)."""
    (folder / CONFIG_FILE).write_text(json.dumps(config.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")


def read_config(folder: Path) -> StanceConfig:
    """Read ``stance.json`` of a trained model folder."""
    path = folder / CONFIG_FILE
    if not path.exists():
        raise FileNotFoundError(f"no stance model at {folder} (missing {CONFIG_FILE}); run 'sanad train stance'")
    return StanceConfig.model_validate_json(path.read_text())


def load_network(base_dir: Path, folder: Path, merge: bool = True) -> tuple[StanceNetwork, StanceConfig]:
    """The trained network in eval mode; with ``merge`` the adapters are folded into the base weights."""
    from peft import set_peft_model_state_dict

    config = read_config(folder)
    network = new_network(base_dir, config)
    tensors = load_file(str(folder / WEIGHTS_FILE))
    adapter = {k: v.float() for k, v in tensors.items() if not k.startswith(_HEAD_PREFIX)}
    head = {k[len(_HEAD_PREFIX) :]: v.float() for k, v in tensors.items() if k.startswith(_HEAD_PREFIX)}
    result = set_peft_model_state_dict(network.encoder, adapter)
    if getattr(result, "unexpected_keys", None):
        raise InvalidInput(f"stance adapter at {folder} does not fit the base encoder: {result.unexpected_keys[:3]}")
    network.head.load_state_dict(head)
    if merge:
        network.encoder = network.encoder.merge_and_unload()
    network.eval()
    return network, config
