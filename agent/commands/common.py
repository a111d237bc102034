"""What every command shares: the --workdir and --json options, output helpers."""

import json
import time
from datetime import datetime
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


def table(title: str, columns: list[str], rows: list[list[Any]], keep: tuple[str, ...] = ()) -> Table:
    """A titled table of `rows`. The columns named in `keep` (ids a person copies into the next
    command) are never cut or wrapped on a narrow terminal; the others give way."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    out = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        if column in keep:
            widest = max([len(column), *(len(row[i]) for row in cells)])
            out.add_column(column, no_wrap=True, min_width=widest)
        else:
            out.add_column(column)
    for row in cells:
        out.add_row(*row)
    return out


def progress_bar(quiet: bool = False) -> Progress:
    """The bar long commands show on the console (none with --json)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=quiet)


class RunProgress:
    """A run's live line on a terminal: stage, item n of m in that stage, step n of m and the
    time so far. Elsewhere (a pipe, a log file, cron) nothing is drawn: each new stage is
    written as one line to `<workdir>/runs/activity.log` instead."""

    def __init__(self, label: str, runs_folder: Path):
        self.label = label
        self.started = time.monotonic()
        self.stage = ""
        self.bar = progress_bar(quiet=not console.is_terminal)
        self.task = self.bar.add_task(f"{label}: planning", total=None)
        self.log_file = runs_folder / "activity.log"

    def __enter__(self) -> "RunProgress":
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()
        elapsed = time.monotonic() - self.started
        self.note(f"ended after {elapsed:.0f} s{' (interrupted)' if exc[0] else ''}")

    def __call__(self, position: int, steps: list[dict]) -> None:
        tool = steps[position]["tool"]
        same = [i for i, step in enumerate(steps) if step["tool"] == tool]
        item = f" {same.index(position) + 1} of {len(same)}" if len(same) > 1 else ""
        self.bar.update(self.task, completed=position, total=len(steps),
                        description=f"{self.label}: {tool}{item}")
        if tool != self.stage:
            self.stage = tool
            self.note(f"{tool} ({len(same)} item{'' if len(same) == 1 else 's'}) at step {position + 1} of "
                      f"{len(steps)}, {time.monotonic() - self.started:.0f} s in")

    def note(self, text: str) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("a", encoding="utf-8") as log:
            log.write(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S%z} {self.label}: {text}\n")


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
