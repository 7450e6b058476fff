import encodings.aliases
import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from evidence_store.ingest.feeds import parse_feed
from evidence_store.ingest.files import read_capped, read_file
from evidence_store.ingest.records import IngestIssue
from evidence_store.ingest.sources import read_source
from evidence_store.settings import StoreSettings
from evidence_store.types import DocumentInput
from tests.support.bounded import bounded
from tests.support.pages import ARTICLE_HTML
from verify.extract.intake import ArticleError, article_from_bytes, read_article


def test_folder_of_text_markdown_and_html(tmp_path):
    (tmp_path / "a.txt").write_text("Plain text evidence about Benghazi flights.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# A heading\n\nMarkdown body text.", encoding="utf-8")
    (tmp_path / "c.html").write_text(ARTICLE_HTML, encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF-1.4")
    items = list(read_source(str(tmp_path), StoreSettings()))  # a folder, as the CLI and the flow read it
    assert all(isinstance(item, DocumentInput) for item in items)
    by_name = {item.url.rsplit("/", 1)[1]: item for item in items}
    assert set(by_name) == {"a.txt", "b.md", "c.html"}
    assert by_name["b.md"].title == "A heading"
    html = by_name["c.html"]
    assert "Damascus and Benghazi" in html.text and "Home" not in html.text and "Copyright" not in html.text
    assert html.title == "Cham Wings flights resume"


def test_a_title_taken_from_a_file_name_keeps_no_control_characters(tmp_path):
    paragraph = "Flights operated by the Syrian carrier Cham Wings between Damascus and Benghazi continued. " * 3
    untitled = f"<html><body><article><p>{paragraph}</p></article></body></html>"
    path = tmp_path / "notes\x1b]0;owned\x07.html"
    path.write_text(untitled, encoding="utf-8")
    document = read_file(path)
    assert isinstance(document, DocumentInput)
    assert document.title is not None and "owned" in document.title
    assert not any(ord(char) < 32 for char in document.title)


def test_bad_files_are_issues_not_crashes(tmp_path):
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    latin = tmp_path / "y.txt"
    latin.write_bytes("café".encode("latin-1"))
    empty = tmp_path / "z.md"
    empty.write_text("  \n", encoding="utf-8")
    furniture = tmp_path / "nav.html"
    furniture.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    other = tmp_path / "doc.pdf"
    other.write_bytes(b"%PDF")
    messages = {path.name: read_file(path) for path in (binary, latin, empty, furniture, other)}
    assert all(isinstance(issue, IngestIssue) for issue in messages.values())
    assert messages["x.txt"].message == "binary file, not text"
    assert messages["y.txt"].message.startswith("invalid UTF-8")
    assert messages["z.md"].message == "empty file"
    assert messages["nav.html"].message == "no article text in the HTML"
    assert messages["doc.pdf"].message == "unsupported file type .pdf"


# ---------------------------------------------------------------- special files and declared charsets


def bounded_on(path: Path, call: Callable[[], object]) -> object:
    """``bounded(call)``; a reader stuck opening the FIFO ``path`` is released by opening its other end."""
    return bounded(call, 20, lambda: os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK)))


@pytest.fixture
def fifo(tmp_path):
    def make(name: str) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        return path

    return make


@pytest.mark.parametrize("name", ["pipe.txt", "pipe.html", "pipe.jsonl", "pipe.csv", "pipe.json", "pipe"])
def test_evidence_from_a_fifo_is_refused_without_blocking(fifo, settings, name):
    path = fifo(name)
    (issue,) = bounded_on(path, lambda: list(read_source(str(path), settings)))
    assert isinstance(issue, IngestIssue)
    assert issue.message == "is a named pipe (FIFO), not a regular file"


def test_read_capped_and_read_file_refuse_a_fifo_without_blocking(fifo):
    path = fifo("pipe.md")
    issue = bounded_on(path, lambda: read_file(path))
    assert isinstance(issue, IngestIssue) and "named pipe (FIFO)" in issue.message
    assert "named pipe (FIFO)" in bounded_on(path, lambda: read_capped(path, 1000)).message


def test_a_device_and_a_socket_are_refused(tmp_path, settings):
    (issue,) = bounded(lambda: list(read_source("/dev/zero", settings)))
    assert issue.message == "is a device, not a regular file"
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(tmp_path / "s.txt"))
        (issue,) = list(read_source(str(tmp_path / "s.txt"), settings))
    finally:
        listener.close()
    assert issue.message == "is a socket, not a regular file"


def test_an_article_file_that_is_a_fifo_is_refused_without_blocking(fifo, settings):
    path = fifo("article.txt")
    error = bounded_on(path, lambda: read_article(str(path), settings))
    assert isinstance(error, ArticleError)
    assert str(error) == f"{path}: is a named pipe (FIFO), not a regular file"


CODEC_NAMES = sorted(set(encodings.aliases.aliases.values()) | {"undefined", "idna", "punycode", "unicode_escape"})
ARTICLE = "<p>" + "The delegation arrived in Damascus on Monday, airport officials said. " * 4 + "</p>"


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode", "rot13", "base64", "klingon-8"])
def test_an_article_declaring_a_charset_that_is_not_one_is_read_as_utf8(settings, charset):
    page = f'<html><head><meta charset="{charset}"></head><body><article>{ARTICLE}</article></body></html>'
    article = article_from_bytes(page.encode(), settings, source="page.html")
    assert "The delegation arrived in Damascus" in article.text


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.one_of(st.sampled_from(CODEC_NAMES), st.from_regex(r"[\w-]{1,16}")))
def test_any_meta_charset_gives_an_article_or_one_article_error(settings, charset):
    page = f'<html><head><meta charset="{charset}"></head><body><article>{ARTICLE}</article></body></html>'
    try:
        article_from_bytes(page.encode(), settings, source="page.html")
    except ArticleError as exc:
        assert str(exc).startswith("page.html: ") and "\n" not in str(exc)


def test_a_feed_declaring_an_undefined_encoding_is_read(settings):
    item = "<item><guid>g1</guid><title>وفد</title></item>"
    feed = f'<?xml version="1.0" encoding="undefined"?><rss><channel>{item}</channel></rss>'
    _, items = parse_feed(feed, "http://example.org/feed")
    assert [item.title for item in items] == ["وفد"]
