"""The store keeps DuckDB, FAISS and BM25 in step: add, dedup, replace, delete, reopen, recover."""

import json
import shutil
from datetime import UTC, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store.db import StoreModelMismatch
from evidence_store.store import EvidenceStore, content_hash
from evidence_store.types import DocumentInput
from tests.support.embedders import HashEmbedder

DOCS = [
    DocumentInput(
        text="The Treasury designated Cham Wings Airlines for transporting militants.",
        external_id="treasury",
        publisher="US Department of the Treasury",
        url="https://home.treasury.gov/news/press-releases/jl0693",
        published_at=datetime(2016, 12, 23, tzinfo=UTC),
        language="en",
    ),
    DocumentInput(text="Turkey and the GNA signed a security memorandum in November 2019.", external_id="mou"),
    DocumentInput(text="وصل وفد من حكومة الشرق الليبي إلى دمشق والتقى وزير الخارجية.", external_id="visit"),
    DocumentInput(text="The football club won the cup final after extra time.", external_id="football"),
]


def counts(store: EvidenceStore) -> tuple[int, int, int, int]:
    """(documents, passages in DuckDB, vectors in FAISS, passages in BM25)."""
    stats = store.stats()
    segments = store._index.segments
    return (
        stats.documents,
        stats.passages,
        sum(segment.dense.size for segment in segments),
        sum(segment.part(None).live_count for segment in segments),
    )


@pytest.fixture
def store(tmp_path, settings, hash_embedder):
    with EvidenceStore.open(tmp_path / "store", settings, hash_embedder) as opened:
        opened.add(DOCS)
        yield opened


def test_add_indexes_every_passage_with_provenance(store):
    assert counts(store) == (4, 4, 4, 4)
    hit = store.search("Cham Wings militants Treasury", k=1)[0]
    assert hit.passage.doc_id == "treasury"
    assert hit.passage.publisher == "US Department of the Treasury"
    assert hit.passage.url.startswith("https://home.treasury.gov/")
    assert hit.passage.published_at == datetime(2016, 12, 23, tzinfo=UTC)
    assert hit.dense_score is not None and hit.lexical_score is not None
    assert hit.dense_rank == 1 and hit.lexical_rank == 1


def test_languages_are_recorded_or_detected(store):
    languages = {doc.doc_id: doc.language for doc in store.documents()}
    assert languages == {"treasury": "en", "mou": "en", "visit": "ar", "football": "en"}


def test_language_filter_applies_to_both_retrievers(store):
    for mode in ("dense", "bm25", "hybrid"):
        hits = store.search("دمشق وفد Cham Wings", k=5, mode=mode, language="ar")
        assert hits and {hit.passage.language for hit in hits} == {"ar"}, mode


def test_re_adding_the_same_content_is_a_duplicate(store):
    report = store.add([DOCS[0], DOCS[1].model_copy(update={"external_id": "other-id"})])
    assert report.added == () and report.passages_added == 0
    assert set(report.duplicates) == {"treasury", "other-id"}
    assert counts(store) == (4, 4, 4, 4)


def test_duplicates_inside_one_batch_are_stored_once(store):
    text = "A brand new report about flights between Damascus and Benghazi."
    report = store.add([DocumentInput(text=text), DocumentInput(text="  " + text.replace(" ", "  "))])
    assert len(report.added) == 1 and len(report.duplicates) == 1
    assert counts(store) == (5, 5, 5, 5)


def test_same_id_with_new_content_replaces_the_old_version(store):
    report = store.add([DocumentInput(text="The cup final was postponed because of rain.", external_id="football")])
    assert report.replaced == ("football",) and report.added == ()
    assert counts(store) == (4, 4, 4, 4)
    assert store.search("postponed rain", k=1, mode="bm25")[0].passage.doc_id == "football"
    assert not store.search("extra time", k=4, mode="bm25")


def test_two_versions_of_one_id_in_a_batch_keep_the_later_one(store):
    report = store.add(
        [
            DocumentInput(text="Flights to Benghazi resumed in May.", external_id="edited"),
            DocumentInput(text="Flights to Benghazi resumed in June.", external_id="edited"),
        ]
    )
    assert report.added == ("edited",)
    assert [p.text for p in store.db.passages_of("edited")] == ["Flights to Benghazi resumed in June."]
    assert counts(store) == (5, 5, 5, 5)


def test_remove_deletes_from_every_index(store):
    assert store.remove(["mou", "missing"]) == ["mou"]
    assert counts(store) == (3, 3, 3, 3)
    assert all(hit.passage.doc_id != "mou" for hit in store.search("security memorandum Turkey", k=10))
    assert store.remove(["mou"]) == []


def test_long_documents_are_chunked_and_map_back(tmp_path, settings, hash_embedder):
    text = " ".join(f"Paragraph {i} reports on the sanctions regime and its effects." for i in range(80))
    with EvidenceStore.open(tmp_path / "s", settings, hash_embedder) as store:
        report = store.add([DocumentInput(text=text, external_id="long")])
        assert report.passages_added > 3
        passages = store.db.passages_of("long")
        assert [p.order for p in passages] == list(range(len(passages)))
        assert all(text[p.char_start : p.char_end] == p.text for p in passages)


def test_reopen_loads_the_saved_indexes(tmp_path, settings, hash_embedder):
    path = tmp_path / "s"
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add(DOCS)
        before = [h.passage.doc_id for h in store.search("Cham Wings", k=4)]
    with EvidenceStore.open(path, settings, HashEmbedder()) as reopened:
        assert counts(reopened) == (4, 4, 4, 4)
        assert [h.passage.doc_id for h in reopened.search("Cham Wings", k=4)] == before


def test_opening_with_another_model_is_refused(tmp_path, settings, hash_embedder):
    path = tmp_path / "s"
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add(DOCS[:1])
    with pytest.raises(StoreModelMismatch, match="test/hash-embedder"):
        EvidenceStore.open(path, settings, HashEmbedder(name="another/model", dimension=32))


def test_indexes_lagging_the_database_are_rebuilt_on_open(tmp_path, settings, hash_embedder):
    """A crash after the DuckDB commit but before the index saves loses nothing."""
    path = tmp_path / "s"
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add(DOCS[:2])
        stale_manifest = (path / "manifest.json").read_text()
        stale_segments = set((path / "segments").iterdir())
        store.add(DOCS[2:])
    (path / "manifest.json").write_text(stale_manifest)
    for segment in set((path / "segments").iterdir()) - stale_segments:  # as if killed before its rename
        shutil.rmtree(segment)
    with EvidenceStore.open(path, settings, hash_embedder) as reopened:
        assert counts(reopened) == (4, 4, 4, 4)
        assert json.loads((path / "manifest.json").read_text())["passages"] == 4
        assert reopened.search("football cup final", k=1)[0].passage.doc_id == "football"


def test_a_failed_write_leaves_the_store_as_it_was(tmp_path, settings, hash_embedder, monkeypatch):
    path = tmp_path / "s"
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add(DOCS[:2])

        def explode(*args, **kwargs):
            raise duckdb.IOException("disk full")

        monkeypatch.setattr(store.db, "_insert", explode)
        with pytest.raises(duckdb.IOException):
            store.add(DOCS[2:])
        monkeypatch.undo()
        assert counts(store) == (2, 2, 2, 2)
        assert {d.doc_id for d in store.documents()} == {"treasury", "mou"}


def test_empty_or_oversized_documents_are_refused(store, settings):
    with pytest.raises(ValueError, match="no text"):
        store.add([DocumentInput(text="\u200f \u200e")])
    huge = "word " * (settings.max_document_chars // 5 + 10)
    with pytest.raises(ValueError, match="over the limit"):
        store.add([DocumentInput(text=huge)])
    assert counts(store) == (4, 4, 4, 4)


@pytest.mark.parametrize("index_type", ["hnsw", "ivf"])
def test_approximate_index_types(tmp_path, settings, hash_embedder, index_type):
    chosen = settings.model_copy(update={"index_type": index_type})
    with EvidenceStore.open(tmp_path / index_type, chosen, hash_embedder) as store:
        store.add(DOCS)
        assert store.stats().index_type == index_type
        assert store.search("Cham Wings Treasury", k=1, mode="dense")[0].passage.doc_id == "treasury"
        store.remove(["treasury"])
        assert counts(store) == (3, 3, 3, 3)


def test_empty_store_searches_return_nothing(tmp_path, settings, hash_embedder):
    with EvidenceStore.open(tmp_path / "empty", settings, hash_embedder) as store:
        assert store.search("anything") == []
        assert store.stats().passages == 0


def test_bad_search_arguments(store):
    with pytest.raises(ValueError, match="mode"):
        store.search("x", mode="fuzzy")
    with pytest.raises(ValueError, match="k must be"):
        store.search("x", k=0)


def test_prior_fact_checks_keep_their_rating(store):
    check = DocumentInput(
        text="Claim: Cham Wings flew mercenaries to Benghazi. Our review found the flights carried civilians.",
        external_id="factcheck-1",
        publisher="Example Fact Check",
        claim_reviewed="Cham Wings flew mercenaries to Benghazi",
        rating="Unproven",
    )
    store.add([check])
    hit = store.search("Cham Wings mercenaries Benghazi", k=1)[0]
    assert (hit.passage.doc_id, hit.passage.rating) == ("factcheck-1", "Unproven")
    assert hit.passage.claim_reviewed == "Cham Wings flew mercenaries to Benghazi"
    assert store.documents(["factcheck-1"])[0].rating == "Unproven"


def test_search_hits_carry_the_generation_they_were_found_at(store):
    before = store.generation()
    [hit, *_] = store.search("Cham Wings designated by the Treasury", k=2)
    assert hit.store_generation == before

    store.add([DocumentInput(text="Cham Wings resumed flights to Benghazi in 2021.", external_id="resumed")])

    assert store.generation() == before + 1
    assert {found.store_generation for found in store.search("Cham Wings flights", k=3)} == {before + 1}


BATCH_TEXTS = st.sampled_from(["Flights resumed in May.", "Flights resumed in June.", "The cup final was postponed."])


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=st.lists(
        st.lists(st.tuples(st.sampled_from(["a", "b", "mou", None]), BATCH_TEXTS), min_size=1, max_size=6),
        min_size=1,
        max_size=3,
    )
)
def test_any_batch_of_repeated_ids_and_texts_is_stored_whole(tmp_path_factory, settings, hash_embedder, batches):
    with EvidenceStore.open(tmp_path_factory.mktemp("batches"), settings, hash_embedder) as store:
        store.add(DOCS)
        for batch in batches:
            documents = [DocumentInput(text=text, external_id=doc_id) for doc_id, text in batch]
            report = store.add(documents)  # never DuckDB's ConstraintException
            stored = [doc.doc_id for doc in store.documents()]
            assert set(report.added) | set(report.replaced) <= set(stored)
            assert all(doc_id in stored or doc_id in report.duplicates for doc_id, _ in batch if doc_id)
            assert counts(store) == (len(stored),) * 4
            texts = [passage.text for doc_id in stored for passage in store.db.passages_of(doc_id)]
            assert len({content_hash(text) for text in texts}) == len(texts)  # no content stored twice


TERMINAL_ATTACK = "\x1b]0;owned\x07\x1b[2J\x1b[5m\x9b31m\x7f\x00"


def test_control_characters_are_stripped_at_ingest(tmp_path, settings, hash_embedder):
    document = DocumentInput(
        text=f"Cham Wings {TERMINAL_ATTACK}resumed flights\r\nto Benghazi.\tAgain.",
        external_id=f"ctl{TERMINAL_ATTACK}",
        title=f"Title {TERMINAL_ATTACK}",
        publisher=TERMINAL_ATTACK,
        url=f"https://example.com/{TERMINAL_ATTACK}",
        rating=f"False{TERMINAL_ATTACK}",
        claim_reviewed=f"Claim{TERMINAL_ATTACK}",
    )
    with EvidenceStore.open(tmp_path / "store", settings, hash_embedder) as store:
        store.add([document])
        hit = store.search("Cham Wings Benghazi", k=1, mode="bm25")[0]
    with duckdb.connect(str(tmp_path / "store" / "evidence.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT doc_id, url, title, publisher, raw_text, claim_reviewed, rating FROM documents")
        values = [value for row in stored.fetchall() for value in row]
        values += [row[0] for row in con.execute("SELECT text FROM passages").fetchall()]
    left = "]0;owned[2J[5m31m"  # what the sequences leave without their control characters
    assert values[:4] == [f"ctl{left}", f"https://example.com/{left}", f"Title {left}", left]
    assert not [value for value in values if value and any(ch in value for ch in "\x1b\x07\x9b\x7f\x00\r")]
    assert "resumed flights\nto Benghazi.\tAgain." in values[4]  # newlines (CRLF made LF) and tabs stay
    assert hit.passage.text == values[-1] and "\x1b" not in hit.passage.title
