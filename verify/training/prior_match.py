"""Fit the claim-matching model (``verify/models/prior_match.json``) on real published fact-checks.

Data: the public Arabic ClaimReview file (``claimreview_ar_public.jsonl``, Google Fact Check Tools
records). A review's title (the fact-check's headline) often restates the claim it reviewed, so titles
serve as claims to match against an index of the reviewed claims (a title that denies the claim, "...
ليس ...", is not used); near misses made from each record (`near_misses`: its year or a number changed,
a place swapped, the claim denied) are claims with no match. Records whose id hashes into one fifth
(`is_held_out`) are never fitted on. ANS dev (claims written from news headlines: a paraphrase is the
same claim, a contradiction is not) is measured, never fitted on (`ans_set`); the rule that a record the
stance model reads as refuting the claim is another claim was chosen from its pairs.

First a ranker (`Ranker`: a linear fusion of cosine and BM25) is fitted listwise on the tuning titles,
debunking ones included: each title's own record should come first among the records either retriever
finds. Then every claim's top-5 ranked candidates are labelled (1: its own record, where it has one), and a
logistic model whose weights keep their expected signs (`MATCH_FEATURE_SIGNS`) is fitted on those with
no difference. The threshold is the lowest probability at which the matches declared on the tuning
claims (each claim's most probable candidate with no difference) are right at least
``target_precision`` of the time.

    python -m verify.training.prior_match --data ../shared/data [--embedding-model intfloat/multilingual-e5-small]
"""

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.optimize import minimize

from evidence_store.embedding.embedder import Embedder, load_embedder
from evidence_store.settings import StoreSettings
from evidence_store.types import Passage
from verify.model_versions import match_model_path
from verify.prior.labels import rated_label
from verify.prior.matching import (
    MATCH_FEATURE_SIGNS,
    MATCH_FEATURES,
    RANK_FEATURES,
    FactCheckIndex,
    MatchModel,
    Ranker,
    best_matches,
)
from verify.settings import Settings
from verify.stance.factory import load_stance_model
from verify.stance.features import has_negation
from verify.stance.protocol import StanceModel

_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,6})(?![\d.,])")
# places often swapped in rumours; a near miss replaces the first one a claim names with the next
_PLACES = (
    ("ليبيا", "تونس"),
    ("تونس", "الجزائر"),
    ("الجزائر", "المغرب"),
    ("المغرب", "ليبيا"),
    ("غزة", "الضفة الغربية"),
    ("لبنان", "سوريا"),
    ("سوريا", "العراق"),
    ("العراق", "لبنان"),
    ("مصر", "السودان"),
    ("السودان", "اليمن"),
    ("اليمن", "مصر"),
    ("طرابلس", "بنغازي"),
    ("بنغازي", "طرابلس"),
    ("دمشق", "حلب"),
    ("بيروت", "صيدا"),
    ("إسرائيل", "إيران"),
    ("إيران", "تركيا"),
    ("Libya", "Tunisia"),
    ("Gaza", "the West Bank"),
    ("Lebanon", "Syria"),
    ("Israel", "Iran"),
    ("Europe", "Asia"),
)
_DENIAL = {"ar": "ليس صحيحا أن ", "en": "It is not true that "}


class MatchRecord(BaseModel):
    """One published fact-check of the public file: its id, the claim it reviewed, its title and rating."""

    model_config = ConfigDict(frozen=True)

    record_id: str
    claim_reviewed: str
    title: str | None
    publisher: str | None
    rating: str
    language: str | None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def is_held_out(record_id: str) -> bool:
    """The fifth of the public records never fitted on (by a hash of the id)."""
    return int(hashlib.sha1(record_id.encode()).hexdigest(), 16) % 5 == 0


def read_records(path: Path) -> list[MatchRecord]:
    """The public file's records (first review of each), in file order."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        review = row["reviews"][0]
        records.append(
            MatchRecord(
                record_id=row["id"],
                claim_reviewed=row["claimReviewed"],
                title=(review.get("title") or "").strip() or None,
                publisher=review.get("publisher"),
                rating=review["textualRating"],
                language=review.get("languageCode") or row.get("lang"),
            )
        )
    return records


def title_query(record: MatchRecord, denials: bool) -> str | None:
    """The record's title as a claim to match, unless it is empty, the claim itself, the publisher's name or
    (without ``denials``) a headline that denies the claim."""
    title = (record.title or "").strip().strip('"')
    publisher = (record.publisher or "").strip().strip('"')
    if len(title.split()) < 3 or title == record.claim_reviewed.strip():
        return None
    if publisher and (publisher.startswith(title[:20]) or title.startswith(publisher[:20])):
        return None
    return None if has_negation(title) and not denials else title  # a debunking headline ("... ليس ...")


def as_passage(row: int, record: MatchRecord) -> Passage:
    """A record as the index sees a stored fact-check, with only its reviewed claim (titles are the queries)."""
    return Passage(
        passage_id=row,
        doc_id=record.record_id,
        order=0,
        text=record.claim_reviewed,
        char_start=0,
        char_end=len(record.claim_reviewed),
        language=record.language,
        url=None,
        title=None,
        publisher=record.publisher,
        published_at=None,
        claim_reviewed=record.claim_reviewed,
        rating=record.rating,
    )


def near_misses(text: str, language: str | None) -> Iterator[tuple[str, str]]:
    """(kind, text) variants of a claim that are a different claim on the same topic."""
    if year := _YEAR.search(text):
        changed = str(int(year.group()) - 2)
        yield "year", text[: year.start()] + changed + text[year.end() :]
    for number in _NUMBER.finditer(text):
        if not _YEAR.fullmatch(number.group()):
            changed = str(int(number.group()) * 3 + 7)
            yield "number", text[: number.start()] + changed + text[number.end() :]
            break
    for place, other in _PLACES:
        if re.search(rf"(?<!\w){re.escape(place)}(?!\w)", text):
            yield "place", re.sub(rf"(?<!\w){re.escape(place)}(?!\w)", other, text, count=1)
            break
    yield "denied", _DENIAL["en" if language == "en" else "ar"] + text


Query = tuple[int | None, str]  # (the claim's own record, or None where it has none; the claim)


class MatchingSet(BaseModel):
    """Records indexed for matching and the claims to match against them."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    index: FactCheckIndex
    queries: tuple[Query, ...]


def claimreview_set(
    path: Path, embedder: Embedder, stance: StanceModel, held_out: bool, denials: bool = False
) -> MatchingSet:
    """All public fact-check records indexed; the titles of one part (held out or not; with ``denials``, the
    debunking ones too) and its near misses."""
    records = read_records(path)
    rows = [row for row, record in enumerate(records) if is_held_out(record.record_id) == held_out]
    titles = [(row, query) for row in rows if (query := title_query(records[row], denials))]
    misses = [
        (None, text) for row in rows for _, text in near_misses(records[row].claim_reviewed, records[row].language)
    ]
    index = FactCheckIndex([as_passage(row, record) for row, record in enumerate(records)], embedder, stance)
    name = f"public fact-checks, {'held-out' if held_out else 'tuning'} titles and near misses"
    return MatchingSet(name=name, index=index, queries=tuple(titles + misses))


def ans_set(data: Path, embedder: Embedder, stance: StanceModel) -> MatchingSet:
    """The ANS headlines indexed, and the ANS dev claims, each matching its headline when it paraphrases it
    (never fitted on). A claim whose very text is also a headline is left out: it would match itself."""
    headlines = [json.loads(line) for line in (data / "retrieval_ans_ar_corpus.jsonl").open(encoding="utf-8")]
    row_of = {headline["id"]: row for row, headline in enumerate(headlines)}
    texts = {" ".join(headline["text"].split()) for headline in headlines}
    records = [
        MatchRecord(record_id=h["id"], claim_reviewed=h["text"], title=None, publisher=None, rating="", language="ar")
        for h in headlines
    ]
    queries = []
    for line in (data / "retrieval_ans_ar_queries.jsonl").open(encoding="utf-8"):
        query = json.loads(line)
        if query["split"] == "dev" and " ".join(query["claim"].split()) not in texts:
            own = row_of.get(query["gold_passage_ids"][0]) if query["label"] == "supported" else None
            queries.append((own, query["claim"]))
    index = FactCheckIndex([as_passage(row, record) for row, record in enumerate(records)], embedder, stance)
    return MatchingSet(name="ANS dev claims against all headlines", index=index, queries=tuple(queries))


def labelled_candidates(matching: MatchingSet, ranker: Ranker) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(feature rows, labels, query of each row, whether a specific differs) for every query's candidates;
    a candidate is labelled 1 when it is the query's own record (``None``: a near miss, which has none)."""
    rows, labels, groups, differ = [], [], [], []
    candidates = matching.index.candidates([text for _, text in matching.queries], ranker)
    for group, ((own, _), ranked) in enumerate(zip(matching.queries, candidates, strict=True)):
        for candidate in ranked:
            rows.append(candidate.features)
            labels.append(int(candidate.row == own))
            groups.append(group)
            differ.append(bool(candidate.differences))
    return np.array(rows, dtype=np.float64), np.array(labels), np.array(groups), np.array(differ)


def fit_ranker(pools: Sequence[tuple[np.ndarray, np.ndarray]], l2: float = 1.0) -> Ranker:
    """A linear ranker over standardised ``RANK_FEATURES`` fitted listwise: for each (features, labels) pool
    with a right record, the softmax of the scores over the pool should put its mass on the right records
    (cross-entropy, L2-regularised, L-BFGS)."""
    kept = [(features, labels / labels.sum()) for features, labels in pools if labels.sum() > 0]
    stacked = np.vstack([features for features, _ in kept])
    means, scales = stacked.mean(axis=0), stacked.std(axis=0) + 1e-6
    standard = [((features - means) / scales, target) for features, target in kept]

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = 0.0, np.zeros_like(weights)
        for rows, target in standard:
            scores = rows @ weights
            probabilities = np.exp(scores - scores.max())
            probabilities /= probabilities.sum()
            value -= float(target @ np.log(probabilities + 1e-12))
            gradient -= rows.T @ (target - probabilities)
        return (value + l2 * float(weights @ weights)) / len(standard), (gradient + 2 * l2 * weights) / len(standard)

    fitted = minimize(loss, np.zeros(len(RANK_FEATURES)), jac=True, method="L-BFGS-B").x
    return Ranker(
        features=RANK_FEATURES,
        means=tuple(round(float(v), 6) for v in means),
        scales=tuple(round(float(v), 6) for v in scales),
        weights=tuple(round(float(w), 6) for w in fitted),
    )


def best_per_query(probabilities: np.ndarray, groups: np.ndarray, differ: np.ndarray) -> np.ndarray:
    """Row index of each query's most probable candidate with no specific changed (the one a match would
    be declared on); a query whose every candidate differs has none."""
    best: dict[int, int] = {}
    for row, group in enumerate(groups):
        if not differ[row] and (group not in best or probabilities[row] > probabilities[best[group]]):
            best[int(group)] = row
    return np.array([best[group] for group in sorted(best)], dtype=np.int64)


def pick_threshold(probabilities: np.ndarray, correct: np.ndarray, target_precision: float) -> float:
    """The lowest probability (in hundredths) whose declared matches (probability >= it) are right at least
    ``target_precision`` of the time; 0.99 when none is."""
    for hundredths in range(50, 99):
        declared = probabilities >= hundredths / 100
        if declared.any() and correct[declared].mean() >= target_precision:
            return hundredths / 100
    return 0.99


def fit_model(features: np.ndarray, labels: np.ndarray, embedding_model: str, ranker: Ranker) -> MatchModel:
    """Logistic regression on standardised features, each weight held to its sign in ``MATCH_FEATURE_SIGNS``
    (L2-regularised, bounded L-BFGS); its threshold is set afterwards."""
    means, scales = features.mean(axis=0), features.std(axis=0) + 1e-6
    standard = (features - means) / scales

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = params[:-1], params[-1]
        probabilities = 1.0 / (1.0 + np.exp(-(standard @ weights + bias)))
        error = probabilities - labels
        value = -np.mean(labels * np.log(probabilities + 1e-12) + (1 - labels) * np.log(1 - probabilities + 1e-12))
        gradient = np.append(standard.T @ error / len(labels) + 2 * weights / len(labels), error.mean())
        return value + float(weights @ weights) / len(labels), gradient

    bounds = [(0.0, None) if sign > 0 else (None, 0.0) for sign in MATCH_FEATURE_SIGNS] + [(None, None)]
    fitted = minimize(loss, np.zeros(len(MATCH_FEATURES) + 1), jac=True, bounds=bounds, method="L-BFGS-B").x
    return MatchModel(
        embedding_model=embedding_model,
        ranker=ranker,
        features=MATCH_FEATURES,
        means=tuple(round(float(v), 6) for v in means),
        scales=tuple(round(float(v), 6) for v in scales),
        weights=tuple(round(float(w), 6) for w in fitted[:-1]),
        bias=round(float(fitted[-1]), 6),
        threshold=0.5,
    )


def fit(data: Path, embedding_model: str, target_precision: float) -> MatchModel:
    """Fit the ranker and the matching model on the public fact-checks' tuning part, with ``embedding_model``'s
    cosines, and write the model JSON beside the others."""
    embedder = load_embedder(StoreSettings(embedding_model=embedding_model))
    stance = load_stance_model(Settings())
    public = data / "claimreview_ar_public.jsonl"
    titles = claimreview_set(public, embedder, stance, held_out=False, denials=True)
    titled = [(own, text) for own, text in titles.queries if own is not None]
    pools = titles.index.pools([text for _, text in titled])
    ranker = fit_ranker(
        [
            (pool.features, np.array([row == own for row in pool.rows], dtype=float))
            for (own, _), pool in zip(titled, pools, strict=True)
        ]
    )
    log(f"ranker on {len(titled)} titles: weights {dict(zip(RANK_FEATURES, ranker.weights, strict=True))}")
    matching = claimreview_set(public, embedder, stance, held_out=False)
    log(f"{matching.name}: {len(matching.queries)} claims against {len(matching.index)} records")
    features, labels, groups, differ = labelled_candidates(matching, ranker)
    model = fit_model(features[~differ], labels[~differ], embedder.name, ranker)  # one that differs never matches
    probabilities = model.probabilities(features)
    best = best_per_query(probabilities, groups, differ)
    threshold = pick_threshold(probabilities[best], labels[best].astype(bool), target_precision)
    model = model.model_copy(update={"threshold": threshold})
    out = match_model_path(embedder.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.model_dump(), indent=1) + "\n", encoding="utf-8")
    log(f"wrote {out}: threshold {threshold}, weights {dict(zip(MATCH_FEATURES, model.weights, strict=True))}")
    return model


class MatchingScores(BaseModel):
    """How a matching set came out: retrieval recall of each claim's own record, and the matches declared."""

    model_config = ConfigDict(frozen=True)

    name: str
    claims: int  # claims with a record to find (their own, or one judged the same claim)
    recall: dict[str, dict[int, float]]  # retriever -> k -> share of those claims with their record in the top k
    reranked_recall_at_1: float  # the model's most probable candidate is their record
    declared: int  # claims (of all, near misses included) declared previously fact-checked
    declared_right: int
    without_match: int  # claims with no record to find (near misses, contradictions)
    declared_without_match: int  # ... wrongly declared matched
    same_verdict: int | None  # declared claims with a record whose matched rating gives their own's verdict

    @property
    def precision(self) -> float:
        return self.declared_right / self.declared if self.declared else float("nan")

    @property
    def coverage(self) -> float:
        """Share of the claims with a record that are declared matched to the right one."""
        return self.declared_right / self.claims if self.claims else float("nan")


def read_same_claim(path: Path) -> set[tuple[str, str]]:
    """(record, candidate) id pairs a person judged to be the same claim (both directions)."""
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if row.get("same_claim"):
            pairs |= {(row["record"], row["candidate"]), (row["candidate"], row["record"])}
    return pairs


def evaluate(
    matching: MatchingSet, model: MatchModel, same_claim: set[tuple[str, str]] = frozenset()
) -> MatchingScores:
    """Recall at 1, 5 and 10 per retriever and the declared matches' precision on one matching set; a
    candidate judged the same claim as the claim's own record (``same_claim``) counts as right."""
    records = matching.index.records
    texts = [text for _, text in matching.queries]

    def right(own: int | None, row: int) -> bool:
        return own is not None and (row == own or (records[own].doc_id, records[row].doc_id) in same_claim)

    rankings = matching.index.rankings(texts, model.ranker)
    ranked = matching.index.match(texts, model)
    decided = best_matches(ranked, model)
    with_record = [i for i, (own, _) in enumerate(matching.queries) if own is not None]
    recall = {
        retriever: {
            k: float(np.mean([any(right(matching.queries[i][0], row) for row in lists[i][:k]) for i in with_record]))
            for k in (1, 5, 10)
        }
        for retriever, lists in rankings.items()
    }
    row_of = {record.passage_id: row for row, record in enumerate(records)}
    declared = [(i, row_of[match.passage.passage_id]) for i, match in enumerate(decided) if match is not None]
    return MatchingScores(
        name=matching.name,
        claims=len(with_record),
        recall=recall,
        reranked_recall_at_1=float(
            np.mean(
                [
                    bool(ranked[i]) and right(matching.queries[i][0], row_of[ranked[i][0].passage.passage_id])
                    for i in with_record
                ]
            )
        ),
        declared=len(declared),
        declared_right=sum(right(matching.queries[i][0], row) for i, row in declared),
        without_match=len(matching.queries) - len(with_record),
        declared_without_match=sum(matching.queries[i][0] is None for i, _ in declared),
        same_verdict=sum(
            rated_label(records[row].rating)[0] == rated_label(records[own].rating)[0]
            for i, row in declared
            if (own := matching.queries[i][0]) is not None
        )
        if any(record.rating for record in records)
        else None,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--embedding-model", default=Settings().prior_match_embedding_model)
    parser.add_argument("--target-precision", type=float, default=0.95)
    args = parser.parse_args(argv)
    fit(args.data, args.embedding_model, args.target_precision)


if __name__ == "__main__":
    main()
