"""The network's committed format: LoRA matrices and head in fp16 plus stance.json, rebuilt on the base e5."""

import numpy as np
import pytest
import torch

from evidence_store.embedding.embedder import ensure_default_model
from verify.stance.inference import encode_pairs, feature_matrix, predict_probabilities
from verify.stance.network import StanceConfig, load_network, new_network, read_config, save_network

pytestmark = pytest.mark.slow


def test_saved_adapter_reloads_merged_with_the_same_outputs(settings, tmp_path):
    from transformers import AutoTokenizer

    base = ensure_default_model(settings)
    config = StanceConfig(max_length=64)
    torch.manual_seed(0)
    network = new_network(base, config)
    with torch.no_grad():  # make the adapters matter: LoRA's B starts at zero
        for name, param in network.encoder.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.02)
    network.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    claims = ["أجنحة الشام تخضع لعقوبات أمريكية", "The airport reopened on Monday."]
    passages = ["The US Treasury sanctioned Cham Wings in 2016.", "The airport stayed closed."]
    encoded = encode_pairs(tokenizer, config, claims, passages)
    features = feature_matrix(claims, passages, [0.9, 0.85])
    before = predict_probabilities(network, encoded, features, tokenizer.pad_token_id)

    save_network(network, config, tmp_path)
    assert (tmp_path / "adapter.safetensors").stat().st_size < 5_000_000
    assert read_config(tmp_path).max_length == 64
    merged, _ = load_network(base, tmp_path, merge=True)
    after = predict_probabilities(merged, encoded, features, tokenizer.pad_token_id)
    np.testing.assert_allclose(after, before, atol=2e-3)
    assert not np.allclose(before[0], before[1], atol=1e-3)


def test_missing_model_folder_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="sanad train stance"):
        read_config(tmp_path)


def test_adapters_start_at_first_layer_and_cached_lower_states_give_the_same_logits(settings):
    from transformers import AutoTokenizer

    from verify.stance.inference import collate
    from verify.stance.network import LoraSettings

    base = ensure_default_model(settings)
    config = StanceConfig(max_length=64, lora=LoraSettings(first_layer=4))
    torch.manual_seed(0)
    network = new_network(base, config)
    adapted = {
        int(name.split(".layer.")[1].split(".")[0]) for name, p in network.encoder.named_parameters() if p.requires_grad
    }
    assert adapted == set(range(4, 12))
    network.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    claims, passages = ["أجنحة الشام تخضع لعقوبات أمريكية", "It reopened."], ["Cham Wings was sanctioned.", "It shut."]
    batch = collate(encode_pairs(tokenizer, config, claims, passages), feature_matrix(claims, passages, [0.9, 0.8]), 1)
    with torch.no_grad():
        whole = network(batch)
        lower = network.lower_states(batch, 4)
        upper = network.forward_from(lower, batch["attention_mask"], batch["features"], 4)
    torch.testing.assert_close(upper, whole)
