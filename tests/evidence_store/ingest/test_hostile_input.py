"""Property-based tests: hostile files and pages never crash a parser; every failure is a clear issue."""

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store.ingest.claimreview import claim_reviews_in_html, read_claim_review_file
from evidence_store.ingest.feeds import parse_feed
from evidence_store.ingest.html import NoArticleText, html_to_document
from evidence_store.ingest.records import IngestIssue, IngestRejected, RecordError
from evidence_store.ingest.sources import load_sources, read_source
from evidence_store.ingest.tabular import read_csv, read_jsonl
from evidence_store.settings import StoreSettings
from evidence_store.types import DocumentInput
from tests.support import hostile

LIMIT = 60_000  # bytes per record in these tests, so the huge inputs cross it
examples = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.fixture(scope="module")
def small_limits(tmp_path_factory) -> StoreSettings:
    return StoreSettings(
        home=tmp_path_factory.mktemp("hostile-home"),
        max_record_bytes=LIMIT,
        max_document_chars=40_000,
        max_passages_per_document=30,
    )


def check_items(items: list, lines: int | None = None) -> None:
    """Every item is a document with text or an issue with a one-line message (and a line in range)."""
    for item in items:
        assert isinstance(item, DocumentInput | IngestIssue), type(item)
        if isinstance(item, IngestIssue):
            assert item.message.strip() and "\n" not in item.message and len(item.message) < 400
            assert "Traceback" not in item.message
            if lines is not None and item.line is not None:
                assert 1 <= item.line <= lines
        else:
            assert item.text.strip()


def scratch(name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    path = folder / name
    path.write_bytes(data)
    return path


@examples
@given(st.lists(hostile.jsonl_line, max_size=8))
def test_jsonl_lines_each_give_a_document_or_an_issue(lines):
    data = b"\n".join(lines)
    items = list(read_jsonl(scratch("corpus.jsonl", data), max_record_bytes=LIMIT))
    check_items(items, lines=len(lines))
    expected = sum(1 for line in data.split(b"\n") if line.strip() or len(line) > LIMIT)
    assert len(items) == expected
    too_long = [line for line in data.split(b"\n") if len(line) > LIMIT]
    assert sum("record limit" in getattr(item, "message", "") for item in items) == len(too_long)


def _csv_text(rows: list[list[str]], raw_lines: list[str], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue() + "\n".join(raw_lines)


@examples
@given(
    st.lists(st.lists(hostile.hostile_text, min_size=1, max_size=4), max_size=5),
    st.lists(hostile.text, max_size=3),
    st.sampled_from([["text", "id"], ["id", "title", "text"], ["body"], ["nothing"], ['"text']]),
    st.sampled_from(["utf-8", "utf-16", "cp1256"]),
)
def test_csv_rows_each_give_a_document_or_an_issue(rows, raw_lines, header, encoding):
    data = _csv_text(rows, raw_lines, header).encode(encoding, errors="replace")
    items = list(read_csv(scratch("corpus.csv", data), max_record_bytes=LIMIT))
    check_items(items)


@examples
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a.txt", "b.md", "c.html", "d.htm", "e.bin", "f.markdown", "سند.txt", ".hidden.txt"]),
            st.one_of(hostile.hostile_text.map(str.encode), st.binary(max_size=300), hostile.html_page.map(str.encode)),
        ),
        max_size=5,
        unique_by=lambda pair: pair[0],
    )
)
def test_folder_files_each_give_a_document_or_an_issue(files):
    folder = Path(tempfile.mkdtemp(prefix="hostile-folder-"))
    (folder / "sub").mkdir()
    for name, data in files:
        (folder / "sub" / name).write_bytes(data)
    items = list(read_source(str(folder), StoreSettings(max_record_bytes=LIMIT)))
    check_items(items)
    readable = [name for name, _ in files if not name.startswith(".") and not name.endswith(".bin")]
    assert len(items) == len(readable)


@examples
@given(hostile.html_page)
def test_html_pages_give_an_article_or_no_article_text(html):
    try:
        document = html_to_document(html, url="https://example.org/page")
    except NoArticleText as exc:
        assert "no article text" in str(exc)
    else:
        assert document.text.strip()
    for review in claim_reviews_in_html(html):
        assert review.rating and review.claim_reviewed


claim_review = st.fixed_dictionaries(
    {"@type": st.sampled_from(["ClaimReview", ["ClaimReview", "Review"]])},
    optional={
        "claimReviewed": st.one_of(hostile.hostile_text, hostile.json_value),
        "reviewRating": st.one_of(
            hostile.json_value,
            st.fixed_dictionaries({"alternateName": st.one_of(hostile.text, hostile.json_value)}),
        ),
        "author": hostile.json_value,
        "itemReviewed": hostile.json_value,
        "datePublished": st.one_of(hostile.text, hostile.json_value),
        "url": st.one_of(hostile.text, hostile.json_value),
        "inLanguage": hostile.json_value,
    },
)
claim_review_file = st.one_of(
    st.lists(claim_review, max_size=3).map(lambda reviews: json.dumps({"@graph": reviews}).encode()),
    st.recursive(claim_review, lambda inner: st.lists(inner, max_size=3), max_leaves=5).map(
        lambda data: json.dumps(data).encode()
    ),
    hostile.deep_json.map(str.encode),
    st.binary(max_size=200),
)


@examples
@given(claim_review_file)
def test_claim_review_files_give_fact_checks_or_issues(data):
    items = list(read_claim_review_file(scratch("reviews.json", data), max_bytes=LIMIT))
    check_items(items)
    assert items  # an empty or broken file is reported, never silently skipped
    for item in items:
        if isinstance(item, DocumentInput):
            assert item.rating and item.claim_reviewed
    html = f'<script type="application/ld+json">{data.decode("utf-8", "replace")}</script>'
    for review in claim_reviews_in_html(html):
        assert review.rating and review.claim_reviewed


feed_xml = st.tuples(hostile.text, hostile.hostile_text, hostile.text, hostile.text).map(
    lambda parts: (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{parts[0]}</title>'
        f"<item><guid>{parts[2]}</guid><link>{parts[3]}</link><description>{parts[1]}</description>"
        f"<pubDate>{parts[3]}</pubDate></item></channel></rss>"
    )
)


@examples
@given(st.one_of(feed_xml, hostile.hostile_text, hostile.deep_json))
def test_feeds_give_items_or_a_clear_error(text):
    try:
        _, items = parse_feed(text, "https://example.org/feed.xml")
    except RecordError as exc:
        assert str(exc).startswith("https://example.org/feed.xml: not an RSS or Atom feed")
    else:
        assert all(item.key for item in items)


@examples
@given(st.lists(hostile.jsonl_line, min_size=1, max_size=6), st.sampled_from(["skip", "reject"]))
def test_loading_hostile_sources_never_crashes(small_limits, lines, on_error):
    path = scratch("batch.jsonl", b"\n".join(lines))
    try:
        loaded = load_sources([str(path)], small_limits, on_error=on_error)
    except IngestRejected as exc:
        assert on_error == "reject" and exc.issues
        return
    check_items([*loaded.documents, *loaded.issues])
    for document in loaded.documents:  # what reaches the store is within its limits
        assert len(document.text) <= small_limits.max_document_chars


# ---------------------------------------------------------------- limits, one at a time


def test_a_record_over_the_size_limit_is_an_issue_and_the_rest_still_load(small_limits, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"text": "A first, normal record."})
        + "\n"
        + json.dumps({"text": "x" * (LIMIT + 10)})
        + "\n"
        + json.dumps({"text": "A third record."})
    )
    loaded = load_sources([str(corpus)], small_limits)
    assert [d.text for d in loaded.documents] == ["A first, normal record.", "A third record."]
    ((line, message),) = [(issue.line, issue.message) for issue in loaded.issues]
    assert line == 2 and message == "line is over the 60,000-byte record limit (SANAD_MAX_RECORD_BYTES)"


def test_files_over_the_size_limit_are_not_read_whole(small_limits, tmp_path):
    (tmp_path / "big.txt").write_text("word " * LIMIT)
    (tmp_path / "reviews.json").write_text("[" + " " * LIMIT + "]")
    loaded = load_sources([str(tmp_path / "big.txt"), str(tmp_path / "reviews.json")], small_limits)
    assert [issue.message for issue in loaded.issues] == [
        "file is over the 60,000-byte record limit (SANAD_MAX_RECORD_BYTES)"
    ] * 2


def test_documents_the_store_would_refuse_are_issues_not_a_failed_batch(small_limits, tmp_path):
    many_sentences = " ".join(f"Sentence number {n} is about the sanctions." for n in range(2_000))
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(record)
            for record in (
                {"id": "ok", "text": "A normal record about Cham Wings."},
                {"id": "long", "text": "y" * 45_000},
                {"id": "chunky", "text": many_sentences[:39_000]},
                {"id": "invisible", "text": "\u200f\u200e\u2066\u00ad \u2069 …"},
            )
        )
    )
    loaded = load_sources([str(corpus)], small_limits)
    assert [d.external_id for d in loaded.documents] == ["ok"]
    messages = {issue.source.split("(")[-1].rstrip(")"): issue.message for issue in loaded.issues}
    assert messages["long"] == "document has 45,000 characters, over the limit of 40,000 (SANAD_MAX_DOCUMENT_CHARS)"
    assert messages["chunky"].endswith("passages, over the limit of 30 (SANAD_MAX_PASSAGES_PER_DOCUMENT)")
    assert messages["invisible"] == "document has no text"


def test_a_feed_body_naming_a_url_or_a_file_is_not_fetched_or_opened(tmp_path):
    """feedparser fetches a str that looks like a URL and opens one that names a file; Sanad passes bytes."""
    local = tmp_path / "secret-feed.xml"
    local.write_text('<rss version="2.0"><channel><item><guid>secret</guid><description>x</description></item>')
    for body in (str(local), local.as_uri(), "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(RecordError, match="not an RSS or Atom feed"):
            parse_feed(body, "https://example.org/feed.xml")
