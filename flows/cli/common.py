"""Shared pieces of the command line: console, friendly errors, progress bars."""

import contextlib
from collections.abc import Callable, Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from evidence_store.errors import SanadError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err_console.print(f"[bold red]error:[/bold red] {message}", highlight=False)
    return typer.Exit(1)


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn expected failures (a ``SanadError``, or a file that cannot be read) into one error line and exit
    status 1; anything else is a bug and keeps its traceback."""
    try:
        yield
    except (SanadError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
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
