"""BM25 over the segments of a store: raw postings per segment, statistics over all of them at query time.

A segment keeps term frequencies and passage lengths, never scores, so that IDF and the average length
come from every live passage of the store, whatever segment holds it. Scoring follows ``bm25s``'s default
(Lucene: k1 1.5, b 0.75, idf ln(1 + (N - df + 0.5) / (df + 0.5))) step for step, down to its float32
rounding: each query token counts once per occurrence, tokens no live passage holds are left out.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evidence_store.lexical import _best

K1, B = 1.5, 0.75
_ARRAYS = ("indptr", "docs", "tfs", "lengths")


@dataclass(frozen=True)
class Postings:
    """Term -> (passage positions, term frequencies) in CSR form, and every passage's length in tokens."""

    vocabulary: dict[str, int]
    indptr: np.ndarray  # int64, one more than the vocabulary
    docs: np.ndarray  # int32 positions, by term then position
    tfs: np.ndarray  # float32
    lengths: np.ndarray  # int32, one per passage

    @classmethod
    def build(cls, token_strings: Sequence[str]) -> "Postings":
        """Postings of passages given as space-joined token strings (see ``tokenize``)."""
        split = pc.split_pattern(pa.array(token_strings, type=pa.large_string()), " ")
        flat = pc.list_flatten(split)
        keep = pc.greater(pc.binary_length(flat), 0)
        doc_of = pc.filter(pc.list_parent_indices(split), keep).to_numpy().astype(np.int64)
        encoded = pc.dictionary_encode(pc.filter(flat, keep))
        terms = encoded.dictionary.to_pylist()
        term_of = encoded.indices.to_numpy().astype(np.int64)
        order = np.argsort(term_of, kind="stable")  # by term, then position (``doc_of`` is ascending)
        term_of, doc_of = term_of[order], doc_of[order]
        starts = np.flatnonzero(np.r_[True, (term_of[1:] != term_of[:-1]) | (doc_of[1:] != doc_of[:-1])])
        tfs = np.diff(np.r_[starts, len(term_of)]).astype(np.float32)
        counts = np.bincount(term_of[starts], minlength=len(terms))
        return cls(
            vocabulary={term: row for row, term in enumerate(terms)},
            indptr=np.r_[0, np.cumsum(counts)].astype(np.int64),
            docs=doc_of[starts].astype(np.int32),
            tfs=tfs,
            lengths=np.bincount(doc_of, minlength=len(token_strings)).astype(np.int32),
        )

    @property
    def size(self) -> int:
        return len(self.lengths)

    def term(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions, frequencies) of ``token``; None when no passage here holds it."""
        row = self.vocabulary.get(token)
        if row is None:
            return None
        start, end = self.indptr[row], self.indptr[row + 1]
        return self.docs[start:end], self.tfs[start:end]

    def save(self, folder: Path) -> None:
        for name in _ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (folder / "vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "Postings":
        terms = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy") for name in _ARRAYS}
        postings = cls(vocabulary={term: row for row, term in enumerate(terms)}, **arrays)
        if len(postings.indptr) != len(terms) + 1 or postings.indptr[-1] != len(postings.docs):
            raise ValueError("postings do not match their vocabulary")
        return postings


@dataclass(frozen=True)
class Part:
    """One segment as a BM25 query sees it: its postings, passage ids, live passages and candidates."""

    postings: Postings
    ids: np.ndarray
    live: np.ndarray  # bool per passage: not removed
    allowed: np.ndarray  # bool per passage: live and in the language asked for
    live_count: int
    live_length: int


def search(parts: Sequence[Part], query_tokens: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, float32 scores) of the best ``k`` allowed passages with a positive score, best first,
    ties by id; N, the average length and each term's df count the live passages of all ``parts``."""
    passages = sum(part.live_count for part in parts)
    if not passages or not query_tokens:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    average = sum(part.live_length for part in parts) / passages
    scores = [np.zeros(part.postings.size, dtype=np.float32) for part in parts]
    for token in query_tokens:
        found = [part.postings.term(token) for part in parts]
        df = sum(_live_df(part, hit) for part, hit in zip(parts, found, strict=True))
        if not df:
            continue
        idf = np.float32(math.log(1 + (passages - df + 0.5) / (df + 0.5)))
        for part, hit, part_scores in zip(parts, found, scores, strict=True):
            if hit is None:
                continue
            docs, tfs = hit
            normalised = K1 * ((1 - B) + B * part.postings.lengths[docs].astype(np.float64) / average)
            part_scores[docs] += (np.float64(idf) * (tfs / (normalised + tfs))).astype(np.float32)
    ids, values = [], []
    for part, part_scores in zip(parts, scores, strict=True):
        part_scores[~part.allowed] = 0
        best = _best(part_scores, k)
        ids.append(part.ids[best])
        values.append(part_scores[best])
    all_ids, all_scores = np.concatenate(ids), np.concatenate(values)
    order = np.lexsort((all_ids, -all_scores))[:k]
    return all_ids[order], all_scores[order]


def _live_df(part: Part, hit: tuple[np.ndarray, np.ndarray] | None) -> int:
    if hit is None:
        return 0
    docs = hit[0]
    return len(docs) if part.live_count == part.postings.size else int(part.live[docs].sum())
