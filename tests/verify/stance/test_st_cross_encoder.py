"""Any sentence-transformers CrossEncoder NLI model, with its label order read from its config."""

import pytest
import torch

from verify.stance.protocol import StancePair
from verify.stance.st_cross_encoder import SentenceTransformersCrossEncoder, label_columns, stance_of_label

WORDS = "the airline flies to benghazi does not fly damascus sanctions is under".split()


@pytest.fixture(scope="module")
def tiny_nli_model(tmp_path_factory):
    """A tiny random BERT NLI classifier whose labels are in the order contradiction, entailment, neutral."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    folder = tmp_path_factory.mktemp("tiny-nli")
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = BertTokenizer(str(folder / "vocab.txt"))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        id2label={0: "CONTRADICTION", 1: "entailment", 2: "Neutral"},
        label2id={"CONTRADICTION": 0, "entailment": 1, "Neutral": 2},
    )
    model = BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder, model.eval(), tokenizer


def test_label_names_map_to_stances():
    assert stance_of_label("ENTAILMENT") == "supports"
    assert stance_of_label("contradiction") == "refutes"
    assert stance_of_label("not_enough_info") == "neutral"
    assert label_columns({"0": "contradiction", "1": "entailment", "2": "neutral"}) == {
        "supports": [1],
        "refutes": [0],
        "neutral": [2],
    }
    with pytest.raises(ValueError, match="not an NLI model"):
        label_columns({0: "positive", 1: "negative"})


def test_scores_follow_the_config_label_order(tiny_nli_model):
    folder, model, tokenizer = tiny_nli_model
    backend = SentenceTransformersCrossEncoder(str(folder))
    pairs = [
        StancePair(claim="the airline flies to benghazi", passage="the airline does not fly to benghazi"),
        StancePair(claim="damascus is under sanctions", passage="the airline flies to damascus"),
    ]
    scores = backend.score(pairs)
    with torch.no_grad():
        encoded = tokenizer([p.passage for p in pairs], [p.claim for p in pairs], padding=True, return_tensors="pt")
        expected = torch.softmax(model(**encoded).logits, dim=-1).numpy()
    for score, row in zip(scores, expected, strict=True):
        assert score.refutes == pytest.approx(row[0], abs=1e-4)
        assert score.supports == pytest.approx(row[1], abs=1e-4)
        assert score.neutral == pytest.approx(row[2], abs=1e-4)
    assert backend.name == f"cross-encoder:{folder}"
