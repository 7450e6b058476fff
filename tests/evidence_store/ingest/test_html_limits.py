"""Pages too big a tree to read in bounded time are one issue each, the rest of the batch is read (issue 22)."""

import pytest

from evidence_store.ingest.html import MAX_HTML_NODES, MAX_TAG_ATTRIBUTES, TooManyNodes, html_to_document
from evidence_store.ingest.sources import load_sources

ARTICLE = "<p>" + "The ministry said that three trucks crossed the border on Monday near the city. " * 5 + "</p>"


def _page(body: str) -> str:
    return f"<html><head><title>Page</title></head><body>{body}</body></html>"


def test_a_page_of_tags_or_attributes_is_one_issue_and_the_rest_is_read(tmp_path, settings):
    pages = {
        "tags.html": _page("<p>" * 1_800_000),  # 5.4 MB: trafilatura's passes took over 5 minutes
        "attributes.html": _page("<div " + " ".join(f'a{i}="v"' for i in range(350_000)) + ">" + ARTICLE + "</div>"),
        "good.html": _page(ARTICLE),
    }
    for name, page in pages.items():
        (tmp_path / name).write_text(page, encoding="utf-8")
    loaded = load_sources([str(tmp_path / name) for name in pages], settings)
    assert [doc.title for doc in loaded.documents] == ["Page"]
    assert [issue.source for issue in loaded.issues] == [str(tmp_path / "tags.html"), str(tmp_path / "attributes.html")]
    assert "elements and attributes, over the 200,000 limit" in loaded.issues[0].message
    assert "attributes, over the 10,000 limit" in loaded.issues[1].message


def test_the_limits_name_what_is_wrong():
    with pytest.raises(TooManyNodes) as elements:
        html_to_document(_page("<br>" * (MAX_HTML_NODES + 1)), url="https://example.org/a")
    assert str(elements.value) == "https://example.org/a: 200,005 elements and attributes, over the 200,000 limit"
    with pytest.raises(TooManyNodes) as attributes:
        html_to_document(_page("<div " + "x=1 " * (MAX_TAG_ATTRIBUTES + 1) + ">" + ARTICLE + "</div>"))
    assert str(attributes.value) == "HTML: a tag with 10,001 attributes, over the 10,000 limit"


def test_a_page_under_the_limits_is_read_as_before():
    document = html_to_document(_page("<span>x</span>" * 10_000 + ARTICLE))
    assert "three trucks crossed the border" in document.text
