"""`shopagent init` and `shopagent config show`."""

from typing import Annotated

import typer

from agent.commands.common import JsonOption, WorkdirOption, console, print_json, table
from agent.errors import UserError
from agent.settings import SETTINGS_FILE, write_settings_file
from agent.workspace import load_settings, open_workspace

app = typer.Typer(help="Show the effective settings.", no_args_is_help=True)


def init(
    workdir: WorkdirOption = None,
    currency: Annotated[str, typer.Option(help="Shop currency, ISO code.")] = "USD",
    locale: Annotated[str, typer.Option(help="Shop language: en or zh-CN.")] = "en",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing settings file.")] = False,
) -> None:
    """Create a work directory with a settings file and an empty shop database."""
    settings = load_settings(workdir, currency=currency, locale=locale)
    target = settings.workdir / SETTINGS_FILE
    if target.exists() and not force:
        raise UserError(f"{target} already exists; edit it, or pass --force to start it afresh")
    workspace = open_workspace(settings)
    write_settings_file(workspace.workdir, {"currency": settings.currency, "locale": settings.locale})
    console.print(f"Created {target} and {settings.db_url.removeprefix('sqlite:///')}")
    console.print(f"Next: shopagent open --catalog CATALOG.csv --brief \"one line about the shop\" "
                  f"--workdir {workspace.workdir}")


@app.command("show")
def show(workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Print the effective settings (secrets masked) and where they come from."""
    settings = load_settings(workdir)
    values = settings.masked()
    if as_json:
        print_json(values)
        return
    source = settings.workdir / SETTINGS_FILE
    title = f"Settings ({source} {'found' if source.exists() else 'absent'}; SHOPAGENT_* variables override it)"
    console.print(table(title, ["setting", "value"], [[k, v] for k, v in values.items()]))
