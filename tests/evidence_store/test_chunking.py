import itertools

import pytest

from evidence_store.chunking import chunk_text
from tests.support.shared import SAMPLE_ARTICLE


def test_chunks_point_into_the_text_and_respect_the_limit():
    text = " ".join(f"Sentence number {i} says something about sanctions." for i in range(60))
    chunks = chunk_text(text, max_chars=300, overlap_sentences=1)
    assert len(chunks) > 5
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 300


def test_consecutive_chunks_overlap_by_one_sentence():
    text = " ".join(f"Fact {i} is stated here in full." for i in range(20))
    chunks = chunk_text(text, max_chars=120, overlap_sentences=1)
    for first, second in itertools.pairwise(chunks):
        assert second.start < first.end  # the last sentence of one opens the next
    assert chunks[-1].end == len(text)


def test_no_overlap_when_asked():
    text = " ".join(f"Fact {i} is stated here in full." for i in range(20))
    chunks = chunk_text(text, max_chars=120, overlap_sentences=0)
    for first, second in itertools.pairwise(chunks):
        assert second.start > first.end


def test_a_sentence_longer_than_the_limit_is_cut_at_words():
    text = "word " * 200
    chunks = chunk_text(text.strip(), max_chars=100, overlap_sentences=0)
    assert all(len(c.text) <= 100 for c in chunks)
    assert all(not c.text.startswith(" ") and not c.text.endswith(" ") for c in chunks)
    assert " ".join(c.text for c in chunks) == text.strip()


def test_short_text_is_one_chunk_and_blank_is_none():
    assert [c.text for c in chunk_text("One short fact.")] == ["One short fact."]
    assert chunk_text("   \n ") == []


def test_arabic_article_chunks_keep_offsets():
    if not SAMPLE_ARTICLE.exists():
        pytest.skip("sample article not available")
    text = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    chunks = chunk_text(text, max_chars=700)
    assert len(chunks) >= 4
    assert all(text[c.start : c.end] == c.text for c in chunks)
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_limit_must_be_sane():
    with pytest.raises(ValueError, match="max_chars"):
        chunk_text("text", max_chars=5)
