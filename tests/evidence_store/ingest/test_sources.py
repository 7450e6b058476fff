import json

import pytest

from evidence_store.ingest.records import IngestRejected
from evidence_store.ingest.sources import ingest_roots, load_sources


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


def hostile_tree(tmp_path):
    """An ingest root holding a good file, a folder with a symlink out of the root and a symlinked folder,
    a file symlinked to /etc/passwd; and a file beside the root."""
    root = tmp_path / "root"
    (root / "folder" / "deeper").mkdir(parents=True)
    (root / "ok.txt").write_text("A desk note about flights to Benghazi.", encoding="utf-8")
    (root / "folder" / "good.md").write_text("# Good\nA report on the ministry delegation.", encoding="utf-8")
    (root / "folder" / "deeper" / "fine.txt").write_text("Another report inside the root.", encoding="utf-8")
    (root / "folder" / "leak.txt").symlink_to("/etc/passwd")
    (root / "folder" / "etc").symlink_to("/etc", target_is_directory=True)
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (tmp_path / "outside.txt").write_text("Beside the root, not in it.", encoding="utf-8")
    return root


def test_with_roots_only_files_inside_them_are_read(tmp_path, settings):
    root = hostile_tree(tmp_path)
    sources = ["/etc/passwd", str(root / "passwd.txt"), f"{root}/../outside.txt", str(root / "folder"), str(root)]
    loaded = load_sources(sources, settings, roots=[root.resolve()])
    refused = f"outside the allowed ingest folders (SANAD_INGEST_ROOTS: {root.resolve()})"
    assert [str(issue) for issue in loaded.issues] == [
        f"/etc/passwd: {refused}",
        f"{root}/passwd.txt: {refused}",
        f"{root}/../outside.txt: {refused}",
        f"{root}/folder/leak.txt: {refused}",
        f"{root}/folder/leak.txt: {refused}",
        f"{root}/passwd.txt: {refused}",
    ]
    assert sorted(doc.title for doc in loaded.documents) == ["Good", "Good", "fine", "fine", "ok"]
    assert not any("root:" in doc.text for doc in loaded.documents)


def test_without_roots_any_path_is_read(tmp_path, settings):
    root = hostile_tree(tmp_path)
    loaded = load_sources([str(tmp_path / "outside.txt"), str(root / "passwd.txt")], settings)
    assert [doc.title for doc in loaded.documents] == ["outside", "passwd"]  # the command line's user chose


def test_the_default_ingest_root_is_the_inbox_of_sanad_home(tmp_path, settings):
    assert ingest_roots(settings) == ((settings.home / "inbox").resolve(),)
    configured = settings.model_copy(update={"ingest_roots": [tmp_path / "a", tmp_path / "b" / ".." / "c"]})
    assert ingest_roots(configured) == (tmp_path.resolve() / "a", tmp_path.resolve() / "c")


def test_a_symlink_loop_is_refused(tmp_path, settings):
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (issue,) = load_sources([str(tmp_path / "loop.txt")], settings, roots=[tmp_path]).issues
    assert issue.message == "unresolvable path (a symlink loop?)"


def test_an_id_repeated_in_a_file_keeps_its_first_record(tmp_path, settings):
    path = tmp_path / "docs.jsonl"
    write_jsonl(path, [{"id": "x", "text": "first"}, {"id": "x", "text": "second"}])
    loaded = load_sources([str(path)], settings)
    assert [d.text for d in loaded.documents] == ["first"]
    assert [str(i) for i in loaded.issues] == [f"{path}:2: id 'x' already appears on line 1; skipped"]
    with pytest.raises(IngestRejected, match="id 'x' already appears on line 1"):
        load_sources([str(path)], settings, on_error="reject")
