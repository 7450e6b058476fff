"""An LLM backend that refuses, fails or cannot be reached is one clear ``StanceBackendError`` (a ``SanadError``,
so one line on the command line) naming the backend and the status, never the key (issue 22)."""

import socket

import pytest

from evidence_store.errors import InvalidInput, SanadError
from tests.support.fake_chat import FakeChat
from verify.settings import Settings
from verify.stance.llm import LLMJudge, StanceBackendError
from verify.stance.protocol import StancePair

PAIR = StancePair(claim="Cham Wings flies to Benghazi", passage="No flights to Benghazi.")
KEY = "sk-test-secret"


def _judge(tmp_path, base_url: str) -> LLMJudge:
    settings = Settings(
        home=tmp_path,
        stance_backend="llm",
        llm_base_url=base_url,
        llm_model="judge-1",
        llm_api_key=KEY,
        llm_timeout_s=2.0,
        llm_retries=1,
    )
    return LLMJudge(settings)


def _with_credentials(url: str) -> str:
    return url.replace("http://", f"http://desk:{KEY}@")


@pytest.mark.parametrize(("answers", "status"), [([401], "answered HTTP 401"), ([500, 500], "(HTTP 500)")])
def test_refusal_and_server_error_name_the_backend_and_status_not_the_key(tmp_path, answers, status):
    with FakeChat().served() as chat:
        chat.answers = [(code, "") for code in answers]
        with pytest.raises(StanceBackendError) as raised:
            _judge(tmp_path, _with_credentials(chat.url)).score([PAIR])
    message = str(raised.value)
    assert isinstance(raised.value, SanadError)
    assert status in message and chat.url in message
    assert KEY not in message and "\n" not in message


def test_a_closed_port_is_one_clear_error(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StanceBackendError) as raised:
        _judge(tmp_path, f"http://127.0.0.1:{port}/v1").score([PAIR])
    message = str(raised.value)
    assert f"LLM at http://127.0.0.1:{port}/v1 failed after 2 tries" in message and "ConnectError" in message


def test_a_malformed_base_url_is_invalid_input(tmp_path):
    with pytest.raises(InvalidInput, match="SANAD_LLM_BASE_URL is not a valid URL"):
        _judge(tmp_path, "http://[::1")
