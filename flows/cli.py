"""The ``sanad`` command line: one Typer app, with a sub-app per area."""

import typer

from flows.cli_models import models_app

app = typer.Typer(
    name="sanad",
    help="Sanad: claim verification for fact-checkers (Arabic and English).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(models_app, name="models")
