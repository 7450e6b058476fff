"""The ingest-evidence flow on a real (temporary) Prefect server."""

import asyncio
import json

from prefect.client.orchestration import get_client

from flows import runtime
from flows.ingest_evidence import ingest_evidence
from flows.params import IngestRequest


async def _artifact(key: str):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async with get_client() as client:
        artifacts = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    return artifacts


def test_ingest_sources_and_feed(flow_home, e5, feed_server):
    (flow_home / "inbox").mkdir()
    corpus = flow_home / "inbox" / "corpus.jsonl"  # the flow reads files from SANAD_HOME/inbox by default
    corpus.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "t1", "text": "The Treasury designated Cham Wings in 2016.", "publisher": "Treasury"}
                ),
                "{broken",
                json.dumps({"id": "t1", "text": "Another text under the same id."}),
            ]
        ),
        encoding="utf-8",
    )
    summary = ingest_evidence(IngestRequest(sources=[str(corpus)], feeds=[f"{feed_server}/feed.xml"]))
    assert summary.documents_added == 3  # one from the file, two from the feed (one link is dead)
    assert any("corpus.jsonl:2: invalid JSON" in issue for issue in summary.issues)
    assert f"{corpus}:3: id 't1' already appears on line 1; skipped" in summary.issues
    assert any("HTTP 404" in issue for issue in summary.issues)
    assert runtime.evidence_store().stats().documents == 3

    again = ingest_evidence(IngestRequest(feeds=[f"{feed_server}/feed.xml"]))
    assert again.documents_added == 0 and again.feed_items_new == 1  # only the dead link is retried

    artifacts = asyncio.run(_artifact("evidence-ingest"))
    assert artifacts and "documents added" in artifacts[0].data


def test_files_outside_the_ingest_roots_are_refused(flow_home, e5, tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "folder").mkdir(parents=True)
    (root / "ok.txt").write_text("A desk note about flights to Benghazi.", encoding="utf-8")
    (root / "folder" / "good.md").write_text("# Good\nA report on the ministry delegation.", encoding="utf-8")
    (root / "folder" / "leak.txt").symlink_to("/etc/passwd")
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (tmp_path / "outside.txt").write_text("Beside the root, not in it.", encoding="utf-8")
    monkeypatch.setenv("SANAD_INGEST_ROOTS", json.dumps([str(root)]))
    runtime.reset()

    sources = [
        "/etc/passwd",
        str(root / "passwd.txt"),
        f"{root}/../outside.txt",
        str(root / "folder"),
        str(root / "ok.txt"),
    ]
    summary = ingest_evidence(IngestRequest(sources=sources))
    refused = f"outside the allowed ingest folders (SANAD_INGEST_ROOTS: {root.resolve()})"
    assert summary.issues == [
        f"/etc/passwd: {refused}",
        f"{root}/passwd.txt: {refused}",
        f"{root}/../outside.txt: {refused}",
        f"{root}/folder/leak.txt: {refused}",
    ]
    assert summary.documents_added == 2
    assert sorted(doc.title for doc in runtime.evidence_store().documents()) == ["Good", "ok"]
