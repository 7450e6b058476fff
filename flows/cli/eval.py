"""``sanad eval``: measure retrieval and verdict quality on labelled JSONL files."""

from pathlib import Path

import typer
from rich.table import Table

from evidence_store.evaluation import RECALL_CUTOFFS, evaluate_retrieval, read_queries, write_run
from evidence_store.types import SearchMode
from flows.cli.common import add_row, console, err_console, fail, friendly_errors, progress_bar, safe
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
            err_console.print(safe(("skipped", "yellow"), f" {issue}"))
        run = runs[0]
        write_run(run, query_list, out)
    table = Table(title=f"{mode} retrieval, {run.scored_queries} queries with gold ids", title_justify="left")
    for cutoff in RECALL_CUTOFFS:
        table.add_column(f"recall@{cutoff}", justify="right")
    table.add_row(*(f"{run.recall[c]:.3f}" for c in RECALL_CUTOFFS))
    console.print(table)
    console.print(safe(f"wrote {len(query_list)} ranked lists to {out}"))


@eval_app.command("claims")
def claims(
    file: Path = typer.Argument(..., help="Claims JSONL (shared/data schema: id, lang, claim, evidence, label)."),
    out: Path = typer.Option(..., "--out", help='Where to write {"id", "verdict", "confidence", "cited"} lines.'),
    retrieve: bool = typer.Option(False, "--retrieve", help="Judge from passages retrieved from --corpus only."),
    corpus: Path | None = typer.Option(None, "--corpus", help="JSONL corpus to index for --retrieve."),
    held_out: bool = typer.Option(False, "--held-out", help="Skip claims the stance model may have trained on."),
) -> None:
    """Verdict every claim, write predictions, print accuracy, macro-F1, per-class P/R/F1, confusion and ECE."""
    from verify.stance.llm import StanceBackendError
    from verify.training.claims_eval import evaluate_claims, write_predictions

    if retrieve and corpus is None:
        raise fail("--retrieve needs --corpus CORPUS.jsonl")
    if corpus is not None and not retrieve:
        raise fail("--corpus is only used with --retrieve")
    with friendly_errors(), progress_bar("verifying") as update:
        try:
            run = evaluate_claims(
                file, Settings(), corpus=corpus, held_out_only=held_out, progress=lambda _s, d, t: update(d, t)
            )
        except StanceBackendError as exc:
            raise fail(str(exc)) from None
        write_predictions(run.predictions, out)
    metrics = run.metrics
    skipped = f", {run.skipped_trained} trained-on claims skipped" if run.skipped_trained else ""
    console.print(
        f"{metrics.count} claims{skipped}: accuracy {metrics.accuracy:.3f}, "
        f"macro-F1 {metrics.macro_f1:.3f}, ECE {metrics.ece:.3f}"
    )
    decided = run.abstention
    console.print(
        f"decisive verdicts (supported or disputed): precision {decided.precision:.3f} at coverage "
        f"{decided.coverage:.3f}; most confident first: "
        + ", ".join(f"{precision:.2f} at {coverage:.2f}" for coverage, precision in decided.curve),
        highlight=False,
    )
    table = Table(title="per class", title_justify="left")
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for label, scores in metrics.per_class.items():
        add_row(
            table, label, f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}", str(scores.support)
        )
    console.print(table)
    confusion = Table(title="confusion (rows gold, columns predicted)", title_justify="left")
    confusion.add_column("gold \\ predicted")
    for label in metrics.labels:
        confusion.add_column(safe(label), justify="right")
    for gold in metrics.labels:
        add_row(confusion, gold, *(str(metrics.confusion[gold][p]) for p in metrics.labels))
    console.print(confusion)
    console.print(
        f"similarity baseline (best cosine, thresholds tuned on these claims): macro-F1 {run.baseline.macro_f1:.3f}, "
        f"accuracy {run.baseline.accuracy:.3f}",
        highlight=False,
    )
    console.print(safe(f"wrote {len(run.predictions)} predictions to {out}"))
