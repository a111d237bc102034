"""`shopagent stats import`: marketplace traffic (visits, add-to-carts, orders) per listing and day."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from agent.commands.common import JsonOption, WorkdirOption, console, print_json, table
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.listing_stats import import_listing_stats

app = typer.Typer(help="Import the marketplace's traffic statistics.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The stats CSV exported from the marketplace's seller back-office.")],
    marketplace: Annotated[str, typer.Option(help="The marketplace the export comes from.")] = "sandbox",
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a stats export; a listing's day imported again takes the newer numbers.

    Exits with status 1 when any row was rejected (the good rows are still imported).
    """
    workspace = open_workspace(load_settings(workdir))
    with session_scope(workspace.engine) as session:
        report = import_listing_stats(session, file, marketplace)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(f"{file}: {report.rows} rows read; {report.created} created, {report.updated} updated, "
                      f"{report.unchanged} unchanged, {len(report.errors)} problem(s).")
        if report.errors:
            console.print(table("Rows not imported — fix them in the file and import again",
                                ["row", "column", "problem"], [[e.row, e.column, escape(e.reason)] for e in report.errors]))
    if report.errors:
        raise typer.Exit(1)
