"""Claim matching: is a claim one that a published fact-check already rated?

Candidates come from the fact-check records' own texts (the claim each one reviewed, and its title
where there is one) by dense cosine and BM25, in any language, ranked by a fitted linear fusion of the two
(`Ranker`: cosine, BM25 score over the claim's best, and the reciprocal rank in each list). Each of a
claim's candidates gets a calibrated probability of being *the same claim*, not merely the same topic,
from a logistic model (`MatchModel`) over `MATCH_FEATURES`: how similar the two texts are, how many
words they share, how far the candidate stands ahead of the claim's other candidates, and how the stance
model reads the claim against it. A candidate that differs in a specific (`differences`: the numbers,
years or places named, a negation more on one side), that the stance model does not read as restating
the claim (either way round) or reads as refuting it (either way), is a different claim whatever its
probability, and is never a match. The model and its threshold are fitted by ``verify.training.prior_match``
(recipe and measurements in the model card).
"""

import json
import re
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from evidence_store.embedding.embedder import Embedder
from evidence_store.errors import InvalidInput
from evidence_store.lexical import LexicalIndex
from evidence_store.store import EvidenceStore
from evidence_store.text.normalize import normalize_arabic
from evidence_store.text.tokenize import tokenize
from evidence_store.types import Passage
from verify.model_versions import match_model_path
from verify.prior.places import places
from verify.stance.features import negations, numbers
from verify.stance.protocol import StanceModel, StancePair
from verify.types import StanceScore

RANK_FEATURES = (
    "similarity",  # cosine of the two texts (both embedded as queries)
    "lexical_share",  # the record's BM25 score over the claim's best record's
    "dense_reciprocal_rank",  # 1 / (1 + its place in the dense list)
    "lexical_reciprocal_rank",  # ... in the BM25 list
)
MATCH_FEATURES = (
    "similarity",  # cosine of the two texts (both embedded as queries)
    "shared_words_min",  # shared words over the longer text's words
    "shared_words_max",  # ... over the shorter text's
    "lexical_share",  # the candidate's BM25 score over the claim's best candidate's
    "similarity_margin",  # its cosine minus the best cosine among the claim's other candidates
    "dense_first",  # the dense retriever ranks it first
    "lexical_first",  # BM25 ranks it first
    "ranked_first",  # the ranker (the fusion of both) ranks it first
    "stance_supports",  # the stance model's P(supports) of the claim against the record's claim
    "stance_refutes",
)
# the sign each feature's weight is held to when fitted: more alike is never less likely the same claim
MATCH_FEATURE_SIGNS = (1, 1, 1, 1, 1, 1, 1, 1, 1, -1)
# a record the stance model does not read as restating the claim (or the claim it), or reads as refuting it (or
# the claim it), is another claim, however alike
RESTATES_SUPPORTS, RESTATES_REFUTES_BELOW = 0.5, 0.4
CANDIDATES = 5  # best ranked candidates scored per claim
_POOL = 50  # each retriever's candidates before fusion
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# thousand, million, billion, trillion; Arabic forms normalised (الف for ألف), with their plurals and duals
_MAGNITUDE = re.compile(
    r"(?<!\w)(?:[وبل]?)(thousand|million|billion|trillion|الف|مليون|مليار|ترليون|تريليون)"
    r"(?:s|ا|ان|ين|ات)?(?!\w)"
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ranker(_Frozen):
    """A linear score over the standardised ``RANK_FEATURES`` that orders a claim's records, fitted listwise."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Each row's score; higher ranks first."""
        return ((rows - np.asarray(self.means)) / np.asarray(self.scales)) @ np.asarray(self.weights)


class MatchModel(_Frozen):
    """How a claim's records are ranked, a logistic regression on the standardised features of the best
    ranked, and the probability from which a match counts."""

    embedding_model: str  # the embedder whose cosines it was fitted on
    ranker: Ranker
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = Field(gt=0.0, lt=1.0)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(same claim) for rows of ``MATCH_FEATURES``."""
        standard = (rows - np.asarray(self.means)) / np.asarray(self.scales)
        return 1.0 / (1.0 + np.exp(-(standard @ np.asarray(self.weights) + self.bias)))


class PriorMatch(_Frozen):
    """A fact-check record found for a claim, with the probability that it rated this very claim."""

    passage: Passage  # the fact-check as stored: claim reviewed, rating, publisher, URL, date
    probability: float = Field(ge=0.0, le=1.0)
    similarity: float  # the best cosine of the claim and the record's texts
    differences: tuple[str, ...] = ()  # specifics that make it another claim ("year", "place", ...)

    def matches(self, model: MatchModel) -> bool:
        """Whether this is the same claim: probable enough and no specific changed."""
        return self.probability >= model.threshold and not self.differences


class Candidate(_Frozen):
    """A record retrieved for a claim, with its features before the model has scored them."""

    row: int  # the record's place in the index
    features: tuple[float, ...]
    differences: tuple[str, ...]


@cache
def load_match_model(embedding_model: str) -> MatchModel:
    """The matching model shipped in ``verify/models/prior_match`` for ``embedding_model``."""
    path = match_model_path(embedding_model)
    if not path.is_file():
        raise InvalidInput(
            f"no claim-matching model was fitted on {embedding_model}: fit one (python -m verify.training.prior_match) "
            "or set SANAD_PRIOR_MATCH_EMBEDDING_MODEL to a model with one in verify/models/prior_match"
        )
    model = MatchModel.model_validate(json.loads(path.read_text(encoding="utf-8")))
    if model.features != MATCH_FEATURES or model.ranker.features != RANK_FEATURES:
        raise ValueError(f"{path} was fitted on other features than {MATCH_FEATURES} and {RANK_FEATURES}")
    return model


def _years(text: str) -> set[str]:
    return set(_YEAR.findall(normalize_arabic(text)))


def _numbers(text: str) -> set[str]:
    """Numbers other than years (a changed year is named as such), and the magnitude words that scale them:
    "50 مليون" and "50 مليار" name different numbers."""
    magnitudes = {f"×{match.group(1)}" for match in _MAGNITUDE.finditer(normalize_arabic(text.casefold()))}
    return (numbers(text) - _years(text)) | magnitudes


def _differ(mine: set[str], theirs: set[str]) -> bool:
    """Both name some values, and not the same ones (a detail only one of them gives is no difference)."""
    return bool(mine) and bool(theirs) and mine != theirs


def word_shares(claim: str, text: str) -> tuple[float, float]:
    """Shared words over the longer text's words, and over the shorter's."""
    claim_words, text_words = set(tokenize(claim)), set(tokenize(text))
    shares = [len(claim_words & text_words) / len(words) if words else 0.0 for words in (claim_words, text_words)]
    return min(shares), max(shares)


def differences(claim: str, text: str) -> tuple[str, ...]:
    """The specifics in which two statements on the same topic differ, making them different claims: the
    numbers, years or places they name (where both name some), or a negation more on one side ("ليس صحيحا أن")."""
    found = [
        name
        for name, values in (("number", _numbers), ("year", _years), ("place", places))
        if _differ(values(claim), values(text))
    ]
    if negations(claim) != negations(text):
        found.append("negation")
    return tuple(found)


def record_texts(passage: Passage) -> tuple[str, ...]:
    """What a fact-check record is matched on: the claim it reviewed, and its title where it has one."""
    texts = [passage.claim_reviewed or passage.text]
    if passage.title and passage.title.strip() and passage.title.strip() != texts[0].strip():
        texts.append(passage.title)
    return tuple(texts)


class FactCheckIndex:
    """Dense and BM25 indexes over the texts of a set of fact-check records."""

    def __init__(self, records: Sequence[Passage], embedder: Embedder, stance: StanceModel) -> None:
        self.records = list(records)
        self.embedder = embedder
        self.stance = stance
        owned = [(row, text) for row, record in enumerate(self.records) for text in record_texts(record)]
        self._owner = np.array([row for row, _ in owned], dtype=np.int64)
        self._texts = [text for _, text in owned]
        # claim against claim: both sides embedded as queries (e5's advice for symmetric tasks)
        self._vectors = _embedded(embedder, self._texts)
        self._lexical = LexicalIndex.build(np.arange(len(self._texts)), [" ".join(tokenize(t)) for t in self._texts])

    def __len__(self) -> int:
        return len(self.records)

    def rankings(self, claims: Sequence[str], ranker: Ranker) -> dict[str, list[list[int]]]:
        """Per retriever ("dense", "bm25", and "hybrid": the two fused by ``ranker``), each claim's records, best
        first (at most 50 from each list)."""
        out: dict[str, list[list[int]]] = {"dense": [], "bm25": [], "hybrid": []}
        for claim, vector in zip(claims, self._embed(claims), strict=True):
            pool = self._pool(claim, vector)
            out["dense"].append(pool.dense)
            out["bm25"].append(pool.lexical)
            out["hybrid"].append(pool.ranked(ranker))
        return out

    def pools(self, claims: Sequence[str]) -> list["Pool"]:
        """Each claim's records from either retriever, with their ``RANK_FEATURES`` (what a ranker is fitted on)."""
        return [self._pool(claim, vector) for claim, vector in zip(claims, self._embed(claims), strict=True)]

    def candidates(self, claims: Sequence[str], ranker: Ranker) -> list[list[Candidate]]:
        """Each claim's ``CANDIDATES`` best ranked records with their ``MATCH_FEATURES``."""
        if not self.records:  # a store without fact-checks: no claim is embedded or scored for nothing
            return [[] for _ in claims]
        found = [self._candidates(claim, pool, ranker) for claim, pool in zip(claims, self.pools(claims), strict=True)]
        texts = [
            (claim, record_texts(self.records[candidate.row])[0])
            for claim, ranked in zip(claims, found, strict=True)
            for candidate in ranked
        ]
        # each pair both ways: a restatement may say less ("some European countries") or more than the claim
        pairs = [StancePair(claim=a, passage=b) for claim, text in texts for a, b in ((claim, text), (text, claim))]
        scores = self.stance.score(pairs) if pairs else []
        stances = iter(zip(scores[0::2], scores[1::2], strict=True))  # in the order of ``found``: taken as zipped
        return [
            [_with_stance(candidate, *both) for candidate, both in zip(ranked, stances, strict=False)]
            for ranked in found
        ]

    def match(self, claims: Sequence[str], model: MatchModel) -> list[list[PriorMatch]]:
        """Each claim's candidates, most probably the same claim first."""
        if self.embedder.name != model.embedding_model:
            raise InvalidInput(
                f"claim matching was fitted on {model.embedding_model} cosines, and these fact-checks are embedded "
                f"with {self.embedder.name}: refit it (python -m verify.training.prior_match) "
                "or set SANAD_PRIOR_CHECKS=false"
            )
        out = []
        for ranked in self.candidates(claims, model.ranker):
            probabilities = model.probabilities(np.array([c.features for c in ranked])) if ranked else []
            matches = [
                PriorMatch(
                    passage=self.records[c.row],
                    probability=float(p),
                    similarity=c.features[0],
                    differences=c.differences,
                )
                for c, p in zip(ranked, probabilities, strict=True)
            ]
            out.append(sorted(matches, key=lambda match: -match.probability))
        return out

    def _embed(self, claims: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(list(claims), "query") if claims else np.zeros((0, self.embedder.dimension))

    def _pool(self, claim: str, vector: np.ndarray) -> "Pool":
        """The claim's best records by cosine and by BM25 (``_POOL`` each), and the rank features of their union."""
        text_cosines = self._vectors @ vector if len(self._texts) else np.zeros(0)
        record_cosines = np.full(len(self.records), -1.0)
        np.maximum.at(record_cosines, self._owner, text_cosines)
        dense = [int(row) for row in np.argsort(-record_cosines, kind="stable")[:_POOL]]
        ids, scores = self._lexical.search(tokenize(claim), 2 * _POOL)
        lexical_scores: dict[int, float] = {}
        for text_row, score in zip(ids, scores, strict=True):
            row = int(self._owner[int(text_row)])
            lexical_scores[row] = max(lexical_scores.get(row, 0.0), float(score))
        lexical = sorted(lexical_scores, key=lambda row: -lexical_scores[row])[:_POOL]
        best_lexical = max(lexical_scores.values(), default=0.0)
        rows = list(dict.fromkeys(dense + lexical))
        dense_place, lexical_place = {row: n for n, row in enumerate(dense)}, {row: n for n, row in enumerate(lexical)}
        features = np.array(
            [
                (
                    float(record_cosines[row]),
                    lexical_scores.get(row, 0.0) / best_lexical if best_lexical else 0.0,
                    1.0 / (1 + dense_place[row]) if row in dense_place else 0.0,
                    1.0 / (1 + lexical_place[row]) if row in lexical_place else 0.0,
                )
                for row in rows
            ],
            dtype=np.float64,
        ).reshape(len(rows), len(RANK_FEATURES))
        return Pool(rows=tuple(rows), features=features, dense=dense, lexical=lexical, cosines=record_cosines)

    def _candidates(self, claim: str, pool: "Pool", ranker: Ranker) -> list[Candidate]:
        rows = pool.ranked(ranker)[:CANDIDATES]
        place = {row: n for n, row in enumerate(pool.rows)}
        out = []
        for place_ranked, row in enumerate(rows):
            texts = [self._texts[t] for t in np.flatnonzero(self._owner == row)]
            others = [pool.cosines[other] for other in rows if other != row]
            features = (
                float(pool.cosines[row]),
                *max(word_shares(claim, text) for text in texts),
                float(pool.features[place[row], 1]),
                float(pool.cosines[row] - max(others, default=0.0)),
                float(pool.dense[:1] == [row]),
                float(pool.lexical[:1] == [row]),
                float(place_ranked == 0),
            )
            out.append(Candidate(row=row, features=features, differences=differences(claim, texts[0])))
        return out


class Pool(BaseModel):
    """A claim's records from either retriever, with their ``RANK_FEATURES`` (one row per record, in ``rows``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rows: tuple[int, ...]
    features: np.ndarray
    dense: list[int]  # best first
    lexical: list[int]
    cosines: np.ndarray  # of every record

    def ranked(self, ranker: Ranker) -> list[int]:
        """The records, best first by ``ranker``."""
        order = np.argsort(-ranker.scores(self.features), kind="stable") if self.rows else []
        return [self.rows[n] for n in order]


def _restates(forward: StanceScore, backward: StanceScore) -> bool:
    """The stance model reads one text as restating the other (either way round: a restatement may say less or
    more), and neither as refuting the other."""
    supports = max(forward.supports, backward.supports) >= RESTATES_SUPPORTS
    return supports and max(forward.refutes, backward.refutes) < RESTATES_REFUTES_BELOW


def _with_stance(candidate: Candidate, forward: StanceScore, backward: StanceScore) -> Candidate:
    """The candidate with the stance features (the claim against the record), and "stance" among its
    differences unless the stance model reads one as restating the other and neither as refuting it."""
    restates = _restates(forward, backward)
    return candidate.model_copy(
        update={
            "features": (*candidate.features, forward.supports, forward.refutes),
            "differences": candidate.differences + (() if restates else ("stance",)),
        }
    )


_vector_cache: dict[tuple[str, str], np.ndarray] = {}  # (embedder, text) -> vector, across rebuilds
_index_cache: dict[tuple[Path, str], tuple[int, FactCheckIndex]] = {}
_cache_lock = threading.Lock()


def _embedded(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Query vectors of ``texts``, embedding only those not embedded before in this process."""
    missing = list(dict.fromkeys(text for text in texts if (embedder.name, text) not in _vector_cache))
    if missing:
        for text, vector in zip(missing, embedder.embed(missing, "query"), strict=True):
            _vector_cache[(embedder.name, text)] = vector
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack([_vector_cache[(embedder.name, text)] for text in texts])


def fact_check_index(store: EvidenceStore, embedder: Embedder, stance: StanceModel) -> FactCheckIndex:
    """The store's fact-checks indexed for matching with ``embedder``; rebuilt when the store has changed since
    (records already embedded keep their vectors, so a rebuild embeds only new ones)."""
    with _cache_lock:
        generation, key = store.generation(), (store.path, embedder.name)
        cached = _index_cache.get(key)
        if cached is None or cached[0] != generation:
            cached = (generation, FactCheckIndex(store.fact_checks(), embedder, stance))
            _index_cache[key] = cached
        return cached[1]


def best_matches(candidates: Sequence[Sequence[PriorMatch]], model: MatchModel) -> list[PriorMatch | None]:
    """Each claim's most probable candidate that ``matches``, else ``None``."""
    return [next((match for match in ranked if match.matches(model)), None) for ranked in candidates]
