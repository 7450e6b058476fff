"""Shared pieces of the command line: console, friendly errors, progress bars."""

import contextlib
from collections.abc import Callable, Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err_console.print(f"[bold red]error:[/bold red] {message}", highlight=False)
    return typer.Exit(1)


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn expected failures into one error line and exit status 1 (no traceback)."""
    from evidence_store.backup_files import BackupError
    from evidence_store.check import StoreCheckError
    from evidence_store.db import StoreModelMismatch
    from evidence_store.duck import DatabaseBusyError
    from evidence_store.embedding.e5_rebuild import ModelBuildError
    from evidence_store.ingest.records import IngestRejected

    try:
        yield
    except (
        StoreModelMismatch,
        StoreCheckError,
        BackupError,
        DatabaseBusyError,
        ModelBuildError,
        IngestRejected,
        FileNotFoundError,
        IsADirectoryError,
        PermissionError,
        ValueError,
    ) as exc:
        raise fail(str(exc)) from None


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar; yields ``update(done, total)``."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
