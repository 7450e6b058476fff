from evidence_store.ingest.files import read_file, read_folder
from evidence_store.ingest.records import IngestIssue
from evidence_store.types import DocumentInput
from tests.support.pages import ARTICLE_HTML


def test_folder_of_text_markdown_and_html(tmp_path):
    (tmp_path / "a.txt").write_text("Plain text evidence about Benghazi flights.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# A heading\n\nMarkdown body text.", encoding="utf-8")
    (tmp_path / "c.html").write_text(ARTICLE_HTML, encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF-1.4")
    items = list(read_folder(tmp_path))
    assert all(isinstance(item, DocumentInput) for item in items)
    by_name = {item.url.rsplit("/", 1)[1]: item for item in items}
    assert set(by_name) == {"a.txt", "b.md", "c.html"}
    assert by_name["b.md"].title == "A heading"
    html = by_name["c.html"]
    assert "Damascus and Benghazi" in html.text and "Home" not in html.text and "Copyright" not in html.text
    assert html.title == "Cham Wings flights resume"


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
