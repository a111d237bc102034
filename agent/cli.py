"""The `shopagent` command line: noun-verb commands; errors become one line and exit 1."""

import sys

import typer
from rich.markup import escape

from agent.commands import (approvals, catalog, clips, config, fleet, images, listings, live, marketplace, orders,
                            report, runs, stats)
from agent.commands.common import errors
from agent.errors import UserError
from store_data.errors import StoreDataError

app = typer.Typer(
    help="shopagent: an AI operator for an online shop.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(config.init)
app.command("open")(runs.open_command)
app.command("daily")(runs.daily_command)
app.command("desk")(runs.desk_command)
app.command("stock")(runs.stock_command)
app.command("ask")(runs.ask_command)
app.command("resume")(runs.resume_command)
app.command("serve")(runs.serve_command)
app.add_typer(runs.app, name="runs")
app.add_typer(approvals.app, name="approvals")
app.add_typer(config.app, name="config")
app.add_typer(catalog.app, name="catalog")
app.add_typer(marketplace.app, name="marketplace")
app.add_typer(orders.app, name="orders")
app.add_typer(stats.app, name="stats")
app.command("report")(report.report)
app.add_typer(images.app, name="images")
app.add_typer(clips.app, name="clips")
app.add_typer(live.app, name="live")
app.add_typer(listings.app, name="listings")
app.add_typer(fleet.app, name="fleet")
app.command("worker")(fleet.worker_command)


def main() -> None:
    """Console-script entry: run the app and turn user errors into one line."""
    try:
        app()
    except (UserError, StoreDataError) as exc:
        errors.print(f"[red]Error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
