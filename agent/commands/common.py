"""What every command shares: the --workdir and --json options, output helpers."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.errors import UserError
from tools.errors import ToolRetry

WorkdirOption = Annotated[
    Path | None,
    typer.Option("--workdir", "-w", help="Work directory (default: $SHOPAGENT_WORKDIR or ./shop).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

console = Console()
errors = Console(stderr=True)


def print_json(data: Any) -> None:
    """JSON on stdout, plain (no colour codes), for scripts."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    out = Table(title=title, title_justify="left")
    for column in columns:
        out.add_column(column)
    for row in rows:
        out.add_row(*("" if v is None else str(v) for v in row))
    return out


def progress_bar(quiet: bool = False) -> Progress:
    """The bar long commands show on the console (none with --json)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=quiet)


def each_sku(skus: list[str], what: str, call: Callable[[str], Any], quiet: bool,
             person_fixes: tuple[type[Exception], ...] = (ToolRetry,)) -> list[Any]:
    """`call(sku)` for each SKU behind a progress bar ("<what> for <sku>"). The errors in
    `person_fixes` become a one-line UserError: at the CLI the person is the one who fixes it."""
    results = []
    with progress_bar(quiet) as bar:
        task = bar.add_task(what, total=len(skus))
        for sku in skus:
            bar.update(task, description=f"{what} for {sku}")
            try:
                results.append(call(sku))
            except person_fixes as exc:
                raise UserError(str(exc)) from None
            bar.advance(task)
    return results
