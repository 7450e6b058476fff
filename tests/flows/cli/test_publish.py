"""``sanad export claimreview`` through the real CLI: reviewed claims only unless asked, under the newsroom's name."""

import json

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.support.claimreview_schema import validate_claim_reviews
from tests.support.report_factories import record_sample_run
from verify.reports import ReportStore
from verify.reports.claimreview import AUTOMATED

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def run_id(home) -> str:
    """A completed run over the sample claims, machine verdicts supported, disputed, unverified; no reviews."""
    return record_sample_run(ReportStore(home / "reports.duckdb"))


def unchanged(home) -> bool:
    with duckdb.connect(str(home / "reports.duckdb"), read_only=True) as con:
        counts = con.execute("SELECT (SELECT count(*) FROM verdicts), (SELECT count(*) FROM reviews)").fetchall()
    return counts == [(3, 0)]


@pytest.mark.parametrize("scope", [(), ("--run",)])
def test_no_reviews_exports_nothing_and_says_why(run_id, home, tmp_path, scope):
    out = tmp_path / "published" / "claimreview.json"
    args = ("export", "claimreview", *(scope and (scope[0], run_id)))
    for result in (run(*args, "--out", str(out)), run(*args)):
        assert result.exit_code == 1
        (line,) = result.output.strip().splitlines()
        assert line.startswith("error: no reviewed claims") and "--include-machine-verdicts" in line
        assert "sanad review" in line and (run_id in line) == bool(scope)
        assert result.stdout == ""  # nothing a script could publish
    assert not out.exists() and not out.parent.exists()
    assert unchanged(home)


def test_a_reviewed_claim_is_published_with_the_reviewers_verdict_and_note(run_id, tmp_path):
    reviewed = run(
        "review", "article-1:c0", "--rating", "misleading", "--note", "The visit was on Monday.", "--reviewer", "Rania"
    )
    assert reviewed.exit_code == 0, reviewed.output
    assert "review of claim article-1:c0: misleading (disputed)" in reviewed.output
    out = tmp_path / "claimreview.json"
    result = run("export", "claimreview", "--run", run_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote 1 ClaimReview(s) to {out}" in result.output.replace("\n", "")

    (document,) = documents = json.loads(out.read_text(encoding="utf-8"))
    validate_claim_reviews(documents)
    rating = {key: document["reviewRating"][key] for key in ("alternateName", "ratingValue", "worstRating")}
    assert rating == {"alternateName": "مضلِّل", "ratingValue": 2, "worstRating": 1}  # misleading, for an Arabic claim
    assert document["reviewRating"]["ratingExplanation"] == "The visit was on Monday."
    assert "reviewBody" not in document and AUTOMATED not in out.read_text(encoding="utf-8")
    assert document["author"] == {"@type": "Organization", "name": "Misbar", "url": "https://misbar.example"}
    assert document["url"] == "https://misbar.example#claim-article-1%3Ac0"
    assert json.loads(run("export", "claimreview").stdout) == documents


def test_machine_verdicts_only_when_asked_and_marked_automated(run_id, home, tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_ORGANISATION_LOGO_URL", "https://misbar.example/logo.png")
    run("review", "article-1:c1", "--verdict", "supported", "--note", "Confirmed by the ministry.", "--reviewer", "R")
    out = tmp_path / "claimreview.json"
    result = run("export", "claimreview", "--include-machine-verdicts", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 3 ClaimReview(s) (2 automated assessment(s))" in result.output

    documents = json.loads(out.read_text(encoding="utf-8"))
    validate_claim_reviews(documents)
    explanations = [doc["reviewRating"]["ratingExplanation"] for doc in documents]
    assert [text.startswith(AUTOMATED) for text in explanations] == [True, False, True]
    assert ["reviewBody" in doc for doc in documents] == [True, False, True]
    assert {doc["author"]["logo"]["url"] for doc in documents} == {"https://misbar.example/logo.png"}


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"SANAD_ORGANISATION_NAME": None}, "set SANAD_ORGANISATION_NAME to the newsroom"),
        ({"SANAD_ORGANISATION_NAME": None, "SANAD_ORGANISATION_URL": None}, "SANAD_ORGANISATION_NAME and SANAD_ORG"),
        ({"SANAD_ORGANISATION_URL": "misbar.example"}, "SANAD_ORGANISATION_URL 'misbar.example' is not an http(s)"),
        ({"SANAD_CLAIMREVIEW_URL_TEMPLATE": "{organisation_url.x}"}, "may use only {organisation_url} and"),
        ({"SANAD_CLAIMREVIEW_URL_TEMPLATE": "/c/{claim_id}"}, "makes '/c/article-1%3Ac0', not an http(s) address"),
    ],
)
def test_without_a_newsroom_nothing_is_published(run_id, home, tmp_path, monkeypatch, environment, message):
    run("review", "article-1:c0", "--verdict", "disputed", "--note", "The visit was on Monday.", "--reviewer", "R")
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    out = tmp_path / "claimreview.json"
    result = run("export", "claimreview", "--include-machine-verdicts", "--out", str(out))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()
