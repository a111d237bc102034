"""`shopagent approvals list|show|approve|edit|reject`: the owner's queue. A decision resumes
the run it belongs to, through the same code path as the web console."""

from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session, col, select

from agent import approvals as queue
from agent.commands.common import JsonOption, RunProgress, WorkdirOption, console, print_json, table
from agent.commands.runs import _show_outcome
from agent.workspace import load_settings, open_workspace
from store_data.orders import BuyerMessage

app = typer.Typer(help="Actions waiting for the owner's decision.", no_args_is_help=True)
NoResume = Annotated[bool, typer.Option("--no-resume", help="Record the decision without resuming the run now.")]


@app.command("list")
def list_(workdir: WorkdirOption = None, as_json: JsonOption = False,
          status: Annotated[str, typer.Option(help="pending, approved, edited, rejected, expired or all")] = "pending") -> None:
    """The actions waiting for you (or those with another status)."""
    workspace = open_workspace(load_settings(workdir))
    rows = queue.list_approvals(workspace, None if status == "all" else status)
    if as_json:
        print_json([a.model_dump() for a in rows])
        return
    if not rows:
        console.print(f"No {status} approvals.")
        return
    console.print(table(f"Approvals ({status})", ["id", "action", "arguments", "why it waits", "run"],
                        [[a.id, a.tool, escape(str(a.arguments))[:70], escape(a.reason), a.run_id] for a in rows],
                        keep=("id", "run")))


@app.command("show")
def show(approval_id: int, workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """One action in full: what, why it waits, the facts behind it, its status and when."""
    workspace = open_workspace(load_settings(workdir))
    approval = queue.get_approval(workspace, approval_id)
    if as_json:
        print_json(approval.model_dump())
        return
    for label, value in _view(approval) + _conversation(workspace, approval):
        console.print(f"[bold]{label}:[/bold] {escape(value)}")


def _conversation(workspace, approval) -> list[tuple[str, str]]:
    """A held reply's buyer thread as the shop has read it, oldest first (buyer text: shown, never run)."""
    thread = approval.arguments.get("thread_id") if approval.tool == "reply_message" else None
    if not thread:
        return []
    with Session(workspace.engine) as session:
        messages = session.exec(select(BuyerMessage).where(BuyerMessage.thread_id == str(thread))
                                .order_by(col(BuyerMessage.sent_at), col(BuyerMessage.id))).all()
    lines = [("Conversation", "" if messages else "none recorded")]
    lines += [(f"  {'buyer' if m.direction == 'in' else 'shop'} {m.sent_at:%Y-%m-%d %H:%M}", m.text) for m in messages]
    return lines


def _view(approval) -> list[tuple[str, str]]:
    """An approval as labelled lines, in reading order: what, why, the facts, status, when."""
    def arguments(values: dict) -> str:
        return ", ".join(f"{k}={v}" for k, v in values.items()) or "none"

    lines = [("Approval", f"{approval.id} ({approval.tool}), run {approval.run_id or '-'}"),
             ("What", f"{approval.tool}({arguments(approval.arguments)})"),
             ("Why it waits", approval.reason or "-")]
    lines.append(("Facts", "" if approval.preview else "none"))
    lines += [(f"  {key.replace('_', ' ')}", str(value)) for key, value in approval.preview.items()]
    if approval.edited_arguments is not None:
        lines.append(("Edited to", arguments(approval.edited_arguments)))
    lines.append(("Status", approval.status + (f" by {approval.decided_by}" if approval.decided_by else "")
                  + (f": {approval.note}" if approval.note else "")))
    lines.append(("Asked", f"{approval.created_at:%Y-%m-%d %H:%M} UTC"))
    if approval.decided_at is not None:
        lines.append(("Decided", f"{approval.decided_at:%Y-%m-%d %H:%M} UTC"))
    if approval.expires_at is not None:
        lines.append(("Expires", f"{approval.expires_at:%Y-%m-%d %H:%M} UTC"))
    return lines


def _decide(approval_id: int, decision: str, workdir, resume: bool, as_json: bool, **extra) -> None:
    workspace = open_workspace(load_settings(workdir))
    with RunProgress("resuming", workspace.runs) as progress:
        approval, outcome = queue.decide_and_resume(workspace, approval_id, decision, resume=resume,
                                                    progress=progress, **extra)
    if not as_json:
        console.print(f"Approval {approval.id} ({approval.tool}): {approval.status}.")
    if outcome is not None:
        _show_outcome(outcome, as_json)
    elif resume and approval.run_id and not as_json:
        console.print(f"Run {approval.run_id} resumes on the fleet's workers; see `shopagent fleet status`.")
    elif resume and approval.run_id:
        print_json({"approval": approval.model_dump(), "resumed_by": "fleet"})


@app.command("approve")
def approve(approval_id: int, workdir: WorkdirOption = None, no_resume: NoResume = False, as_json: JsonOption = False) -> None:
    """Approve the action as proposed; the run resumes and does it."""
    _decide(approval_id, "approve", workdir, not no_resume, as_json)


@app.command("edit")
def edit(approval_id: int,
         arguments: Annotated[str, typer.Argument(help="Changed arguments as JSON, e.g. '{\"amount_cents\": 500}'.")],
         workdir: WorkdirOption = None, no_resume: NoResume = False, as_json: JsonOption = False) -> None:
    """Approve the action with changed arguments."""
    _decide(approval_id, "edit", workdir, not no_resume, as_json, edited_arguments=arguments)


@app.command("reject")
def reject(approval_id: int, reason: Annotated[str, typer.Option(help="Why, for the audit trail.")] = "",
           workdir: WorkdirOption = None, no_resume: NoResume = False, as_json: JsonOption = False) -> None:
    """Reject the action; the run goes on without it."""
    _decide(approval_id, "reject", workdir, not no_resume, as_json, note=reason)
