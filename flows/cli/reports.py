"""``sanad report``, ``sanad review`` and ``sanad export claimreview``: read, judge and publish verdicts."""

import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from evidence_store.text.clip import one_line
from flows.cli.common import add_row, console, err_console, fail, friendly_errors, safe
from verify.reports import ReportFilter, ReportRow, ReportStore
from verify.reports.backup import export_reports, import_reports
from verify.reports.claimreview import claim_reviews, publisher
from verify.reports.export import to_json, write_csv, write_csv_file, write_parquet
from verify.reports.html import render_html
from verify.reports.ratings import RATINGS, SCALE
from verify.settings import Settings

FORMATS = ("table", "csv", "json", "parquet", "html")
LABELS = ("supported", "disputed", "unverified")
_BADGE = {"supported": "bold white on green", "disputed": "bold white on red", "unverified": "bold black on yellow"}

export_app = typer.Typer(
    help="Export verdicts for publishing, or the reports database as a backup.", no_args_is_help=True
)
import_app = typer.Typer(help="Restore a backup.", no_args_is_help=True)


def _label(value: str | None, option: str) -> str | None:
    if value is not None and value not in LABELS:
        raise fail(f"{option} {value!r} is not one of {', '.join(LABELS)}")
    return value


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"--since {value!r} is not a date (use YYYY-MM-DD or an ISO time such as 2026-11-29T08:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _badge(label: str | None) -> Text:
    if label is None:
        return Text("not scored", style="dim")
    return Text(f" {label.upper()} ", style=_BADGE[label])


def report_table(rows: list[ReportRow], title: str) -> Table:
    """Claims with verdict badge, confidence, speaker, top source and review, as a rich table; a verdict that
    follows a published fact-check of the claim names it as its source ("prior: publisher, date «rating»")."""
    table = Table(title=safe(title), title_justify="left", expand=True)
    table.add_column("claim (id)", overflow="fold", ratio=3)
    table.add_column("verdict", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("speaker", overflow="fold", ratio=1)
    table.add_column("source", overflow="fold", ratio=1)
    table.add_column("review", overflow="fold", min_width=12, ratio=1)
    for row in rows:
        verdict = row.verdict.verdict if row.verdict else None
        prior = verdict.prior_fact_check if verdict else None
        top = prior.passage if prior else verdict.citations[0].passage if verdict and verdict.citations else None
        citation = Text()
        if top:
            date = top.published_at.date().isoformat() if top.published_at else "undated"
            if prior:
                citation.append("prior: ", "bold magenta")
            citation.append_text(safe(f"{top.publisher or 'unknown publisher'}, {date}"))
            if prior and top.rating:
                citation.append_text(safe((f" «{top.rating}»", "bold")))
        review = Text()
        if row.review:
            rated = f" {SCALE[row.review.rating].name.lower()}, {row.review.reviewer}"
            review.append_text(_badge(row.review.label)).append_text(safe(rated))
        if row.review_reasons:
            reasons = ("\n" if row.review else "") + "needs review: " + ", ".join(row.review_reasons)
            review.append_text(safe((reasons, "yellow")))
        add_row(
            table,
            safe(one_line(row.claim.text, 160), (f"\n{row.claim.claim_id}", "dim")),
            _badge(verdict.label if verdict else None),
            f"{verdict.confidence:.0%}" if verdict else "",
            row.claim.speaker or "",
            citation,
            review,
        )
    return table


def _title(filters: ReportFilter, count: int) -> str:
    scope = [f"run {filters.run_id}"] if filters.run_id else ["latest verdicts"]
    scope += [
        f"{name} {value}" for name, value in (("article", filters.article_id), ("verdict", filters.label)) if value
    ]
    if filters.since:
        scope.append(f"since {filters.since.isoformat()}")
    if filters.needs_review:
        scope.append("needing review")
    if filters.prior_checked:
        scope.append("previously fact-checked")
    return f"Sanad report: {', '.join(scope)} ({count} claim(s))"


def _default_out(settings: Settings, extension: str) -> Path:
    return settings.home / "reports" / f"report-{datetime.now(UTC):%Y%m%d-%H%M%S}.{extension}"


def report(
    run: str | None = typer.Option(None, "--run", help="The verdicts of this run (even if later ones replaced them)."),
    article: str | None = typer.Option(None, "--article", help="Only the claims of this article."),
    verdict: str | None = typer.Option(
        None, "--verdict", help="Only this machine verdict: supported, disputed, unverified."
    ),
    since: str | None = typer.Option(None, "--since", help="Only verdicts recorded since this date (YYYY-MM-DD)."),
    needs_review: bool = typer.Option(False, "--needs-review", help="Only claims waiting for a reviewer."),
    prior_checked: bool = typer.Option(
        False, "--prior-checked", help="Only claims a published fact-check had already rated."
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv, json, parquet or html."),
    out: Path | None = typer.Option(
        None, "--out", help="File to write (csv/json default to stdout; parquet/html to SANAD_HOME/reports/)."
    ),
) -> None:
    """Claims with their latest verdict, evidence and review: a table, a file, or one HTML page."""
    if fmt not in FORMATS:
        raise fail(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "table" and out is not None:
        raise fail("--out needs --format csv, json, parquet or html")
    filters = ReportFilter(
        run_id=run,
        article_id=article,
        label=_label(verdict, "--verdict"),
        since=_since(since),
        needs_review=needs_review,
        prior_checked=prior_checked,
    )
    settings = Settings()
    with friendly_errors():
        rows = ReportStore(settings.reports_db, read_only=True).report(filters)
        title = _title(filters, len(rows))
        if fmt == "table":
            console.print(report_table(rows, title) if rows else "no claims match this report")
        elif fmt == "csv" and out is None:
            write_csv(rows, sys.stdout)
        elif fmt == "json" and out is None:
            sys.stdout.write(to_json(rows) + "\n")
        else:
            path = out or _default_out(settings, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "csv":
                write_csv_file(rows, path)
            elif fmt == "json":
                path.write_text(to_json(rows) + "\n", encoding="utf-8")
            elif fmt == "parquet":
                write_parquet(rows, path)
            else:
                path.write_text(render_html(rows, title=title, generated_at=datetime.now(UTC)), encoding="utf-8")
            console.print(safe(f"wrote {len(rows)} claim(s) to {path}"))


def review(
    claim_id: str = typer.Argument(..., help="The claim's id (see `sanad report`)."),
    rating: str = typer.Option(
        ...,
        "--rating",
        "--verdict",
        help=f"{', '.join(RATINGS)}; or a machine label for its plain rating (supported: true, disputed: false, "
        "unverified: unproven).",
    ),
    note: str = typer.Option(..., "--note", help="Why: published in ClaimReview exports as the explanation."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Your name (default: your login name)."),
) -> None:
    """Record a fact-checker's rating of a claim; it is kept beside the machine's verdict and survives
    re-verification."""
    with friendly_errors():
        stored = ReportStore(Settings().reports_db).add_review(claim_id, rating, note, reviewer or getpass.getuser())
    console.print(
        safe(
            f"recorded {stored.reviewer}'s review of claim {stored.claim_id}: {stored.rating} ({stored.label})"
            + (f" (machine verdict {stored.verdict_id})" if stored.verdict_id else " (no machine verdict yet)")
        )
    )


@export_app.command("claimreview")
def export_claimreview(
    run: str | None = typer.Option(None, "--run", help="Only the claims verified in this run."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: stdout)."),
    include_machine_verdicts: bool = typer.Option(
        False,
        "--include-machine-verdicts",
        help="Also export claims no one has reviewed, each marked in its text as an automated assessment.",
    ),
) -> None:
    """schema.org ClaimReview JSON-LD for every reviewed claim (the reviewer's verdict and note), published under
    SANAD_ORGANISATION_NAME; machine verdicts only with --include-machine-verdicts. Nothing to export: exit 1."""
    settings = Settings()
    with friendly_errors():
        by = publisher(settings)
        rows = ReportStore(settings.reports_db, read_only=True).report(ReportFilter(run_id=run))
        reviews = claim_reviews(rows, by, include_machine_verdicts=include_machine_verdicts)
    if not reviews:
        scope = f" in run {run}" if run else ""
        if include_machine_verdicts:
            raise fail(f"no reviewed or verified claims{scope} to export")
        raise fail(
            f"no reviewed claims{scope} to export: record decisions with `sanad review`, or pass "
            "--include-machine-verdicts to export machine verdicts marked as automated assessments"
        )
    text = json.dumps(reviews, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    with friendly_errors():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    automated = sum(row.review is None and row.verdict is not None for row in rows) if include_machine_verdicts else 0
    marked = f" ({automated} automated assessment(s))" if automated else ""
    err_console.print(safe(f"wrote {len(reviews)} ClaimReview(s){marked} to {out}"))


@export_app.command("reports")
def export_reports_command(
    target: Path = typer.Argument(..., help="New folder for the backup (Parquet files and manifest.json)."),
) -> None:
    """Back up the reports database (runs, articles, claims, verdict history, evidence, reviews)."""
    with friendly_errors():
        settings = Settings()
        backup = export_reports(settings.reports_db, target, settings.backup_key)
    total = ", ".join(f"{rows} {table}" for table, rows in backup.counts.items() if table != "schema_version")
    console.print(safe(f"exported {total} to {backup.path}"))


@import_app.command("reports")
def import_reports_command(
    source: Path = typer.Argument(..., help="A folder written by `sanad export reports`."),
) -> None:
    """Restore a reports backup into SANAD_HOME (which must not have a reports database yet)."""
    with friendly_errors():
        settings = Settings()
        backup = import_reports(source, settings.reports_db, settings.backup_key)
    total = ", ".join(f"{rows} {table}" for table, rows in backup.counts.items() if table != "schema_version")
    console.print(safe(f"imported {total} into {backup.path}"))
