import json
import random

from tests.support.shared import shared_file
from verify.stance.features import is_arabic_script
from verify.training.stance_data import (
    REFUTES,
    SUPPORTS,
    StanceExample,
    _rejoin_clitics,
    dev_sets,
    in_training_data,
    is_held_out,
    number_flips,
    training_mix,
    xnli_pairs,
)


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
    assert {e.language for e in mix} == {"ar", "en", "ar-en", "en-ar"}
    claims = {e.claim for e in mix}
    ans_dev = [json.loads(line)["claim"] for line in (data / "claims_ans_ar_dev.jsonl").open()]
    scifact = list(map(json.loads, (data / "claims_scifact_en.jsonl").open()))
    scifact_dev = {r["claim"] for r in scifact if r.get("split") == "dev"}
    scifact_train = {r["claim"] for r in scifact if r.get("split") == "train"}
    ans_train = {json.loads(line)["claim"] for line in (data / "claims_ans_ar_train.jsonl").open()}
    # (a few claim texts occur in both splits as released; those may appear through the train split)
    assert not (set(ans_dev) - ans_train) & claims
    assert not (scifact_dev - scifact_train) & claims


def test_cross_lingual_dev_premises_are_never_trained_on_in_any_language():
    data = shared_file("nli_xnli_ar_dev.jsonl").parent
    dev = dev_sets(data)["xnli_cross_dev"]
    assert {e.language for e in dev} == {"ar-en", "en-ar"} and len(dev) > 600
    dev_texts = {e.passage for e in dev} | {e.claim for e in dev}
    mix = training_mix(data, seed=13)
    assert not dev_texts & ({e.passage for e in mix} | {e.claim for e in mix})
    assert len(xnli_pairs(data, "ar-en", dev=False)) + len(xnli_pairs(data, "ar-en", dev=True)) == 2490


def test_cross_lingual_pairs_put_each_side_in_its_language():
    data = shared_file("nli_xnli_ar_dev.jsonl").parent
    [ar_en, *_] = xnli_pairs(data, "ar-en", dev=False)
    [en_ar, *_] = xnli_pairs(data, "en-ar", dev=False)
    [ar, *_] = xnli_pairs(data, "ar", dev=False)
    assert (ar_en.claim, en_ar.passage) == (ar.claim, ar.passage)  # the same aligned pair
    assert is_arabic_script(ar_en.claim) and not is_arabic_script(ar_en.passage)
    assert not is_arabic_script(en_ar.claim) and is_arabic_script(en_ar.passage)
    assert ar_en.label == en_ar.label == ar.label


def test_number_flips_change_the_number_in_either_digit_form():
    pairs = [
        StanceExample("قتل ١٢ شخصا في حماة", "الدفاع المدني: الزلزال قتل 12 شخصا في حماة", SUPPORTS, "ar", "t"),
        StanceExample("The quake killed 12 people.", "The earthquake killed 12 people in Hama.", SUPPORTS, "en", "t"),
        StanceExample("Talks resumed in March.", "Talks resumed in March in Geneva.", SUPPORTS, "en", "t"),
        StanceExample("CO2 levels rose.", "CO2 levels rose sharply.", SUPPORTS, "en", "t"),
    ]
    flips = number_flips(pairs, 10, random.Random(0))
    assert len(flips) == 3 and all(f.label == REFUTES for f in flips)
    originals = {p.passage: p.claim for p in pairs}
    for flip in flips:
        assert flip.claim != originals[flip.passage]
    arabic = next(f for f in flips if f.language == "ar")
    assert "١٢" not in arabic.claim and any("\u0660" <= ch <= "\u0669" for ch in arabic.claim)
    assert "CO2 levels rose." not in {f.claim for f in flips}
