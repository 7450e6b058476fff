"""The ``sanad`` command line: one Typer app, with a sub-app per area."""

import typer

from flows.cli.claims import claims_app
from flows.cli.demo import demo
from flows.cli.eval import eval_app
from flows.cli.evidence import evidence_app
from flows.cli.models import models_app
from flows.cli.reports import export_app, import_app, report, review
from flows.cli.serve import serve, worker
from flows.cli.train import train_app

app = typer.Typer(
    name="sanad",
    help="Sanad: claim verification for fact-checkers (Arabic and English).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(models_app, name="models")
app.add_typer(claims_app, name="claims")
app.add_typer(evidence_app, name="evidence")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.command("demo")(demo)
app.command("report")(report)
app.command("review")(review)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.command("serve")(serve)
app.command("worker")(worker)
