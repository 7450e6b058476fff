"""Shared pieces of the command line: console, friendly errors, progress bars, and ``safe`` text.

Every string that comes from a user, a file, a page or a store reaches the terminal through ``safe`` (or
``add_row``): rich would read ``[/x]`` in it as markup (and fail, or drop ``[fd00:ec2::254]``) and a
terminal would act on the escape sequences in it.
"""

import contextlib
from collections.abc import Callable, Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from evidence_store.errors import SanadError
from evidence_store.text.control import show_controls

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

Part = str | tuple[str, str]  # a string, or (string, rich style)


def _visible(part: Part) -> Part:
    return (show_controls(part[0]), part[1]) if isinstance(part, tuple) else show_controls(part)


def safe(*parts: Part) -> Text:
    """The parts as one rich ``Text``, printed literally: no markup or emoji codes are read in them, and
    control characters are shown as escapes (``\\x1b``)."""
    return Text.assemble(*(_visible(part) for part in parts))


def add_row(table: Table, *cells: str | Text) -> None:
    """Add a row whose string cells are printed literally (``Table.add_row`` reads markup in strings)."""
    table.add_row(*(safe(cell) if isinstance(cell, str) else cell for cell in cells))


def fail(message: str) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err_console.print(safe(("error:", "bold red"), " ", message))
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
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task(show_controls(description), total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
