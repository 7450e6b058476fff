"""``sanad demo``: the main job on the sample article, through the verify-article flow."""

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from evidence_store.demo import DEMO_CORPUS
from evidence_store.ingest.sources import load_jsonl_corpus
from flows.cli.common import add_row, console, fail, friendly_errors, progress_bar, safe
from flows.cli.evidence import snippet
from flows.cli.reports import report_table
from verify.extract.intake import article_text_from_file
from verify.reports import ReportFilter, ReportStore
from verify.reports.html import render_html
from verify.reports.types import ReportRow
from verify.settings import Settings


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


def demo(
    article: Path = typer.Option(..., "--article", help="Article file (the sample is in ../shared/samples)."),
    max_claims: int = typer.Option(15, "--max-claims", min=1, max=100, help="Most check-worthy claims to verify."),
) -> None:
    """Ingest the demo evidence corpus, verify the article through the verify-article flow, print the report.

    The article is checked first (size, encoding, text), then the Prefect API is reached (starting the temporary
    server), so neither fails only after the corpus is embedded; a large article reaches the flow by reference.
    """
    from flows import runtime
    from flows.params import ArticleInput, VerifyOptions
    from flows.verify_article import run_verify_article

    settings = Settings()
    with friendly_errors():
        text = article_text_from_file(article, settings)
        runtime.start_prefect_api()
        documents, issues = load_jsonl_corpus(DEMO_CORPUS)
        if issues:
            raise fail(f"demo corpus has bad lines: {issues[0]}")
        store = runtime.evidence_store()
        with progress_bar("embedding the demo evidence corpus") as update:
            added = store.add(documents, on_progress=update)
        stored = f"{len(added.added)} new document(s), {len(added.duplicates)} already stored in {store.path}"
        console.print(safe(f"demo corpus: {stored}"))
        summary = run_verify_article(ArticleInput(text=text), VerifyOptions(max_claims=max_claims))
        rows = ReportStore(settings.reports_db, read_only=True).report(ReportFilter(run_id=summary.run_id))
        title = f"{summary.title or article.name}: {summary.claims} claims (run {summary.run_id})"
        html = settings.home / "reports" / f"demo-{summary.run_id}.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(rows, title=title, generated_at=datetime.now(UTC)), encoding="utf-8")
    console.print(report_table(rows, title))
    console.print(evidence_table(rows))
    console.print(
        safe(
            f"supported {summary.supported}, disputed {summary.disputed}, unverified {summary.unverified} "
            f"({summary.previously_fact_checked} previously fact-checked); "
            f"HTML report: {html.resolve()}"
        )
    )
