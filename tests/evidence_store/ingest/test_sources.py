import json

import pytest

from evidence_store.ingest.records import IngestRejected
from evidence_store.ingest.sources import load_sources


def write_jsonl(path, records):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records), encoding="utf-8")


def test_skip_mode_keeps_good_records_and_lists_bad_ones(tmp_path, settings):
    path = tmp_path / "docs.jsonl"
    write_jsonl(path, [{"text": "good one"}, "oops", {"text": "good two"}])
    loaded = load_sources([str(path), str(tmp_path / "nowhere.csv")], settings)
    assert [d.text for d in loaded.documents] == ["good one", "good two"]
    assert [(i.line, i.message) for i in loaded.issues] == [
        (2, "invalid JSON (Expecting value)"),
        (None, "no such file or folder"),
    ]


def test_reject_mode_raises_with_every_issue(tmp_path, settings):
    path = tmp_path / "docs.jsonl"
    write_jsonl(path, [{"text": "good"}, {"id": "x"}])
    with pytest.raises(IngestRejected, match=r"1 bad record\(s\), nothing added: .*docs.jsonl:2: missing"):
        load_sources([str(path)], settings, on_error="reject")
