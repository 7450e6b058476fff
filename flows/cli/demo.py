"""``sanad demo``: the main job on the sample article, then on a social-media post, through the verify-article flow."""

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from evidence_store.demo import DEMO_CORPUS, DEMO_POST
from evidence_store.ingest.sources import load_jsonl_corpus
from flows.cli.common import add_row, console, fail, friendly_errors, progress_bar, safe
from flows.cli.evidence import snippet
from flows.cli.reports import report_table
from verify.extract.intake import article_text_from_file
from verify.reports import ReportFilter, ReportStore
from verify.reports.html import render_html
from verify.reports.types import ReportRow
from verify.settings import Settings

if TYPE_CHECKING:
    from flows.params import VerifySummary


def evidence_table(rows: list[ReportRow]) -> Table:
    """The passages each decisive verdict cites: the side each counts for (with P(supports) / P(refutes)),
    language, source, snippet."""
    table = Table(title="Cited evidence", title_justify="left", expand=True)
    for column, options in (
        ("claim", {"no_wrap": True}),
        ("cited as, P sup/ref", {"no_wrap": True}),
        ("lang", {"no_wrap": True}),
        ("publisher, date", {"ratio": 1}),
        ("passage", {"ratio": 3, "overflow": "fold"}),
    ):
        table.add_column(column, **options)
    for number, row in enumerate(rows, start=1):
        verdict = row.verdict.verdict if row.verdict else None
        for citation in verdict.citations[:2] if verdict else ():
            passage = citation.passage
            date = passage.published_at.date().isoformat() if passage.published_at else "undated"
            add_row(
                table,
                f"{number} ({verdict.label})",
                f"{citation.cited_as} {citation.stance.supports:.2f}/{citation.stance.refutes:.2f}",
                passage.language or "",
                f"{passage.publisher}, {date}",
                snippet(passage.text, 200),
            )
    return table


def counts(summary: "VerifySummary") -> str:
    """A run's verdicts in a few words."""
    return (
        f"supported {summary.supported}, disputed {summary.disputed}, unverified {summary.unverified} "
        f"({summary.previously_fact_checked} previously fact-checked)"
    )


def verified(
    path: Path, text: str, settings: Settings, max_claims: int
) -> tuple[str, "VerifySummary", list[ReportRow]]:
    """Verify one input through the verify-article flow: its report's title, the run's summary, its report rows."""
    from flows.params import ArticleInput, VerifyOptions
    from flows.verify_article import run_verify_article

    summary = run_verify_article(ArticleInput(text=text), VerifyOptions(max_claims=max_claims))
    rows = ReportStore(settings.reports_db, read_only=True).report(ReportFilter(run_id=summary.run_id))
    return f"{summary.title or path.name}: {summary.claims} claims (run {summary.run_id})", summary, rows


def demo(
    article: Path = typer.Option(..., "--article", help="Article file (the sample is in ../shared/samples)."),
    post: Path = typer.Option(
        DEMO_POST,
        "--post",
        help="A social-media post checked after the article (the bundled one repeats a claim fact-checked before).",
    ),
    max_claims: int = typer.Option(15, "--max-claims", min=1, max=100, help="Most check-worthy claims to verify."),
) -> None:
    """Ingest the demo evidence corpus, verify the article and then a social-media post through the verify-article
    flow, print the reports.

    Both inputs are checked first (size, encoding, text), then the Prefect API is reached (starting the temporary
    server), so neither fails only after the corpus is embedded; a large article reaches the flow by reference.
    """
    from flows import runtime

    settings = Settings()
    with friendly_errors():
        texts = [(article, article_text_from_file(article, settings)), (post, article_text_from_file(post, settings))]
        runtime.start_prefect_api()
        documents, issues = load_jsonl_corpus(DEMO_CORPUS)
        if issues:
            raise fail(f"demo corpus has bad lines: {issues[0]}")
        store = runtime.evidence_store()
        with progress_bar("embedding the demo evidence corpus") as update:
            added = store.add(documents, on_progress=update)
        stored = f"{len(added.added)} new document(s), {len(added.duplicates)} already stored in {store.path}"
        console.print(safe(f"demo corpus: {stored}"))
        (article_title, article_summary, article_rows), (post_title, post_summary, post_rows) = (
            verified(path, text, settings, max_claims) for path, text in texts
        )
        html = settings.home / "reports" / f"demo-{article_summary.run_id}.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        title = f"{article_title}; {post_title}"
        html.write_text(render_html(article_rows + post_rows, title=title, generated_at=datetime.now(UTC)), "utf-8")
    console.print(report_table(article_rows, article_title))
    console.print(evidence_table(article_rows))
    console.print(report_table(post_rows, f"Social-media post, {post_title}"))
    for row in post_rows:  # why each verdict that follows a published fact-check does, with its URL
        if row.verdict and row.verdict.verdict.prior_fact_check:
            console.print(safe(row.verdict.verdict.justification))
    console.print(safe(f"article: {counts(article_summary)}"))
    console.print(safe(f"post: {counts(post_summary)}"))
    console.print(safe(f"HTML report: {html.resolve()}"))
