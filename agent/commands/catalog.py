"""`shopagent catalog import|import-tau|list`."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from agent.commands.common import JsonOption, WorkdirOption, console, print_json, table
from agent.workspace import load_settings, open_workspace
from store_data.catalog import catalog_rows, import_catalog
from store_data.db import session_scope
from store_data.money import format_money
from store_data.tau import SAMPLE_FILE, import_tau

app = typer.Typer(help="Import and list the supplier catalog.", no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Supplier catalog, .csv or .json (columns in the README).")],
    workdir: WorkdirOption = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of the file, e.g. gb18030 for legacy exports.")] = "utf-8",
    as_json: JsonOption = False,
) -> None:
    """Import a catalog: good rows are upserted by SKU, every bad row is reported.

    Exits with status 1 when any row was rejected (the good rows are still imported).
    """
    workspace = open_workspace(load_settings(workdir))
    with session_scope(workspace.engine) as session:
        report = import_catalog(session, file, workspace.workdir, encoding=encoding)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(
            f"{file}: {report.rows} rows read; {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.errors)} problem(s)."
        )
        if report.errors:
            rows = [[e.row or "-", e.sku, e.column, escape(e.reason)] for e in report.errors]
            console.print(table("Rows not imported as they are — fix them in the file and import again",
                                ["row", "sku", "column", "problem"], rows))
    if report.errors:
        raise typer.Exit(1)


@app.command("import-tau")
def import_tau_command(
    file: Annotated[Path, typer.Argument(help="Path to a τ² retail db.json (or .json.gz); default: the sample shipped with shopagent.")] = SAMPLE_FILE,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load the τ² retail records (50 products, 1,000 orders) as a large sample shop; its orders
    belong to the shop's platform, where `marketplace load-tau` serves the same records."""
    settings = load_settings(workdir)
    workspace = open_workspace(settings)
    with console.status("Importing τ² retail records"), session_scope(workspace.engine) as session:
        report = import_tau(session, file, marketplace=settings.platform)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in report.to_dict().items()))


@app.command("list")
def list_(workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """List the imported catalog, one line per SKU."""
    settings = load_settings(workdir)
    workspace = open_workspace(settings)
    with session_scope(workspace.engine) as session:
        rows = catalog_rows(session)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("The catalog is empty. Import one with: shopagent catalog import FILE")
        return
    money = settings.currency
    console.print(table(
        f"Catalog ({len(rows)} SKUs)",
        ["sku", "product", "name", "options", "cost", "price", "stock", "photos"],
        [[r["sku"], r["product"], r["name"], "; ".join(f"{k}={v}" for k, v in r["options"].items()),
          format_money(r["cost_cents"], money),
          format_money(r["price_cents"], money) if r["price_cents"] is not None else "-",
          r["stock"], r["photos"]] for r in rows],
    ))
