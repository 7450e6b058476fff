"""Strings from users, files, pages and stores reach the terminal as they are: rich markup in them is neither
read nor fatal, and the escape sequences in them never reach the terminal raw.

Each command runs through the real CLI against a real DuckDB store or reports database in ``tmp_path``.
"""

import duckdb
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from evidence_store.store import EvidenceStore
from evidence_store.text.control import show_controls
from evidence_store.types import DocumentInput
from flows.cli import app
from flows.cli.claims import claims_table
from flows.cli.common import err_console, fail
from tests.support.report_factories import make_article, make_citation, make_claims, make_passage, make_verdict
from verify.reports import ReportStore

runner = CliRunner()
MARKUP = ["[/x]", "[bold]", "[fd00:ec2::254]", "[link=javascript:alert(1)]x[/link]", ":smile:"]
ATTACK = "\x1b]0;owned\x07\x1b[2J\x1b[5m"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_clean(result, shown: str, exit_codes: tuple[int, ...] = (0, 1)) -> None:
    assert result.exit_code in exit_codes, result.output
    assert "Traceback" not in result.output
    assert shown in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """A terminal wide enough that no table cell is folded."""
    monkeypatch.setenv("COLUMNS", "400")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SANAD_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


# ---------------------------------------------------------------- rich markup in arguments and file names


@pytest.mark.parametrize("markup", MARKUP)
def test_claims_extract_shows_a_source_with_markup(home, markup):
    assert_clean(run("claims", "extract", markup), f"error: {markup}: no such file", (1,))


@pytest.mark.parametrize("markup", MARKUP)
def test_a_file_name_with_markup_is_named_as_it_is(home, tmp_path, markup):
    path = tmp_path / f"notes{markup}.txt"  # "notes[/x].txt" is the file "x].txt" in the folder "notes["
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")
    assert_clean(run("claims", "extract", str(path)), f"{path}: the article is empty", (1,))
    added = run("evidence", "add", str(path), "--store", str(tmp_path / "store"))
    assert_clean(added, f"skipped {path}: empty file", (1,))
    assert "error: no documents to add" in added.output


@pytest.mark.parametrize("markup", MARKUP)
def test_review_and_report_show_ids_with_markup(home, markup):
    reviewed = run("review", markup, "--verdict", "supported", "--note", markup, "--reviewer", markup)
    assert_clean(reviewed, f"error: no claim {markup!r} in the reports", (1,))
    assert_clean(run("report", "--article", markup), markup)
    assert_clean(run("report", "--verdict", markup), f"--verdict {markup!r} is not one of", (1,))


@pytest.fixture
def hostile_report(home) -> str:
    """A reports database whose article id, claim, speaker, source and reviewer are markup or escape sequences."""
    store = ReportStore(home / "reports.duckdb")
    sentences = ("Opening line.", f"[bold]Claim {ATTACK}[/x]")
    article = make_article("[/x]", sentences)
    claim = make_claims(article, sentences)[1].model_copy(update={"speaker": "[/x]"})
    passage = make_passage(1, publisher=f"[fd00:ec2::254] {ATTACK}").model_copy(update={"rating": "[/x]"})
    verdict = make_verdict(claim, "disputed").model_copy(update={"citations": (make_citation(passage),)})
    run_id = store.start_run("verify-article")
    store.record_article(article)
    store.record_claims([claim])
    store.record_verdicts(run_id, [(claim, verdict)], embedding_model="e5", store_generation=1)
    store.finish_run(run_id, "completed")
    return claim.claim_id


def test_report_table_shows_stored_markup_and_escapes_literally(hostile_report):
    for args in (("report",), ("report", "--article", "[/x]")):
        result = run(*args)
        assert_clean(result, "[bold]Claim \\x1b]0;owned\\x07\\x1b[2J\\x1b[5m[/x]", (0,))
        assert "[fd00:ec2::254] \\x1b]0;owned" in result.output and "[/x]:c1" in result.output
    assert "article [/x]" in run("report", "--article", "[/x]").output
    reviewed = run("review", hostile_report, "--verdict", "supported", "--note", "[/x]", "--reviewer", "[b]R[/b]")
    assert_clean(reviewed, "recorded [b]R[/b]'s review of claim [/x]:c1: true (supported)", (0,))
    assert "[b]R[/b]" in run("report").output


# ---------------------------------------------------------------- escape sequences from the evidence store


@pytest.fixture
def evidence_store(tmp_path, settings, hash_embedder, home, monkeypatch) -> str:
    """A store folder whose name has markup, holding one document with control sequences in every field."""
    monkeypatch.setenv("SANAD_EMBEDDING_MODEL", hash_embedder.name)
    path = tmp_path / "ev[/x]"
    document = DocumentInput(
        text=f"Cham Wings {ATTACK}resumed flights to Benghazi [/x].",
        external_id=f"doc{ATTACK}",
        title=f"[bold]Title {ATTACK}",
        publisher=f"[/x] {ATTACK}",
        language="en",
    )
    with EvidenceStore.open(path, settings, hash_embedder) as store:
        store.add([document])
    return str(path)


def test_ingested_escape_sequences_never_reach_the_terminal(evidence_store):
    listed = run("evidence", "list", "--store", evidence_store)
    assert_clean(listed, "[bold]Title ]0;owned[2J[5m", (0,))
    assert "doc]0;owned[2J[5m" in listed.output and "[/x] ]0;owned" in listed.output
    found = run("evidence", "search", "Cham Wings [/x]", "--mode", "bm25", "--store", evidence_store)
    assert_clean(found, "resumed flights to Benghazi [/x].", (0,))
    assert "bm25 search: Cham Wings [/x]" in found.output
    assert_clean(run("evidence", "stats", "--store", evidence_store), f"evidence store {evidence_store}", (0,))
    removed = run("evidence", "remove", "[/x]", "[fd00:ec2::254]", "--store", evidence_store)
    assert_clean(removed, "error: no such document(s): [/x], [fd00:ec2::254]", (1,))


def test_a_store_written_before_the_fix_is_shown_with_visible_escapes(evidence_store):
    """Text stored raw by an older Sanad (written here straight into DuckDB) is printed with its control
    characters spelled out."""
    with duckdb.connect(f"{evidence_store}/evidence.duckdb") as con:
        con.execute("UPDATE documents SET title = ?, publisher = ?", [f"Old {ATTACK}", f"Pub {ATTACK}\x9b2J"])
        con.execute("UPDATE passages SET text = ?", [f"Cham Wings {ATTACK}resumed\x7f flights."])
    listed = run("evidence", "list", "--store", evidence_store)
    assert_clean(listed, "Old \\x1b]0;owned\\x07\\x1b[2J\\x1b[5m", (0,))
    assert "Pub \\x1b]0;owned\\x07\\x1b[2J\\x1b[5m\\x9b2J" in listed.output and "\x9b" not in listed.output
    found = run("evidence", "search", "Cham Wings", "--mode", "bm25", "--store", evidence_store)
    assert_clean(found, "Cham Wings \\x1b]0;owned\\x07\\x1b[2J\\x1b[5mresumed\\x7f flights.", (0,))


def test_claims_table_prints_claim_text_literally():
    article = make_article()
    claim = make_claims(article)[1].model_copy(update={"text": f"[/x] [fd00:ec2::254] {ATTACK}", "speaker": "[b]"})
    console = Console(width=300, force_terminal=False)
    with console.capture() as capture:
        console.print(claims_table([claim], f"1 claim(s) in {article.title} [/x]"))
    printed = capture.get()
    assert "[/x] [fd00:ec2::254] \\x1b]0;owned\\x07\\x1b[2J\\x1b[5m" in printed
    assert "[b]" in printed and "[/x]" in printed.splitlines()[0] and "\x1b" not in printed


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["[", "]", "/", "bold", "x", "@", "#", ":", "smile", "\\", "=", " ", "link", "\x1b", "\x07"]),
        max_size=20,
    ).map("".join)
)
def test_fail_prints_any_message_literally(message):
    with err_console.capture() as capture:
        fail(message)
    assert capture.get() == f"error: {show_controls(message)}\n"
