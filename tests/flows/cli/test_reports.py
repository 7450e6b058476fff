"""``sanad report`` and ``sanad review`` through the real CLI (``sanad export claimreview``: test_publish.py)."""

import csv
import io
import json

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.support.report_factories import (
    make_article,
    make_claims,
    make_prior_verdict,
    record_sample_run,
)
from verify.reports import ReportStore

runner = CliRunner()
INJECTION = "x'); DROP TABLE claims; --"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def run_id(home) -> str:
    """A completed run over the sample claims: supported, disputed, unverified."""
    return record_sample_run(ReportStore(home / "reports.duckdb"))


def test_report_table_shows_verdicts_speakers_and_sources(run_id):
    result = run("report")
    assert result.exit_code == 0, result.output
    for expected in ("SUPPORTED", "DISPUTED", "UNVERIFIED", "90%", "article-1:c2", "3 claim(s)"):
        assert expected in result.output
    assert "Foreign" in result.output and "Reuters" in result.output

    only = run("report", "--verdict", "disputed", "--run", run_id)
    assert "DISPUTED" in only.output and "SUPPORTED" not in only.output and "1 claim(s)" in only.output
    assert "no claims match" in run("report", "--since", "2999-01-01").output


def test_prior_checked_shows_only_claims_a_published_fact_check_had_rated(run_id, home):
    store = ReportStore(home / "reports.duckdb")
    claims = make_claims(make_article())
    rerun = store.start_run("reverify-claims")
    store.record_verdicts(
        rerun, [(claims[2], make_prior_verdict(claims[2], (2,)))], embedding_model="e5", store_generation=2
    )
    store.finish_run(rerun, "completed")

    table = run("report", "--prior-checked")
    assert table.exit_code == 0, table.output
    assert "latest verdicts, previously fact-checked (1 claim(s))" in table.output
    assert "article-1:c2" in table.output and "article-1:c0" not in table.output
    assert "prior:" in table.output and "مسبار" in table.output and "زائف" in table.output
    everything = run("report").output
    assert "3 claim(s)" in everything and everything.count("prior:") == 1

    (record,) = json.loads(run("report", "--prior-checked", "--format", "json").stdout)
    assert (record["claim_id"], record["label"], record["prior_fact_check"]) == ("article-1:c2", "disputed", True)
    assert [e["prior_fact_check"] for e in record["evidence"]] == [True, False]
    assert json.loads(run("report", "--prior-checked", "--run", run_id, "--format", "json").stdout) == []
    assert "no claims match" in run("report", "--prior-checked", "--verdict", "supported").output

    out = home / "prior.html"
    assert run("report", "--prior-checked", "--format", "html", "--out", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('<article class="card') == 1 and '<div class="prior-check">' in page
    assert "Sanad report: latest verdicts, previously fact-checked (1 claim(s))" in page


def test_review_then_report_shows_both_verdicts(run_id):
    result = run(
        "review",
        "article-1:c1",
        "--verdict",
        "supported",
        "--note",
        "Confirmed by the ministry.",
        "--reviewer",
        "Rania",
    )
    assert result.exit_code == 0, result.output
    assert "recorded Rania's review of claim article-1:c1: true (supported)" in result.output

    rows = list(csv.DictReader(io.StringIO(run("report", "--format", "csv").stdout)))
    reviewed = next(row for row in rows if row["claim_id"] == "article-1:c1")
    assert (reviewed["label"], reviewed["review_label"], reviewed["reviewer"]) == ("disputed", "supported", "Rania")
    needing = json.loads(run("report", "--format", "json", "--needs-review").stdout)
    assert [record["claim_id"] for record in needing] == ["article-1:c2"]


def test_html_and_parquet_files(run_id, home, tmp_path):
    html = run("report", "--format", "html")
    assert html.exit_code == 0, html.output
    (written,) = (home / "reports").glob("report-*.html")
    assert str(written) in html.output.replace("\n", "")
    page = written.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "Reuters" in page and 'class="badge supported"' in page

    target = tmp_path / "out" / "snapshot.parquet"
    parquet = run("report", "--format", "parquet", "--run", run_id, "--out", str(target))
    assert parquet.exit_code == 0, parquet.output
    with duckdb.connect() as con:
        labels = con.execute("SELECT list(label ORDER BY claim_id) FROM read_parquet(?)", [str(target)]).fetchall()
    assert labels == [(["supported", "disputed", "unverified"],)]

    spreadsheet = tmp_path / "out" / "snapshot.csv"
    written_csv = run("report", "--format", "csv", "--run", run_id, "--out", str(spreadsheet))
    assert written_csv.exit_code == 0, written_csv.output
    assert spreadsheet.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheet programs read UTF-8 by it
    with spreadsheet.open(encoding="utf-8-sig", newline="") as handle:
        assert sorted(row["label"] for row in csv.DictReader(handle)) == ["disputed", "supported", "unverified"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "--run", INJECTION), "no run"),
        (("report", "--article", INJECTION), "no article"),
        (("report", "--verdict", "true"), "--verdict 'true' is not one of"),
        (("report", "--since", "last week"), "is not a date"),
        (("report", "--format", "pdf"), "--format 'pdf' is not one of"),
        (("report", "--out", "x.txt"), "--out needs --format"),
        (("review", INJECTION, "--verdict", "supported", "--note", "n"), "no claim"),
        (("review", "article-1:c0", "--verdict", "supported", "--note", " "), "needs a note"),
        (("export", "claimreview", "--run", INJECTION), "no run"),
    ],
)
def test_errors_are_one_line_and_change_nothing(run_id, home, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    with duckdb.connect(str(home / "reports.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM claims").fetchall() == [(3,)]
        assert con.execute("SELECT count(*) FROM reviews").fetchall() == [(0,)]


def test_report_before_anything_was_verified(home):
    result = run("report")
    assert result.exit_code == 1
    assert "no reports database" in result.output and "nothing has been verified" in result.output
