"""The LLM judge against a small local server that speaks the OpenAI chat-completions protocol."""

import logging
from datetime import UTC, datetime

import pytest

from evidence_store.types import Passage
from tests.support.fake_chat import FakeChat
from verify.settings import Settings
from verify.stance.llm import LLMJudge, MalformedAnswer, StanceBackendError, parse_answer
from verify.stance.protocol import StancePair
from verify.verifier import Evidence, judge


@pytest.fixture
def chat():
    with FakeChat().served() as fake:
        yield fake


def _settings(chat: FakeChat, tmp_path, **extra) -> Settings:
    return Settings(
        home=tmp_path,
        stance_backend="llm",
        llm_base_url=chat.url,
        llm_model="judge-1",
        llm_api_key="sk-test-secret",
        llm_timeout_s=2.0,
        llm_retries=2,
        **extra,
    )


def test_asks_with_strict_json_and_maps_the_answer(chat, tmp_path):
    chat.answers = [(200, '{"stance": "refutes", "confidence": 0.8}')]
    judge_ = LLMJudge(_settings(chat, tmp_path))
    [score] = judge_.score([StancePair(claim="Cham Wings flies to Benghazi", passage="No flights to Benghazi.")])
    assert score.label == "refutes"
    assert score.refutes == pytest.approx(0.8)
    request = chat.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test-secret"
    assert request["body"]["model"] == "judge-1"
    assert request["body"]["response_format"] == {"type": "json_object"}
    assert "Cham Wings flies to Benghazi" in request["body"]["messages"][-1]["content"]


def test_retries_a_busy_server_then_succeeds(chat, tmp_path):
    chat.answers = [(503, ""), (200, '{"stance": "supports", "confidence": 0.9}')]
    [score] = LLMJudge(_settings(chat, tmp_path)).score([StancePair(claim="a", passage="b")])
    assert score.label == "supports"
    assert len(chat.requests) == 2


def test_gives_up_with_a_clear_error_after_retries(chat, tmp_path):
    chat.answers = [(503, "")] * 3
    with pytest.raises(StanceBackendError, match="failed after 3 tries"):
        LLMJudge(_settings(chat, tmp_path)).score([StancePair(claim="a", passage="b")])


def test_malformed_answer_becomes_unverified_with_a_logged_reason(chat, tmp_path, caplog):
    chat.answers = [(200, "I think the evidence mostly supports it!")]
    settings = _settings(chat, tmp_path)
    passage = Passage(
        passage_id=0,
        doc_id="d",
        order=0,
        text="Cham Wings resumed flights to Benghazi.",
        char_start=0,
        char_end=39,
        language="en",
        url=None,
        title=None,
        publisher="Reuters",
        published_at=datetime(2024, 3, 1, tzinfo=UTC),
    )
    with caplog.at_level(logging.WARNING, logger="verify.stance.llm"):
        [verdict] = judge(["Cham Wings flies to Benghazi"], [[Evidence(passage=passage, relevance=0.95)]], settings)
    assert verdict.label == "unverified"
    assert verdict.stance_model == "llm:judge-1"
    assert any("not JSON" in record.getMessage() for record in caplog.records)
    assert all("sk-test-secret" not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "content",
    ['{"stance": "maybe", "confidence": 0.5}', '{"stance": "supports", "confidence": 1.7}', '["supports"]', ""],
)
def test_parse_answer_rejects_what_was_not_asked_for(content):
    with pytest.raises(MalformedAnswer):
        parse_answer(content)


def test_parse_answer_accepts_a_fenced_json_object():
    score = parse_answer('```json\n{"stance": "neutral", "confidence": 0.6}\n```')
    assert score.label == "neutral"
    assert score.supports + score.refutes + score.neutral == pytest.approx(1.0)


def test_settings_never_print_the_key(chat, tmp_path):
    assert "sk-test-secret" not in repr(_settings(chat, tmp_path))
