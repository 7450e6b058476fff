"""The training mix and dev sets of the stance model, read from the shared third-party data.

Labels are indexes into ``LABELS`` (0 supports, 1 refutes, 2 neutral). Languages are "ar", "en",
or "ar-en" / "en-ar" for a cross-lingual pair (claim language, then passage language). ANS dev and
SciFact dev never enter training; Climate-FEVER and COVID-Fact claims whose id hashes into the
held-out fifth (``is_held_out``), the FEVER-Symmetric test split, and the XNLI premises of the
cross-lingual dev set (``is_xnli_dev``, in every language) are kept out too, for evaluation.
"""

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from verify.stance.features import numbers

SUPPORTS, REFUTES, NEUTRAL = 0, 1, 2
_CLAIM_LABELS = {"supported": SUPPORTS, "disputed": REFUTES, "unverified": NEUTRAL}
_NLI_LABELS = {"entailment": SUPPORTS, "contradiction": REFUTES, "neutral": NEUTRAL}
_EVIDENCE_LABELS = {
    "SUPPORT": SUPPORTS,
    "SUPPORTS": SUPPORTS,
    "CONTRADICT": REFUTES,
    "REFUTES": REFUTES,
    "NEI_cited_abstract": NEUTRAL,
    "NOT_ENOUGH_INFO": NEUTRAL,
}
_FNC_LABELS = {"agree": SUPPORTS, "disagree": REFUTES, "discuss": NEUTRAL, "unrelated": NEUTRAL}

# How many pairs of each source enter the mix (per class: supports, refutes, neutral).
MIX: dict[str, tuple[int, int, int]] = {
    "ans_swapped": (903, 0, 0),
    "scifact": (300, 250, 250),
    "climatefever": (300, 300, 300),
    "feversym": (200, 200, 0),
    "covidfact": (150, 150, 0),
    "xnli_ar": (200, 200, 200),
    "xnli_en": (100, 100, 100),
    "xnli_ar_en": (400, 400, 400),
    "xnli_en_ar": (400, 400, 400),
    "arnli": (134, 133, 133),
    "arnli_ar_en": (100, 100, 100),
    "arnli_en_ar": (100, 100, 100),
    "arbteds": (100, 0, 100),
    "fnc1": (100, 100, 100),
}
ANS_RANDOM_NEGATIVES = 300
NUMBER_FLIPS = 700


@dataclass(frozen=True)
class StanceExample:
    """One labelled (claim, passage) pair and where it came from."""

    claim: str
    passage: str
    label: int
    language: str
    source: str


def is_held_out(claim_id: str) -> bool:
    """Whether a claim of a split-less set (Climate-FEVER, COVID-Fact) is reserved for evaluation."""
    return int(hashlib.sha256(claim_id.encode()).hexdigest(), 16) % 5 == 0


def read_jsonl(path: Path) -> Iterator[dict]:
    """Records of a JSONL file (blank lines skipped)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _rejoin_clitics(text: str) -> str:
    """ArbTEDS is clitic-segmented ('ل كأس', 'نظير ه'): glue the pieces back as in raw news text."""
    text = re.sub(r"(?<!\S)([وفبلكس]) (?=\S)", r"\1", text)
    return re.sub(r"(?<=\S) (ه|ها|هم|هما|هن|ك|كم|ي|نا)(?!\S)", r"\1", text)


def ans_pairs(data: Path, split: str) -> list[StanceExample]:
    """ANS claims against their source headline."""
    return [
        StanceExample(r["claim"], r["evidence"][0]["text"], _CLAIM_LABELS[r["label"]], "ar", f"ans_{split}")
        for r in read_jsonl(data / f"claims_ans_ar_{split}.jsonl")
    ]


def ans_random_negatives(pairs: list[StanceExample], count: int, rng: random.Random) -> list[StanceExample]:
    """Claims paired with another claim's headline: unrelated, so neutral."""
    out = []
    headlines = sorted({p.passage for p in pairs})
    for pair in rng.sample(pairs, count):
        other = rng.choice(headlines)
        while other == pair.passage:
            other = rng.choice(headlines)
        out.append(StanceExample(pair.claim, other, NEUTRAL, "ar", "ans_random"))
    return out


def ans_swapped(pairs: list[StanceExample]) -> list[StanceExample]:
    """Headline as the claim and its paraphrase as the passage: a paraphrase supports both ways."""
    return [StanceExample(p.passage, p.claim, p.label, p.language, "ans_swapped") for p in pairs if p.label == SUPPORTS]


def scifact_pairs(data: Path, split: str) -> list[StanceExample]:
    """SciFact claims against each cited abstract, with the abstract's own label."""
    out = []
    for r in read_jsonl(data / "claims_scifact_en.jsonl"):
        if r.get("split") != split:
            continue
        for evidence in r["evidence"]:
            label = _EVIDENCE_LABELS[evidence["evidence_label"]]
            out.append(StanceExample(r["claim"], evidence["text"], label, "en", f"scifact_{split}"))
    return out


def climatefever_pairs(data: Path, held_out: bool) -> list[StanceExample]:
    """Climate-FEVER claims against each evidence sentence, with the sentence's label."""
    return [
        StanceExample(r["claim"], e["text"], _EVIDENCE_LABELS[e["evidence_label"]], "en", "climatefever")
        for r in read_jsonl(data / "claims_climatefever_en.jsonl")
        if is_held_out(r["id"]) == held_out
        for e in r["evidence"]
    ]


def feversym_pairs(data: Path, split: str) -> list[StanceExample]:
    """FEVER-Symmetric counterfactual pairs of one split."""
    return [
        StanceExample(r["claim"], r["evidence"][0]["text"], _CLAIM_LABELS[r["label"]], "en", "feversym")
        for r in read_jsonl(data / "claims_feversym_en.jsonl")
        if r.get("split") == split
    ]


def covidfact_pairs(data: Path, held_out: bool) -> list[StanceExample]:
    """COVID-Fact claims against their evidence sentences joined into one passage."""
    return [
        StanceExample(
            r["claim"], " ".join(e["text"] for e in r["evidence"]), _CLAIM_LABELS[r["label"]], "en", "covidfact"
        )
        for r in read_jsonl(data / "claims_covidfact_en.jsonl")
        if is_held_out(r["id"]) == held_out
    ]


def nli_pairs(path: Path, source: str, language: str) -> list[StanceExample]:
    """NLI pairs: the hypothesis is the claim, the premise the evidence."""
    return [
        StanceExample(r["hypothesis"], r["premise"], _NLI_LABELS[r["label"]], language, source)
        for r in read_jsonl(path)
    ]


def is_xnli_dev(premise_en: str) -> bool:
    """Whether an XNLI premise (English text) belongs to the cross-lingual dev set (about a fifth)."""
    return int(hashlib.sha256(premise_en.encode()).hexdigest(), 16) % 5 == 0


def xnli_pairs(data: Path, language: str, dev: bool) -> list[StanceExample]:
    """XNLI pairs in ``language`` ("ar", "en", "ar-en", "en-ar"), aligned by ``pair_id``.

    ``dev`` picks the premises of the cross-lingual dev set, otherwise the rest; a premise is on
    one side in every language, so no translation of a dev pair is trained on.
    """
    english = {r["pair_id"]: r for r in read_jsonl(data / "nli_xnli_en_dev.jsonl")}
    arabic = {r["pair_id"]: r for r in read_jsonl(data / "nli_xnli_ar_dev.jsonl")}
    claim_language, _, passage_language = language.partition("-")
    source = "xnli_" + language.replace("-", "_")
    out = []
    for pair_id, en in english.items():
        if pair_id not in arabic or is_xnli_dev(en["premise"]) != dev:
            continue
        by_language = {"ar": arabic[pair_id], "en": en}
        claim = by_language[claim_language]["hypothesis"]
        passage = by_language[passage_language or claim_language]["premise"]
        out.append(StanceExample(claim, passage, _NLI_LABELS[en["label"]], language, source))
    return out


def arnli_cross_pairs(data: Path, language: str) -> list[StanceExample]:
    """ArNLI train pairs across languages through their English originals ("ar-en" or "en-ar")."""
    claim_key, passage_key = ("hypothesis", "premise_en") if language == "ar-en" else ("hypothesis_en", "premise")
    return [
        StanceExample(
            r[claim_key], r[passage_key], _NLI_LABELS[r["label"]], language, f"arnli_{language.replace('-', '_')}"
        )
        for r in read_jsonl(data / "nli_arnli_ar_train.jsonl")
        if r.get(claim_key) and r.get(passage_key)
    ]


def arbteds_pairs(data: Path) -> list[StanceExample]:
    """ArbTEDS news lead / headline pairs, clitics re-joined."""
    return [
        StanceExample(
            _rejoin_clitics(r["hypothesis"]), _rejoin_clitics(r["premise"]), _NLI_LABELS[r["label"]], "ar", "arbteds"
        )
        for r in read_jsonl(data / "nli_arbteds_ar_train.jsonl")
    ]


def fnc1_pairs(data: Path) -> list[StanceExample]:
    """FNC-1 headline against article body (unrelated pairs kept few: they are easy)."""
    rows = list(read_jsonl(data / "nli_fnc1_en_competitiontest.jsonl"))
    return [
        StanceExample(r["hypothesis"], r["premise"], _FNC_LABELS[r["original_label"]], "en", "fnc1")
        for r in rows
        if r["original_label"] != "unrelated" or int(r["id"].rsplit("-", 1)[-1]) % 4 == 0
    ]


def sample_per_class(
    pairs: list[StanceExample], counts: tuple[int, int, int], rng: random.Random
) -> list[StanceExample]:
    """Up to ``counts[label]`` pairs of each label, drawn without replacement."""
    out = []
    for label, count in enumerate(counts):
        pool = [p for p in pairs if p.label == label]
        out.extend(rng.sample(pool, min(count, len(pool))))
    return out


_MONTHS = (
    "January February March April May June July August September October November December".split(),
    "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),
)


def _replace_number(text: str, old: str, new: str) -> str:
    """``text`` with the first standalone number ``old`` (ASCII or Arabic-Indic digits) now ``new``, same digits.

    A number glued to Latin letters (CO2, 21st) is left alone.
    """
    for digits in ("0123456789", "٠١٢٣٤٥٦٧٨٩"):
        table = str.maketrans("0123456789", digits)
        pattern = rf"(?<![A-Za-z\d]){re.escape(old.translate(table))}(?![A-Za-z\d])"
        changed = re.sub(pattern, new.translate(table), text, count=1)
        if changed != text:
            return changed
    return text


def _changed_number(old: str, rng: random.Random) -> str:
    """Another plausible value: a year moved by a few years, a count shifted or scaled."""
    value = int(old)
    if 1800 <= value <= 2099:
        return str(value + rng.choice([-1, 1]) * rng.randint(1, 6))
    if rng.random() < 0.5:
        return str(value * rng.randint(2, 10) if value < 1000 or rng.random() < 0.5 else value // rng.randint(2, 10))
    return str(value + rng.choice([-1, 1]) * rng.randint(1, max(2, value // 3 + 1)))


def _flip_number(pair: StanceExample, rng: random.Random) -> str | None:
    shared = sorted(n for n in numbers(pair.claim) & numbers(pair.passage) if n.isdigit())
    if not shared:
        return None
    old = rng.choice(shared)
    new = _changed_number(old, rng)
    if new == old or int(new) <= 0 or new in numbers(pair.passage):
        return None
    return _replace_number(pair.claim, old, new)


def _flip_month(pair: StanceExample, rng: random.Random) -> str | None:
    for months in _MONTHS:
        shared = [m for m in months if re.search(rf"\b{m}\b", pair.claim) and m in pair.passage]
        if shared:
            old = rng.choice(shared)
            new = rng.choice([m for m in months if m != old and m not in pair.passage])
            return re.sub(rf"\b{old}\b", new, pair.claim, count=1)
    return None


def number_flips(pairs: list[StanceExample], count: int, rng: random.Random) -> list[StanceExample]:
    """Supporting pairs whose claim quotes a number, year or month of the passage, changed: refutes.

    A claim the substitution leaves unchanged (a number written with separators, say) is skipped.
    """
    candidates = [p for p in pairs if p.label == SUPPORTS and p.source != "number_flip"]
    out = []
    for pair in rng.sample(candidates, len(candidates)):
        claim = _flip_number(pair, rng) or _flip_month(pair, rng)
        if claim is not None and claim != pair.claim:
            out.append(StanceExample(claim, pair.passage, REFUTES, pair.language, "number_flip"))
        if len(out) == count:
            break
    return out


def training_mix(data: Path, seed: int) -> list[StanceExample]:
    """The balanced multilingual training mix (about 12k pairs), shuffled with ``seed``."""
    rng = random.Random(seed)
    ans = ans_pairs(data, "train")
    pools = {
        "ans_swapped": ans_swapped(ans),
        "scifact": scifact_pairs(data, "train"),
        "climatefever": climatefever_pairs(data, held_out=False),
        "feversym": feversym_pairs(data, "dev"),
        "covidfact": covidfact_pairs(data, held_out=False),
        **{
            f"xnli_{lang.replace('-', '_')}": xnli_pairs(data, lang, dev=False)
            for lang in ("ar", "en", "ar-en", "en-ar")
        },
        "arnli": nli_pairs(data / "nli_arnli_ar_train.jsonl", "arnli", "ar"),
        "arnli_ar_en": arnli_cross_pairs(data, "ar-en"),
        "arnli_en_ar": arnli_cross_pairs(data, "en-ar"),
        "arbteds": arbteds_pairs(data),
        "fnc1": fnc1_pairs(data),
    }
    mix = ans + ans_random_negatives(ans, ANS_RANDOM_NEGATIVES, rng)
    for name, counts in MIX.items():
        mix.extend(sample_per_class(pools[name], counts, rng))
    mix.extend(number_flips(mix, NUMBER_FLIPS, rng))
    rng.shuffle(mix)
    return mix


def dev_sets(data: Path) -> dict[str, list[StanceExample]]:
    """Pair-level dev sets used for model selection (never trained on); cross-lingual: both directions."""
    return {
        "ans_dev": ans_pairs(data, "dev"),
        "scifact_dev": scifact_pairs(data, "dev"),
        "xnli_cross_dev": xnli_pairs(data, "ar-en", dev=True) + xnli_pairs(data, "en-ar", dev=True),
    }


def in_training_data(dataset: str, claim_id: str, split: str | None) -> bool:
    """Whether the stance model's training mix may contain pairs of this claim (ANS, SciFact, FEVER-Sym by split)."""
    if dataset == "ans_stance":
        return split == "train"
    if dataset == "scifact":
        return split == "train"
    if dataset.startswith("fever_symmetric"):
        return split == "dev"
    if dataset in ("climate_fever", "covidfact"):
        return not is_held_out(claim_id)
    return False
