"""`shopagent open|daily|ask|resume` and `shopagent runs list|show`: runs and their audit trail."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session, col, select

from agent import run_settings
from agent.commands.common import JsonOption, RunProgress, WorkdirOption, console, print_json, table
from agent.errors import UserError
from agent.operator import operator
from agent.runner import Outcome, resume_run, start_run
from agent.runs import get_run, steps_of
from agent.runs import run_settings as run_settings_of
from agent.workspace import load_settings, open_workspace
from store_data.audit import Run
from store_data.catalog import import_catalog
from store_data.db import session_scope
from store_data.status import RunStatus

app = typer.Typer(help="The audit trail of runs.", no_args_is_help=True)
ApprovalOption = Annotated[str | None, typer.Option("--approval", help="Approval mode for this run: auto, risky or all.")]
PlatformOption = Annotated[str | None, typer.Option(
    "--platform", help="Marketplace for this run: sandbox, oscar (a django-oscar shop at marketplace_url) "
                       "or vendure (a Vendure shop's Admin API at marketplace_url).")]


# Exit codes of open, daily, ask, resume and the orders commands (documented in the README).
EXIT_FAILED = 1  # a step failed, or the run stopped on its budget: see the summary
EXIT_WAITING = 3  # nothing failed, and actions wait for the owner's approval


KIND_WORDS = {"model": "a wrong call", "owner": "needs you", "bug": "a fault in shopagent"}


def exit_code(outcome: Outcome) -> int:
    """0 when the run did all it planned; EXIT_FAILED when anything failed (even if actions
    also wait); EXIT_WAITING when it paused for the owner with nothing failed."""
    if outcome.status in (RunStatus.FAILED, RunStatus.STOPPED) or outcome.summary.get("failed"):
        return EXIT_FAILED
    return EXIT_WAITING if outcome.waiting or outcome.status == RunStatus.PAUSED else 0


def _run(workdir: Path | None, workflow: str, goal: str, approval: str | None, as_json: bool,
         run_id: str | None = None, platform: str | None = None) -> Outcome:
    overrides = {"approval_mode": approval} if approval else {}
    if platform:
        overrides["platform"] = platform
    workspace = open_workspace(load_settings(workdir, **overrides))
    if run_id:  # a resume runs under the settings it started with
        workspace = run_settings.for_run(workspace, run_id)
    with operator(workspace) as op, RunProgress(workflow, workspace.runs) as progress:
        if run_id:
            outcome = resume_run(workspace, run_id, llm=op.llm, drivers=op.drivers, progress=progress)
        else:
            outcome = start_run(workspace, workflow, goal, llm=op.llm, drivers=op.drivers, progress=progress)
    _show_outcome(outcome, as_json)
    if exit_code(outcome):
        raise typer.Exit(exit_code(outcome))
    return outcome


def _show_outcome(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        print_json({**outcome.__dict__, "exit_code": exit_code(outcome)})
        return
    summary = outcome.summary or {}
    if summary.get("answer"):
        console.print(escape(summary["answer"]))
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.get("steps", {}).items())) or "no steps"
    console.print(f"Run {outcome.run_id}: {outcome.status} ({counts}; {outcome.model_calls} model calls, "
                  f"{outcome.tokens} tokens)")
    came_to = summary.get("came_to", {})
    for stage, by_status in summary.get("stages", {}).items():
        counts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        console.print(f"  {stage}: {counts}" + (f" ({escape(came_to[stage])})" if came_to.get(stage) else ""))
    for failure in summary.get("failed", []):
        kind = failure.get("kind", "")
        console.print(f"  failed step {failure['position']} {failure['tool']}"
                      f"{f' ({KIND_WORDS.get(kind, kind)})' if kind else ''}: {escape(failure['error'])}")
        if failure.get("to_do"):
            console.print(f"    what to do: {escape(failure['to_do'])}")
    if summary.get("stopped"):
        console.print(f"  stopped: {summary['stopped']}")
    if summary.get("error"):
        console.print(f"  the run failed: {escape(summary['error'])}")
    if outcome.waiting:
        console.print(f"{len(outcome.waiting)} action(s) wait for your approval: shopagent approvals list; "
                      f"the run resumes after each decision.")


def open_command(
    catalog: Annotated[Path | None, typer.Option(help="Supplier catalog to import first (.csv or .json).")] = None,
    brief: Annotated[str, typer.Option(help="One line about the shop, e.g. 'calm ceramics for small kitchens'.")] = "",
    approval: ApprovalOption = None,
    platform: PlatformOption = None,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open the shop: brand, images, copy, prices, listings and clips, published under the approval policy."""
    if not brief.strip():
        raise UserError("give the shop a brief, e.g. --brief \"calm ceramics for small kitchens\"")
    if catalog is not None:
        workspace = open_workspace(load_settings(workdir))
        with session_scope(workspace.engine) as session:
            report = import_catalog(session, catalog, workspace.workdir)
        console.print(f"Catalog: {report.imported} SKUs imported, {len(report.errors)} row problem(s)"
                      + (" (see `shopagent catalog import` for details)" if report.errors else ""))
    _run(workdir, "open", brief, approval, as_json, platform=platform)


def daily_command(approval: ApprovalOption = None, platform: PlatformOption = None, workdir: WorkdirOption = None,
                  as_json: JsonOption = False) -> None:
    """One pass of the daily loop: orders, messages, refunds and returns, stock, report, proposals."""
    _run(workdir, "daily", "daily operations", approval, as_json, platform=platform)


def desk_command(approval: ApprovalOption = None, platform: PlatformOption = None, workdir: WorkdirOption = None,
                 as_json: JsonOption = False) -> None:
    """One pass of the service desk: new orders synced, then every waiting buyer message answered from the
    shop's records or handed to you."""
    _run(workdir, "desk", "service desk", approval, as_json, platform=platform)


def stock_command(approval: ApprovalOption = None, workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Keep one stock pool on every platform: new orders synced from each, then each shown the units left
    (`serve` does this every stock_interval seconds for a shop on several platforms)."""
    _run(workdir, "stock", "stock pool", approval, as_json)


def ask_command(
    text: Annotated[str, typer.Argument(help="What you want, e.g. 'why did sales drop yesterday?'")],
    approval: ApprovalOption = None,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ask the operator: it answers from the shop's data or plans tool calls and runs them under the approval policy."""
    _run(workdir, "ask", text, approval, as_json)


def resume_command(run_id: Annotated[str, typer.Argument(help="The run to continue.")],
                   workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Continue a run where it stopped (after approvals, a crash or Ctrl-C); no action is done twice."""
    workspace = open_workspace(load_settings(workdir))
    run = get_run(workspace.engine, run_id)
    if run is None:
        raise UserError(f"no run '{run_id}'; see `shopagent runs list`")
    _run(workdir, run.workflow, run.goal, None, as_json, run_id=run_id)


@app.command("list")
def list_runs(workdir: WorkdirOption = None, as_json: JsonOption = False, limit: int = 20) -> None:
    """The latest runs, newest first."""
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        rows = session.exec(select(Run).order_by(col(Run.started_at).desc()).limit(limit)).all()
    if as_json:
        print_json([r.model_dump() for r in rows])
        return
    console.print(table("Runs", ["id", "workflow", "status", "started", "model calls", "tokens"],
                        [[r.id, r.workflow, r.status, f"{r.started_at:%Y-%m-%d %H:%M}", r.model_calls, r.tokens]
                         for r in rows], keep=("id",)))


@app.command("show")
def show_run(run_id: str, workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Every step of a run: tool, arguments, status, duration, error."""
    workspace = open_workspace(load_settings(workdir))
    run = get_run(workspace.engine, run_id)
    if run is None:
        raise UserError(f"no run '{run_id}'; see `shopagent runs list`")
    steps = steps_of(workspace.engine, run_id)
    started_with = run_settings_of(workspace.engine, run_id)
    if as_json:
        print_json({"run": run.model_dump(), "settings": started_with, "steps": [s.model_dump() for s in steps]})
        return
    console.print(f"Run {run.id} ({run.workflow}, {run.status}): {escape(run.goal)}")
    if started_with is not None:
        console.print(f"Settings it runs under (also on resume): {escape(run_settings.describe(started_with))}")
    console.print(table("Steps", ["#", "tool", "arguments", "status", "ms", "by", "error"],
                        [[s.position, f"{s.tool} (on {s.platform})" if s.platform else s.tool,
                          escape(str(s.arguments))[:60], s.status, s.duration_ms, s.made_by,
                          escape(s.error)[:80]] for s in steps]))


def serve_command(
    run_now: Annotated[bool, typer.Option("--run-now", help="Also run the daily loop once right away.")] = False,
    no_console: Annotated[bool, typer.Option("--no-console", help="Run the schedule without the web console.")] = False,
    workdir: WorkdirOption = None,
) -> None:
    """Run the daily loop on its schedule (settings daily_at, timezone), the service desk every desk_interval
    seconds, and the web console on 127.0.0.1:console_port until stopped (Ctrl-C or SIGTERM). The console
    needs console_password."""
    from agent.console.server import console_runner
    from agent.scheduler import serve

    settings = load_settings(workdir)
    web = None if no_console else console_runner(settings, say=console.print)
    serve(settings, run_now=run_now, console=web, say=console.print)
