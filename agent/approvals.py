"""The owner's decisions on queued actions. The CLI and the web console both call decide(),
then resume the run, so a decision has one code path wherever it is made."""

import json
from dataclasses import replace
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from agent import run_settings
from agent.errors import UserError
from agent.operator import operator
from agent.runner import Outcome, resume_run
from agent.runs import expire_stale
from agent.workspace import Workspace
from store_data.audit import Approval
from store_data.errors import IllegalTransition
from store_data.status import ApprovalStatus
from tools.errors import ToolFailed, ToolRetry
from tools.registry import BY_NAME


def list_approvals(workspace: Workspace, status: str | None = "pending") -> list[Approval]:
    expire_stale(workspace.engine)
    with Session(workspace.engine) as session:
        query = select(Approval).order_by(col(Approval.id))
        if status:
            query = query.where(Approval.status == status)
        return list(session.exec(query))


def get_approval(workspace: Workspace, approval_id: int) -> Approval:
    with Session(workspace.engine) as session:
        approval = session.get(Approval, approval_id)
    if approval is None:
        raise UserError(f"no approval {approval_id}; see `shopagent approvals list`")
    return approval


def low_risk(approval: Approval) -> bool:
    """Whether the owner may approve this action in bulk: it moves no money, publishes
    nothing, changes no price, writes nothing a buyer reads, and no platform asked for a
    person. Decided from the tool's risk flags and the stored facts, never by the model."""
    spec = BY_NAME.get(approval.tool)
    if spec is None:
        return False
    risk, facts = spec.risk, (approval.preview or {}).get("facts") or {}
    return not (risk.moves_money or risk.publishes or risk.changes_price or risk.contacts_buyer
                or facts.get("needs_person") or facts.get("amount_cents"))


def decide(workspace: Workspace, approval_id: int, decision: str, by: str = "owner",
           edited_arguments: dict[str, Any] | str | None = None, note: str = "") -> Approval:
    """Approve, edit (approve with changed arguments) or reject one pending action."""
    expire_stale(workspace.engine)
    target = {"approve": ApprovalStatus.APPROVED, "edit": ApprovalStatus.EDITED,
              "reject": ApprovalStatus.REJECTED}.get(decision)
    if target is None:
        raise UserError(f"unknown decision '{decision}'; use approve, edit or reject")
    with Session(workspace.engine, expire_on_commit=False) as session:
        approval = session.get(Approval, approval_id)
        if approval is None:
            raise UserError(f"no approval {approval_id}; see `shopagent approvals list`")
        if target == ApprovalStatus.EDITED:
            approval.edited_arguments = _checked_edit(workspace, approval, edited_arguments)
        try:
            approval.decide(target, by=by, note=note)
        except IllegalTransition:
            raise UserError(f"approval {approval_id} is already {approval.status}; nothing to decide") from None
        session.add(approval)
        session.commit()
        return approval


def _checked_edit(workspace: Workspace, approval: Approval, edited: dict[str, Any] | str | None) -> dict[str, Any]:
    if isinstance(edited, str):
        try:
            edited = json.loads(edited)
        except json.JSONDecodeError as exc:
            raise UserError(f"the edited arguments are not JSON ({exc.msg}); give an object like '{{\"amount_cents\": 500}}'") from None
    if not isinstance(edited, dict):
        raise UserError("an edit needs the changed arguments as a JSON object")
    arguments = {**approval.arguments, **edited}
    spec = BY_NAME.get(approval.tool)
    if spec is not None:
        try:
            arguments = spec.validate(arguments)
            # The tool's preview runs the tool's own limits (a refund above what was paid, a
            # test price under the minimum margin), so a bad edit is refused now, not in the run.
            platform = ((approval.preview or {}).get("facts") or {}).get("platform", "")
            spec.facts(replace(workspace.tool_deps(), platform=platform), arguments)
        except (ToolRetry, ToolFailed) as problem:
            raise UserError(f"the edited arguments do not fit {approval.tool}: {problem}") from None
    return arguments


def resume_after(workspace: Workspace, run_id: str, progress: Callable | None = None, wait_s: float = 0.0) -> Outcome:
    """Resume the run a decision belongs to, with the model and driver built from the settings
    it started with, once no other run works in the directory (waiting up to `wait_s` seconds)."""
    workspace = run_settings.for_run(workspace, run_id)
    with operator(workspace) as op:
        return resume_run(workspace, run_id, llm=op.llm, drivers=op.drivers, progress=progress, wait_s=wait_s)


def fleet_resumes(workspace: Workspace, run_id: str) -> str | None:
    """For a shop in a fleet whose run waits in a workflow: wake that workflow, which resumes
    the run on a worker; its id (None for a single shop: nothing changes for it)."""
    if not (workspace.workdir / "fleet.json").is_file():
        return None
    try:
        from agent.fleet.decisions import wake_workflow  # the fleet extra is needed only by fleet shops
    except ImportError:  # a fleet shop's folder on a machine without the extra: resume here
        return None
    return wake_workflow(workspace.workdir, run_id)


def decide_and_resume(workspace: Workspace, approval_id: int, decision: str, resume: bool = True,
                      progress: Callable | None = None, **decision_args: Any) -> tuple[Approval, Outcome | None]:
    """decide(), then resume the run (unless `resume` is false): what a decision does anywhere.
    A fleet shop's run is resumed by its workflow on a worker (no outcome here)."""
    approval = decide(workspace, approval_id, decision, **decision_args)
    if not resume or not approval.run_id or fleet_resumes(workspace, approval.run_id):
        return approval, None
    return approval, resume_after(workspace, approval.run_id, progress)
