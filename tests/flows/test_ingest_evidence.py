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


def test_ingest_sources_and_feed(flow_home, e5, tmp_path, feed_server):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "t1", "text": "The Treasury designated Cham Wings in 2016.", "publisher": "Treasury"}
                ),
                "{broken",
            ]
        ),
        encoding="utf-8",
    )
    summary = ingest_evidence(IngestRequest(sources=[str(corpus)], feeds=[f"{feed_server}/feed.xml"]))
    assert summary.documents_added == 3  # one from the file, two from the feed (one link is dead)
    assert any("corpus.jsonl:2: invalid JSON" in issue for issue in summary.issues)
    assert any("HTTP 404" in issue for issue in summary.issues)
    assert runtime.evidence_store().stats().documents == 3

    again = ingest_evidence(IngestRequest(feeds=[f"{feed_server}/feed.xml"]))
    assert again.documents_added == 0 and again.feed_items_new == 1  # only the dead link is retried

    artifacts = asyncio.run(_artifact("evidence-ingest"))
    assert artifacts and "documents added" in artifacts[0].data
