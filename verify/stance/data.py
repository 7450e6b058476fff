"""The training mix and dev sets of the stance model, read from the shared third-party data.

Labels are indexes into ``LABELS`` (0 supports, 1 refutes, 2 neutral). ANS dev and SciFact dev
never enter training; Climate-FEVER and COVID-Fact claims whose id hashes into the held-out
fifth (``is_held_out``) and the FEVER-Symmetric test split are kept out too, for evaluation.
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

# How many pairs of each source enter the mix (per class where a tuple: supports, refutes, neutral).
MIX: dict[str, tuple[int, int, int]] = {
    "scifact": (300, 250, 250),
    "climatefever": (300, 300, 300),
    "feversym": (200, 200, 0),
    "covidfact": (150, 150, 0),
    "xnli_ar": (200, 200, 200),
    "xnli_en": (100, 100, 100),
    "xnli_cross": (100, 100, 100),
    "arnli": (134, 133, 133),
    "arbteds": (100, 0, 100),
    "fnc1": (100, 100, 100),
}
ANS_RANDOM_NEGATIVES = 300
NUMBER_FLIPS = 200


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


def xnli_cross_pairs(data: Path) -> list[StanceExample]:
    """Arabic XNLI hypotheses against the aligned English premises (cross-lingual evidence)."""
    english = {r["pair_id"]: r for r in read_jsonl(data / "nli_xnli_en_dev.jsonl")}
    return [
        StanceExample(r["hypothesis"], english[r["pair_id"]]["premise"], _NLI_LABELS[r["label"]], "ar-en", "xnli_cross")
        for r in read_jsonl(data / "nli_xnli_ar_dev.jsonl")
        if r["pair_id"] in english
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


def number_flips(pairs: list[StanceExample], count: int, rng: random.Random) -> list[StanceExample]:
    """Supporting pairs whose claim quotes a number of the passage, with that number changed: refutes."""
    candidates = [p for p in pairs if p.label == SUPPORTS and numbers(p.claim) & numbers(p.passage)]
    out = []
    for pair in rng.sample(candidates, min(count, len(candidates))):
        shared = sorted(numbers(pair.claim) & numbers(pair.passage))
        old = rng.choice(shared)
        if not old.isdigit():
            continue
        new = str(int(old) + rng.choice([-1, 1]) * rng.randint(1, max(2, int(old) // 3 + 1)))
        if new == old or new.startswith("-") or new in numbers(pair.passage):
            continue
        claim = re.sub(rf"(?<!\d){re.escape(old)}(?!\d)", new, pair.claim, count=1)
        out.append(StanceExample(claim, pair.passage, REFUTES, pair.language, "number_flip"))
    return out


def training_mix(data: Path, seed: int) -> list[StanceExample]:
    """The balanced multilingual training mix (about 7.6k pairs), shuffled with ``seed``."""
    rng = random.Random(seed)
    ans = ans_pairs(data, "train")
    pools = {
        "scifact": scifact_pairs(data, "train"),
        "climatefever": climatefever_pairs(data, held_out=False),
        "feversym": feversym_pairs(data, "dev"),
        "covidfact": covidfact_pairs(data, held_out=False),
        "xnli_ar": nli_pairs(data / "nli_xnli_ar_dev.jsonl", "xnli_ar", "ar"),
        "xnli_en": nli_pairs(data / "nli_xnli_en_dev.jsonl", "xnli_en", "en"),
        "xnli_cross": xnli_cross_pairs(data),
        "arnli": nli_pairs(data / "nli_arnli_ar_train.jsonl", "arnli", "ar"),
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
    """Pair-level dev sets used for model selection (never trained on)."""
    return {"ans_dev": ans_pairs(data, "dev"), "scifact_dev": scifact_pairs(data, "dev")}


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
