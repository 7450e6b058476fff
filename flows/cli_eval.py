"""``sanad eval``: measure retrieval and verdict quality on labelled JSONL files."""

from pathlib import Path

import typer
from rich.table import Table

from evidence_store.evaluation import RECALL_CUTOFFS, evaluate_retrieval, read_queries, write_run
from evidence_store.types import SearchMode
from flows.cli_common import console, err_console, friendly_errors, progress_bar
from verify.settings import Settings

eval_app = typer.Typer(help="Measure quality on labelled data (retrieval, verdicts).", no_args_is_help=True)


@eval_app.command("retrieval")
def retrieval(
    queries: Path = typer.Argument(..., help='JSONL of {"qid", "claim", "gold_passage_ids"}.'),
    corpus: Path = typer.Option(..., "--corpus", help='JSONL of {"id", "text", ...} passages.'),
    out: Path = typer.Option(..., "--out", help='Where to write {"qid", "ranked_ids"} lines.'),
    mode: SearchMode = typer.Option("hybrid", "--mode", help="dense, bm25 or hybrid."),
    k: int = typer.Option(10, "--k", min=1, max=1000, help="Ids to rank per query."),
) -> None:
    """Index CORPUS into a throwaway store, rank ids for each query, print recall@1/5/10."""
    with friendly_errors():
        query_list = read_queries(queries)
        with progress_bar("evaluating") as update:
            runs, issues = evaluate_retrieval(
                queries, corpus, [mode], k, Settings(), on_progress=lambda _stage, d, t: update(d, t)
            )
        for issue in issues:
            err_console.print(f"[yellow]skipped[/yellow] {issue}", highlight=False)
        run = runs[0]
        write_run(run, query_list, out)
    table = Table(title=f"{mode} retrieval, {run.scored_queries} queries with gold ids", title_justify="left")
    for cutoff in RECALL_CUTOFFS:
        table.add_column(f"recall@{cutoff}", justify="right")
    table.add_row(*(f"{run.recall[c]:.3f}" for c in RECALL_CUTOFFS))
    console.print(table)
    console.print(f"wrote {len(query_list)} ranked lists to {out}")
