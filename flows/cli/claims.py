"""``sanad claims``: extract the check-worthy claims of an article."""

import json
import sys
from typing import Literal

import typer
from rich.table import Table

from flows.cli.common import add_row, console, fail, safe
from verify.extract.claims import extract_claims
from verify.extract.intake import ArticleError, read_article
from verify.settings import Settings
from verify.types import Article, Claim

claims_app = typer.Typer(help="Find the claims worth checking in an article.", no_args_is_help=True)


OutputFormat = Literal["table", "json"]


def claims_table(claims: list[Claim], title: str) -> Table:
    """Claims as a table: rank, score, type, language, speaker, text."""
    table = Table(title=safe(title), title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("lang", no_wrap=True)
    table.add_column("speaker", max_width=28)
    table.add_column("claim", overflow="fold")
    for rank, claim in enumerate(claims, start=1):
        add_row(
            table,
            str(rank),
            f"{claim.checkworthiness:.2f}",
            claim.claim_type,
            claim.language or "",
            claim.speaker or "",
            claim.text,
        )
    return table


def find_claims(article: Article, settings: Settings, min_score: float | None) -> list[Claim]:
    """The article's check-worthy claims: from a warm worker when one serves them (models loaded), else here."""
    from flows import warm

    found = warm.on_worker(warm.claims_task, article, min_score)
    return found if found is not None else extract_claims(article, settings, min_score=min_score)


@claims_app.command("extract")
def extract(
    source: str = typer.Argument(..., help="Article file (text or HTML), URL, or '-' for standard input."),
    output: OutputFormat = typer.Option("table", "--format", help="table (default) or json."),
    min_score: float | None = typer.Option(
        None, "--min-score", min=0.0, max=1.0, help="Lowest check-worthiness shown (default: setting)."
    ),
) -> None:
    """Show the check-worthy claims of an article, best first, with score, type and speaker."""
    settings = Settings()
    try:
        article = read_article(source, settings, stdin=sys.stdin.buffer)
        claims = find_claims(article, settings, min_score)
    except (ArticleError, FileNotFoundError, PermissionError) as exc:
        raise fail(str(exc)) from None
    if output == "json":
        payload = {
            "article": article.model_dump(mode="json", exclude={"text"}),
            "claims": [claim.model_dump(mode="json") for claim in claims],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    heading = article.title or article.url or source
    console.print(claims_table(claims, f"{len(claims)} claim(s) in {heading} [{article.language or '?'}]"))
    if article.removed_lines:
        console.print(f"[dim]{len(article.removed_lines)} line(s) of page furniture removed[/dim]")
