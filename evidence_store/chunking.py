"""Sentence-aware chunking with overlap: passages that keep their offsets in the source text."""

from typing import NamedTuple

from evidence_store.errors import InvalidInput
from evidence_store.text.sentences import Span, split_sentences


class Chunk(NamedTuple):
    """A passage as ``text[start:end]`` of its document."""

    text: str
    start: int
    end: int


def _split_long(text: str, span: Span, max_chars: int) -> list[Span]:
    """Cut a sentence longer than ``max_chars`` at word boundaries."""
    pieces: list[Span] = []
    start = span.start
    while span.end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        pieces.append(Span(start, cut))
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    if start < span.end:
        pieces.append(Span(start, span.end))
    return pieces


def chunk_text(text: str, max_chars: int = 700, overlap_sentences: int = 1) -> list[Chunk]:
    """Group whole sentences into passages of at most ``max_chars`` characters.

    Consecutive passages share ``overlap_sentences`` sentences so a fact split across
    a boundary is still found whole. A sentence longer than ``max_chars`` is cut at
    word boundaries.
    """
    if max_chars < 20:
        raise InvalidInput(f"max_chars must be at least 20, got {max_chars}")
    sentences = [piece for span in split_sentences(text) for piece in _split_long(text, span, max_chars)]
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first
        while last + 1 < len(sentences) and sentences[last + 1].end - sentences[first].start <= max_chars:
            last += 1
        start, end = sentences[first].start, sentences[last].end
        chunks.append(Chunk(text[start:end], start, end))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - overlap_sentences)
    return chunks
