"""The ``sanad`` command line: one Typer app, with a sub-app per area."""

import typer

from flows.cli_demo import demo
from flows.cli_eval import eval_app
from flows.cli_evidence import evidence_app
from flows.cli_models import models_app

app = typer.Typer(
    name="sanad",
    help="Sanad: claim verification for fact-checkers (Arabic and English).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(models_app, name="models")
app.add_typer(evidence_app, name="evidence")
app.add_typer(eval_app, name="eval")
app.command("demo")(demo)
