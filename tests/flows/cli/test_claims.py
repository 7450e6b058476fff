"""``sanad claims extract`` through the real CLI, the real e5 model and the shipped head."""

import json

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.support.shared import SAMPLE_ARTICLE

runner = CliRunner()

ENGLISH = (
    "Flights resume between Damascus and Benghazi\n"
    "Three charter flights landed in Benghazi last week from Damascus, airport officials said on Monday.\n"
    "The airline has been under United States sanctions since December 2016, according to the Treasury.\n"
    "Will the flights continue next month?\n"
)


@pytest.fixture
def cli_home(sanad_home, e5, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(sanad_home))


@pytest.mark.slow
def test_table_of_the_sample_article(cli_home):
    if not SAMPLE_ARTICLE.exists():
        pytest.skip(f"sample article {SAMPLE_ARTICLE} is not available on this machine")
    result = runner.invoke(app, ["claims", "extract", str(SAMPLE_ARTICLE)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "قنونو" in result.output and "quote" in result.output
    assert "8 line(s) of page furniture removed" in result.output


@pytest.mark.slow
def test_json_from_standard_input(cli_home):
    result = runner.invoke(app, ["claims", "extract", "-", "--format", "json", "--min-score", "0"], input=ENGLISH)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["article"]["title"] == "Flights resume between Damascus and Benghazi"
    assert payload["article"]["language"] == "en"
    claims = payload["claims"]
    scores = [claim["checkworthiness"] for claim in claims]
    assert scores == sorted(scores, reverse=True) and len(claims) == 3
    by_start = sorted(claims, key=lambda claim: claim["start"])
    assert by_start[0]["speaker"] == "airport officials"
    assert by_start[1]["speaker"] == "the Treasury"
    assert by_start[2]["claim_type"] == "opinion" and by_start[2]["checkworthiness"] == min(scores)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the article is empty"), (b"%PDF-1.4 ...", "PDF"), ("نص".encode("cp1256"), "not valid UTF-8")],
)
def test_bad_input_is_one_error_line(tmp_path, monkeypatch, content, message):
    monkeypatch.setenv("SANAD_HOME", str(tmp_path))
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    result = runner.invoke(app, ["claims", "extract", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
