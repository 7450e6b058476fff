import json

from evidence_store.ingest.records import IngestIssue
from evidence_store.ingest.sources import load_jsonl_corpus
from evidence_store.ingest.tabular import read_csv, read_jsonl
from evidence_store.types import DocumentInput
from tests.support.shared import shared_file


def test_jsonl_reports_bad_lines_by_number(tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "First document.", "date": "2020-01-01"}),
        "",
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "Third.", "published_at": "not a date"}),
        json.dumps({"id": "d", "text": "Fourth document."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    issues = [i for i in items if isinstance(i, IngestIssue)]
    docs = [i for i in items if isinstance(i, DocumentInput)]
    assert [d.external_id for d in docs] == ["a", "d"]
    assert [(i.line, i.message.split(" (")[0]) for i in issues] == [
        (3, "invalid JSON"),
        (4, "missing or empty 'text'"),
        (5, "unparsable date 'not a date'"),
    ]
    assert str(issues[0]).startswith(f"{path}:3: ")


def test_jsonl_with_invalid_utf8_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "\xff\xfe"}\n')
    items = list(read_jsonl(path))
    assert isinstance(items[0], DocumentInput)
    assert isinstance(items[1], IngestIssue) and items[1].message == "invalid UTF-8" and items[1].line == 2


def test_csv_rows_and_errors(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text(
        'id,text,publisher,date\n1,"A, quoted; text",AFP,2021-12-02\n'
        "2,,AFP,2021\n3,Fine text,AP,nonsense\n4,x,y,z,extra\n",
        encoding="utf-8",
    )
    items = list(read_csv(path))
    docs = [i for i in items if isinstance(i, DocumentInput)]
    issues = [i for i in items if isinstance(i, IngestIssue)]
    assert [(d.external_id, d.text, d.publisher) for d in docs] == [("1", "A, quoted; text", "AFP")]
    assert [i.line for i in issues] == [3, 4, 5]
    assert "more fields than the header" in issues[-1].message


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("id,title\n1,hello\n", encoding="utf-8")
    (issue,) = list(read_csv(path))
    assert isinstance(issue, IngestIssue) and "no 'text' column" in issue.message


def test_shared_retrieval_corpora_load_as_they_are():
    for name in (
        "retrieval_ans_ar_corpus.jsonl",
        "retrieval_scifact_en_corpus.jsonl",
        "retrieval_climatefever_en_corpus.jsonl",
    ):
        documents, issues = load_jsonl_corpus(shared_file(name))
        assert not issues, issues[:3]
        assert len(documents) > 2000
        assert all(doc.external_id and doc.language in ("ar", "en") for doc in documents)


def test_an_id_repeated_in_a_jsonl_file_is_reported_and_skipped(tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "text": "First version."},
        {"id": "b", "text": "Another document."},
        {"id": "a", "text": "Second version."},
        {"id": "a", "text": "First version."},
        {"text": "No id."},
        {"text": "No id."},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    assert [(d.external_id, d.text) for d in items if isinstance(d, DocumentInput)] == [
        ("a", "First version."),
        ("b", "Another document."),
        (None, "No id."),
        (None, "No id."),  # no id: the store skips the same content as a duplicate
    ]
    issues = [str(i) for i in items if isinstance(i, IngestIssue)]
    assert issues == [
        f"{path}:3: id 'a' already appears on line 1; skipped",
        f"{path}:4: id 'a' already appears on line 1; skipped",
    ]


def test_an_id_repeated_in_a_csv_file_is_reported_and_skipped(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text('id,text\n7,"First,\nover two lines"\n8,Other\n7,Second\n', encoding="utf-8")
    items = list(read_csv(path))
    assert [d.external_id for d in items if isinstance(d, DocumentInput)] == ["7", "8"]
    (issue,) = [i for i in items if isinstance(i, IngestIssue)]
    assert (issue.line, issue.message) == (5, "id '7' already appears on line 3; skipped")
