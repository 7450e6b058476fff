"""Expected failures end a flow run Failed with their one-line message, and nothing in the run's logs is a
traceback (issue 22): empty or binary pasted text, a refused address, a request that cannot be met."""

import asyncio
import logging

import pytest

from flows import runtime
from flows.ingest_evidence import ingest_evidence
from flows.params import ArticleInput, IngestRequest, OnError, ReverifyRequest, Scope, VerifyOptions
from flows.reverify_claims import reverify_claims
from flows.verify_article import run_verify_article, verify_article
from verify.extract.intake import ArticleError


@pytest.fixture
def run_logs(caplog):
    """The flow and task run logs of the test, formatted as a console shows them (stack included)."""
    caplog.set_level(logging.INFO)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return lambda: "\n".join(formatter.format(record) for record in caplog.records if record.name.startswith("prefect"))


def _verify(article: ArticleInput):
    return asyncio.run(verify_article(article, VerifyOptions(), return_state=True))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n", "give the article's URL or paste its text"),
        ("The minister said\x00\x00 that the border is open.", "pasted text: looks like binary data, not text"),
    ],
)
def test_bad_pasted_text_fails_the_run_with_one_line(flow_home, run_logs, text, message):
    state = _verify(ArticleInput(text=text))
    assert state.is_failed()
    assert state.message == message
    logs = run_logs()
    assert message in logs
    assert "Traceback" not in logs and "NoneType: None" not in logs, logs


def test_refused_address_fails_the_run_with_one_line(flow_home, run_logs, monkeypatch):
    monkeypatch.setenv("SANAD_FETCH_ALLOWED_NETWORKS", "[]")  # loopback is refused, as it is by default
    runtime.reset()
    state = _verify(ArticleInput(url="http://127.0.0.1:9/article"))
    assert state.is_failed()
    assert "127.0.0.1" in state.message
    logs = run_logs()
    assert state.message in logs
    assert "Traceback" not in logs and "NoneType: None" not in logs, logs


def test_the_caller_of_a_failed_run_gets_the_error(flow_home):
    from evidence_store.errors import InvalidInput

    with pytest.raises(InvalidInput, match="give the article's URL"):
        asyncio.run(verify_article(ArticleInput(), VerifyOptions()))


def test_reverify_without_an_article_id_fails_with_one_line(flow_home, run_logs):
    state = reverify_claims(ReverifyRequest(scope=Scope.article), return_state=True)
    assert state.is_failed()
    assert state.message == "scope 'article' needs an article id"
    assert "Traceback" not in run_logs()


def test_ingest_rejecting_a_bad_source_fails_with_one_line(flow_home, run_logs, monkeypatch):
    monkeypatch.setenv("SANAD_FETCH_ALLOWED_NETWORKS", "[]")
    runtime.reset()
    request = IngestRequest(sources=["http://127.0.0.1:9/page.html"], on_error=OnError.reject)
    state = ingest_evidence(request, return_state=True)
    assert state.is_failed()
    assert "127.0.0.1" in state.message
    logs = run_logs()
    assert "Traceback" not in logs and "Retry" not in logs, logs


def test_a_missing_stored_article_fails_the_run_with_one_line(flow_home, run_logs):
    state = _verify(ArticleInput(stored="0" * 64))
    assert state.is_failed()
    assert state.message == f"stored article {'0' * 12}… is not in {flow_home / 'articles'}"
    assert "Traceback" not in run_logs()


def test_pasted_text_over_the_limit_is_refused_before_it_is_stored(flow_home, monkeypatch):
    monkeypatch.setenv("SANAD_MAX_ARTICLE_CHARS", "150000")
    runtime.reset()
    with pytest.raises(ArticleError, match=r"200,000 characters, over the 150,000-character limit"):
        run_verify_article(ArticleInput(text="word " * 40_000))
    assert not (flow_home / "articles").exists()
