"""The approval queue: each waiting action with its reason, exact arguments and a preview fit
for the decision; approve, edit or reject it (or approve low-risk ones in bulk). A decision
is recorded with agent.approvals.decide() and its run resumed with resume_after(), the same
code path as `shopagent approvals approve`."""

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from agent.approvals import decide, fleet_resumes, get_approval, list_approvals, low_risk
from agent.console.app import checked_form, console_of, owner
from agent.console.auth import OwnerSession
from agent.console.previews import preview_for
from agent.errors import UserError
from store_data.audit import Approval
from store_data.status import ApprovalStatus

router = APIRouter()
DECISIONS = ("approve", "edit", "reject")
DECIDED_BY = "owner (console)"
LONG_TEXT = 60  # a text argument longer than this is edited in a text area


@router.get("/approvals")
def queue(request: Request, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    workspace = console.workspace
    pending = list_approvals(workspace, ApprovalStatus.PENDING)
    cards = [{"approval": a, "preview": preview_for(workspace, a), "low_risk": low_risk(a), "why": _why(a)}
             for a in pending]
    with Session(workspace.engine) as db:
        decided = list(db.exec(select(Approval).where(Approval.status != ApprovalStatus.PENDING)
                               .order_by(col(Approval.decided_at).desc()).limit(20)))
    return console.render(request, "approvals.html", session, cards=cards, decided=decided,
                          bulk=[c["approval"] for c in cards if c["low_risk"]])


@router.get("/approvals/{approval_id}")
def detail(request: Request, approval_id: int, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    try:
        approval = get_approval(console.workspace, approval_id)
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    card = {"approval": approval, "preview": preview_for(console.workspace, approval),
            "low_risk": low_risk(approval), "why": _why(approval)}
    return console.render(request, "approval.html", session, card=card, fields=edit_fields(approval.arguments),
                          pending=approval.status == ApprovalStatus.PENDING)


@router.post("/approvals/bulk")
def bulk_approve(request: Request, form: FormData = Depends(checked_form),
                 session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    runs, done = [], []
    for raw in form.getlist("approval_id"):
        try:
            if not isinstance(raw, str):
                raise TypeError("approval_id is a file, not an approval's number")
            approval = get_approval(console.workspace, int(raw))
            if not low_risk(approval):
                raise UserError(f"approval {approval.id} ({approval.tool}) is not low-risk; decide it on its own")
            assert approval.id is not None, "get_approval reads a stored approval"
            approval = decide(console.workspace, approval.id, "approve", by=DECIDED_BY, note="bulk approval")
        except (UserError, ValueError) as exc:
            session.notes.append(str(exc))
            continue
        done.append(str(approval.id))
        if approval.run_id and approval.run_id not in runs:
            runs.append(approval.run_id)
    for run_id in runs:
        _resume(console, session, run_id)
    if done:
        session.notes.append(f"Approved {', '.join(done)}; resuming {', '.join(runs) or 'no run'}.")
    elif not form.getlist("approval_id"):
        session.notes.append("Nothing selected.")
    return RedirectResponse("/approvals", status_code=303)


@router.post("/approvals/{approval_id}/{decision}")
def decide_one(request: Request, approval_id: int, decision: str, form: FormData = Depends(checked_form),
               session: OwnerSession = Depends(owner)) -> Response:
    if decision not in DECISIONS:
        raise HTTPException(404, f"unknown decision '{decision}'; use approve, edit or reject")
    console = console_of(request)
    try:
        extra: dict[str, Any] = {}
        if decision == "edit":
            extra["edited_arguments"] = edited_arguments(get_approval(console.workspace, approval_id).arguments, form)
        approval = decide(console.workspace, approval_id, decision, by=DECIDED_BY,
                          note=str(form.get("note") or ""), **extra)
    except UserError as exc:
        session.notes.append(str(exc))
        return RedirectResponse(f"/approvals/{approval_id}", status_code=303)
    session.notes.append(f"Approval {approval.id} ({approval.tool}): {approval.status}.")
    if not approval.run_id:
        return RedirectResponse("/approvals", status_code=303)
    _resume(console, session, approval.run_id)
    return RedirectResponse(f"/runs/{approval.run_id}", status_code=303)


def _resume(console, session: OwnerSession, run_id: str) -> None:
    """Resume the run here, or, for a fleet shop, have its workflow resume it on a worker."""
    if fleet_resumes(console.workspace, run_id):
        session.notes.append(f"Run {run_id} resumes on the fleet's workers.")
    else:
        console.resumer.submit(run_id)


def _why(approval: Approval) -> str:
    """The planner's reason for the call, as stored with the approval."""
    return str((approval.preview or {}).get("why") or "")


def edit_fields(arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """One form field per argument, by the type of its current value."""
    fields = []
    for name, value in arguments.items():
        shown: bool | float | str
        if isinstance(value, bool):
            kind, shown = "bool", value
        elif isinstance(value, (int, float)):
            kind, shown = "number", value
        elif isinstance(value, str) or value is None:
            text = value or ""
            kind, shown = ("textarea" if len(text) > LONG_TEXT or "\n" in text else "text"), text
        else:
            kind, shown = "json", json.dumps(value, ensure_ascii=False)
        fields.append({"name": name, "kind": kind, "value": shown})
    return fields


def edited_arguments(arguments: dict[str, Any], form: FormData) -> dict[str, Any]:
    """The arguments as the owner changed them; decide() checks them against the tool's schema."""
    edited: dict[str, Any] = {}
    for name, value in arguments.items():
        raw = form.get(f"arg:{name}")
        if isinstance(value, bool):
            edited[name] = raw is not None
        elif isinstance(value, (int, float)):
            try:
                edited[name] = type(value)(str(raw).strip())
            except ValueError:
                raise UserError(f"{name} must be a number, not '{raw}'") from None
        elif isinstance(value, str) or value is None:
            text = str(raw if raw is not None else "")
            edited[name] = None if value is None and not text.strip() else text
        else:
            try:
                edited[name] = json.loads(str(raw))
            except json.JSONDecodeError as exc:
                raise UserError(f"{name} is not valid JSON ({exc.msg})") from None
    return edited
