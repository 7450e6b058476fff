import json

from tests.conftest import shared_file
from verify.stance.data import _rejoin_clitics, in_training_data, is_held_out, training_mix


def test_clitic_segmented_arabic_is_glued_back():
    assert _rejoin_clitics("أعلن أن ه سيتقدم ب شكوى إلى الإتحاد الدولي ل كرة القدم") == (
        "أعلن أنه سيتقدم بشكوى إلى الإتحاد الدولي لكرة القدم"
    )


def test_training_membership_follows_the_splits():
    assert in_training_data("ans_stance", "ans:train:1", "train")
    assert not in_training_data("ans_stance", "ans:dev:1", "dev")
    assert not in_training_data("scifact", "scifact:dev:1", "dev")
    assert in_training_data("fever_symmetric_v0.2", "x", "dev")
    assert not in_training_data("fever_symmetric_v0.2", "x", "test")
    held = next(f"climate_fever:{i}" for i in range(100) if is_held_out(f"climate_fever:{i}"))
    assert not in_training_data("climate_fever", held, None)


def test_mix_is_seeded_balanced_and_keeps_dev_claims_out():
    data = shared_file("claims_ans_ar_dev.jsonl").parent
    mix = training_mix(data, seed=13)
    assert mix[:50] == training_mix(data, seed=13)[:50]
    assert mix[:50] != training_mix(data, seed=14)[:50]
    labels = [e.label for e in mix]
    assert min(labels.count(k) for k in range(3)) > 0.2 * len(mix)
    assert {e.language for e in mix} == {"ar", "en", "ar-en"}
    claims = {e.claim for e in mix}
    ans_dev = [json.loads(line)["claim"] for line in (data / "claims_ans_ar_dev.jsonl").open()]
    scifact = list(map(json.loads, (data / "claims_scifact_en.jsonl").open()))
    scifact_dev = {r["claim"] for r in scifact if r.get("split") == "dev"}
    scifact_train = {r["claim"] for r in scifact if r.get("split") == "train"}
    ans_train = {json.loads(line)["claim"] for line in (data / "claims_ans_ar_train.jsonl").open()}
    # (a few claim texts occur in both splits as released; those may appear through the train split)
    assert not (set(ans_dev) - ans_train) & claims
    assert not (scifact_dev - scifact_train) & claims
