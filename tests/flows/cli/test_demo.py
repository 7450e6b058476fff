"""The demo: the demo corpus is ingested (idempotently) and Arabic sentences retrieve English reporting."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence_store.demo import DEMO_CORPUS
from evidence_store.ingest.sources import load_jsonl_corpus
from evidence_store.store import EvidenceStore
from flows.cli import app
from tests.support.shared import SAMPLE_ARTICLE

DEMO_DOCUMENTS, DEMO_ISSUES = load_jsonl_corpus(DEMO_CORPUS)


def test_demo_corpus_is_well_formed():
    assert not DEMO_ISSUES
    assert 30 <= len(DEMO_DOCUMENTS) <= 60
    assert {d.language for d in DEMO_DOCUMENTS} == {"ar", "en"}
    for doc in DEMO_DOCUMENTS:
        assert doc.publisher and doc.url and doc.url.startswith(("https://", "http://")) and doc.published_at, (
            doc.external_id
        )
    assert len({d.external_id for d in DEMO_DOCUMENTS}) == len(DEMO_DOCUMENTS)


def test_arabic_sanctions_sentence_retrieves_english_reporting(tmp_path, settings, e5):
    sentence = 'الرحلات لم تتوقف بين دمشق وبنغازي، وتحديدا على خطوط "أجنحة الشام" المفروض عليها عقوبات أمريكية'
    with EvidenceStore.open(tmp_path / "demo", settings, e5) as store:
        store.add(DEMO_DOCUMENTS)
        english = store.search(sentence, k=3, language="en")
    assert english, "no English passage retrieved"
    texts = [hit.passage.text for hit in english]
    assert all("Cham Wings" in text for text in texts), texts  # the sentence's flights and sanctions
    assert any("sanction" in text.lower() for text in texts), texts


def test_demo_verifies_the_sample_through_the_flow(flow_home, e5):
    if not SAMPLE_ARTICLE.exists():
        pytest.skip("sample article not available")
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--article", str(SAMPLE_ARTICLE)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_DOCUMENTS)} new document(s)" in first.output
    for badge in ("SUPPORTED", "UNVERIFIED"):  # nothing in the demo corpus contradicts the sample (issue 20)
        assert badge in first.output
    assert "Cited evidence" in first.output
    html = Path(first.output.split("HTML report: ")[1].split()[0])
    assert html.is_file() and "<html" in html.read_text(encoding="utf-8").lower()
    again = runner.invoke(app, ["demo", "--article", str(SAMPLE_ARTICLE)], catch_exceptions=False)
    assert f"0 new document(s), {len(DEMO_DOCUMENTS)} already stored" in again.output
