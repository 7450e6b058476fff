"""Quotes and SQL injection strings as ids, filters and text reach the evidence store as plain values."""

from datetime import UTC, datetime

import pytest

from evidence_store.store import EvidenceStore
from evidence_store.types import DocumentInput
from tests.support.injection import HOSTILE


@pytest.fixture
def store(tmp_path, settings, hash_embedder):
    with EvidenceStore.open(tmp_path / "store", settings, hash_embedder) as opened:
        opened.add(
            [
                DocumentInput(text="The Treasury designated Cham Wings.", external_id="treasury", language="en"),
                DocumentInput(text="وصل وفد إلى دمشق.", external_id="visit", language="ar"),
            ]
        )
        yield opened


def test_hostile_strings_as_ids_and_filters_match_nothing_and_change_nothing(store):
    for value in HOSTILE:
        assert store.documents([value]) == []
        assert store.remove([value]) == []
        assert store.search(value, k=5, mode="bm25", language=value) == []
        assert store.db.passages_of(value) == []
        assert store.db.feed_items(value) == {}
    assert {d.doc_id for d in store.documents()} == {"treasury", "visit"}
    assert store.stats().passages == 2


def test_hostile_strings_are_stored_and_found_verbatim(store):
    documents = [
        DocumentInput(
            text=f"Report {n}: the minister said {value!r} about the embargo.",
            external_id=value,
            title=value,
            publisher=value,
            url=f"https://example.org/?q={value}",
        )
        for n, value in enumerate(HOSTILE)
    ]
    assert set(store.add(documents).added) == set(HOSTILE)
    for value in HOSTILE:
        (document,) = store.documents([value])
        assert (document.doc_id, document.title, document.publisher) == (value, value, value)
        assert store.db.passages_of(value)[0].text.endswith("about the embargo.")
    store.db.record_feed_items(HOSTILE[0], [(value, "failed", value) for value in HOSTILE], datetime.now(UTC))
    assert store.db.feed_items(HOSTILE[0]) == {value: ("failed", 1) for value in HOSTILE}
    assert sorted(store.remove(HOSTILE)) == sorted(HOSTILE)
    assert {d.doc_id for d in store.documents()} == {"treasury", "visit"}
