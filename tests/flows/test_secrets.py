"""The LLM API key reaches the LLM's Authorization header and nowhere else: not logs (ours, httpx's,
Prefect's run logs), not artifacts, not the reports database, not errors, not reprs, not output."""

import asyncio
import logging
import secrets
import traceback

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler

from evidence_store.types import DocumentInput
from flows import runtime
from flows.params import ArticleInput, VerifyOptions
from flows.verify_article import run_verify_article
from tests.support.fake_chat import FakeChat
from verify.reports.export import to_json
from verify.settings import Settings
from verify.stance.llm import LLMJudge, StanceBackendError
from verify.stance.protocol import StancePair

KEY = f"sk-sanad-{secrets.token_hex(16)}"
PART = KEY[9:25]  # 16 random hex digits: a truncated key is a leak too
ARTICLE = (
    "The US Treasury imposed sanctions on the Syrian airline Cham Wings in December 2016, officials said. "
    "Treasury said the airline had flown militants into Syria for the government."
)


@pytest.fixture
def chat():
    with FakeChat().served() as fake:
        yield fake


@pytest.fixture
def llm_home(flow_home, e5, chat, monkeypatch):
    """A SANAD_HOME whose stance backend is an LLM at ``chat``, with a key, and a little evidence."""
    for name, value in {
        "SANAD_STANCE_BACKEND": "llm",
        "SANAD_LLM_BASE_URL": chat.url,
        "SANAD_LLM_MODEL": "judge-1",
        "SANAD_LLM_API_KEY": KEY,
        "SANAD_LLM_RETRIES": "1",
        "SANAD_LLM_TIMEOUT_S": "5",
    }.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    runtime.evidence_store().add(
        [
            DocumentInput(
                text="The US Treasury designated Cham Wings Airlines in December 2016 for transporting militants.",
                publisher="US Department of the Treasury",
                url="https://home.treasury.gov/news/press-releases/jl0693",
            )
        ]
    )
    return flow_home


async def _run_logs_and_artifacts(run_ids: list[str]) -> str:
    await APILogHandler.aflush()  # run logs reach the server in background batches
    async with get_client() as client:
        texts = []
        for run_id in run_ids:
            run = await client.read_flow_run(run_id)
            texts += [str(run.parameters), str(run.state.message), str(run.state.data)]
            logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            texts += [log.message for log in logs]
            assert logs, "the run logged nothing: the check below would prove nothing"
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["verdict-report", "verdict-table"]))
        )
        texts += [str(artifact.data) for artifact in artifacts]
        assert artifacts
    return "\n".join(texts)


def test_the_api_key_goes_only_into_the_authorization_header(llm_home, chat, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    chat.answers = [(200, '{"stance": "supports", "confidence": 0.9}')] * 20
    summary = run_verify_article(ArticleInput(text=ARTICLE), VerifyOptions(max_claims=2))
    assert chat.requests and all(request["auth"] == f"Bearer {KEY}" for request in chat.requests)

    chat.answers = [(500, "")] * 20  # a run that fails in the LLM stage records its error
    with pytest.raises(StanceBackendError) as failed:
        run_verify_article(
            ArticleInput(text=ARTICLE + " A new sentence makes a new article."), VerifyOptions(max_claims=1)
        )
    with duckdb.connect(str(llm_home / "reports.duckdb"), read_only=True) as con:
        runs = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    assert runs[summary.run_id] == "completed" and sorted(runs.values()) == ["completed", "failed"]
    failed_id = next(run_id for run_id, status in runs.items() if status == "failed")

    exposed = {
        "logs": caplog.text,
        "output": "".join(capsys.readouterr()),
        "prefect": asyncio.run(_run_logs_and_artifacts(list(runs))),
        "reports": to_json(runtime.reports().report()) + str(runtime.reports().run(failed_id)),
        "error": "".join(traceback.format_exception(failed.value)) + repr(failed.value),
        "settings": repr(runtime.settings()) + str(runtime.settings()) + runtime.settings().model_dump_json(),
        "dump": str(runtime.settings().model_dump()),
    }
    for path in llm_home.rglob("*"):
        if path.is_file() and "models" not in path.parts:
            exposed[str(path)] = path.read_bytes().decode("latin-1")
    assert "HTTP 500" in exposed["reports"]  # the failure is there, only the key is not
    leaks = [where for where, text in exposed.items() if PART in text]
    assert leaks == []


def test_an_llm_echoing_the_key_back_does_not_put_it_in_logs_or_errors(chat, tmp_path, caplog):
    settings = Settings(
        home=tmp_path, llm_base_url=chat.url, llm_model="judge-1", llm_api_key=KEY, llm_retries=0, llm_timeout_s=2
    )
    judge = LLMJudge(settings)
    chat.answers = [(200, f"Your request said Authorization: Bearer {KEY}")]
    with caplog.at_level(logging.DEBUG):
        [score] = judge.score([StancePair(claim="a", passage="b")])
    assert score.label == "neutral" and "Bearer [redacted]" in caplog.text and PART not in caplog.text
    assert PART not in repr(judge.__dict__) and PART not in repr(judge._client.headers)
