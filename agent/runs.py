"""The audit trail: Run and Step rows, and the owner's approval queue."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, or_, select

from store_data.audit import Approval, Run, RunSettings, Step
from store_data.clock import utcnow
from store_data.status import ApprovalStatus, ErrorKind, StepStatus

DECIDED = (ApprovalStatus.APPROVED, ApprovalStatus.EDITED, ApprovalStatus.REJECTED, ApprovalStatus.EXPIRED)


def new_run(engine: Engine, workflow: str, goal: str, run_id: str | None = None) -> Run:
    """A new run; `run_id` when the caller chose it (the fleet's workflow, so a retry finds it)."""
    run = Run(id=run_id or f"{workflow}-{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}", workflow=workflow, goal=goal)
    with Session(engine, expire_on_commit=False) as session:
        session.add(run)
        session.commit()
    return run


def keep_run_settings(engine: Engine, run_id: str, values: dict[str, Any]) -> None:
    """Record the settings `run_id` started with (once: a run keeps its first ones)."""
    with Session(engine) as session:
        if session.get(RunSettings, run_id) is None:
            session.add(RunSettings(run_id=run_id, values=values))
            session.commit()


def run_settings(engine: Engine, run_id: str) -> dict[str, Any] | None:
    """The settings `run_id` started with; None for a run made before they were kept."""
    with Session(engine) as session:
        row = session.get(RunSettings, run_id)
        return dict(row.values) if row is not None else None


def get_run(engine: Engine, run_id: str) -> Run | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Run, run_id)


def the_run(engine: Engine, run_id: str) -> Run:
    """The run, which the caller knows exists (a lookup by the owner uses get_run)."""
    with Session(engine, expire_on_commit=False) as session:
        return _run(session, run_id)


def _run(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"no run {run_id!r} in this shop's records")
    return run


def update_run(engine: Engine, run_id: str, **values: Any) -> Run:
    """Record a run's new values; its status moves only along RunStatus's table."""
    with Session(engine, expire_on_commit=False) as session:
        run = _run(session, run_id)
        if "status" in values:
            run.set_status(values.pop("status"))
        for key, value in values.items():
            setattr(run, key, value)
        session.add(run)
        session.commit()
        return run


def add_usage(engine: Engine, run_id: str, calls: int, tokens: int) -> Run:
    """Add model calls and tokens spent since the last record; returns the run."""
    with Session(engine, expire_on_commit=False) as session:
        run = _run(session, run_id)
        run.model_calls += calls
        run.tokens += tokens
        session.add(run)
        session.commit()
        return run


def step_row(engine: Engine, run_id: str, position: int, tool: str, arguments: dict, made_by: str,
             platform: str = "") -> Step:
    """The Step of (run, position), created on first sight: a resumed run finds its own."""
    with Session(engine, expire_on_commit=False) as session:
        step = session.exec(select(Step).where(Step.run_id == run_id, Step.position == position)).first()
        if step is None:
            step = Step(run_id=run_id, position=position, tool=tool, arguments=arguments, made_by=made_by,
                        platform=platform)
            session.add(step)
            session.commit()
        return step


def save_step(engine: Engine, step: Step, **values: Any) -> Step:
    """Record a step's new values; its status moves only along StepStatus's table."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(Step, step.id)
        if row is None:
            raise LookupError(f"no step {step.id} in this shop's records")
        if "status" in values:
            row.set_status(values.pop("status"))
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        session.commit()
        return row


def steps_of(engine: Engine, run_id: str) -> list[Step]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(Step).where(Step.run_id == run_id).order_by(col(Step.position))))


# What the owner can do about a failed step, by who can fix it.
TO_DO = {
    ErrorKind.MODEL: "the call was wrong and could not be mended; ask again in other words or run the command yourself",
    ErrorKind.OWNER: "act as the error says, then run it again (the next daily run retries what it can)",
    ErrorKind.BUG: "a fault in shopagent: send the traceback in the run's log to its maintainers",
}


def tally(engine: Engine, run_id: str) -> dict[str, Any]:
    """What the run's steps came to, read from its Step rows (so a paused or failed run is
    summed up as truly as a finished one): counts by status, the same per stage (tool), and
    each failed step with its error."""
    counts: dict[str, int] = {}
    stages: dict[str, dict[str, int]] = {}
    failed = []
    done: dict[str, list[dict]] = {}
    for step in steps_of(engine, run_id):
        counts[step.status] = counts.get(step.status, 0) + 1
        if step.status == StepStatus.DONE:
            done.setdefault(step.tool, []).append(step.output if isinstance(step.output, dict) else {})
        stage = stages.setdefault(step.tool, {})
        stage[step.status] = stage.get(step.status, 0) + 1
        if step.status == StepStatus.FAILED:
            kind = ErrorKind(step.error_kind or ErrorKind.OWNER)
            failed.append({"position": step.position, "tool": step.tool, "error": step.error, "kind": kind,
                           "to_do": TO_DO[kind]})
    came_to = {tool: text for tool, outputs in done.items() if (text := came_to_of(tool, outputs))}
    return {"steps": counts, "stages": stages, "came_to": came_to, "failed": failed}


def _sum(outputs: list[dict], key: str) -> int:
    return sum(len(o[key]) if isinstance(o.get(key), list) else int(o.get(key) or 0) for o in outputs)


def came_to_of(tool: str, outputs: list[dict]) -> str:
    """What a stage's finished steps did, in a few words, from their outputs ("" when the
    counts by status say it all)."""
    fresh = [o for o in outputs if not o.get("already_done")]
    moved = _sum(outputs, "moved_cents")
    money = f"; {moved // 100}.{moved % 100:02d} moved" if moved else ""
    words = {
        "sync_orders": lambda: f"{_sum(outputs, 'new')} new, {_sum(outputs, 'updated')} updated, "
                               f"{_sum(outputs, 'flagged')} flagged",
        "fulfil_orders": lambda: f"{_sum(outputs, 'to_ship')} to ship, {_sum(outputs, 'short')} short of stock, "
                                 f"{_sum(outputs, 'retry_later')} to retry later",
        "ship_order": lambda: f"{len(fresh)} shipped",
        "handle_requests": lambda: f"{_sum(outputs, 'requests')} requests, {_sum(outputs, 'flagged')} unreadable",
        "handle_return": lambda: f"{len(fresh)} decided{money}",
        "refund_order": lambda: f"{len(fresh)} refunded{money}",
        "cancel_order": lambda: f"{len(fresh)} cancelled{money}",
        "resolve_stockout": lambda: f"{len(fresh)} resolved{money}",
        "answer_messages": lambda: f"{_sum(outputs, 'drafted')} replies drafted",
        "send_reply": lambda: f"{len(outputs)} replies sent",
        "publish_listing": lambda: f"{len(outputs)} listings published",
        "make_promo_clip": lambda: f"{sum(1 for o in outputs if o.get('status') == 'made')} clips made",
        "sales_report": lambda: ", ".join(o["report"] for o in outputs if o.get("report")),
    }
    return words[tool]() if tool in words else ""


def step_at(engine: Engine, run_id: str, position: int) -> Step:
    """The run's Step at `position` (one row read, not the run's whole trail); the executor
    asks only for positions it has recorded."""
    with Session(engine, expire_on_commit=False) as session:
        step = session.exec(select(Step).where(Step.run_id == run_id, Step.position == position)).first()
        if step is None:
            raise LookupError(f"run {run_id} has no step at position {position}")
        return step


def count_steps(engine: Engine, run_id: str, statuses: tuple[str, ...]) -> int:
    """How many of the run's steps are in one of `statuses`, counted by the database."""
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Step)
                            .where(Step.run_id == run_id, col(Step.status).in_(statuses))).one()


def hold_step(engine: Engine, step: Step, reason: str, preview: dict, expire_hours: int, **values: Any) -> Approval:
    """Set the step waiting (with `values`, e.g. its arguments) and queue it for the owner, in
    one transaction: a run killed in between never finds a waiting step without its approval.
    Once per time it waits: a resumed run finds the pending approval it made, while a step
    that waits again after a decision (a human check that came back) gets a new one."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(Step, step.id)
        if row is None:
            raise LookupError(f"no step {step.id} in this shop's records")
        row.set_status(StepStatus.WAITING)
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        approval = _latest(session, row.id) if row.id is not None else None
        if approval is None or approval.status != ApprovalStatus.PENDING:
            approval = Approval(run_id=row.run_id, step_id=row.id, tool=row.tool, arguments=row.arguments,
                                reason=reason, preview=preview,
                                expires_at=utcnow() + timedelta(hours=expire_hours))
            session.add(approval)
        session.commit()
        return approval


def _on_target(approval: Approval, target: dict[str, Any]) -> bool:
    return all(approval.arguments.get(name) == value for name, value in target.items())


def pending_twin(engine: Engine, step: Step, tool: str, target: dict[str, Any]) -> Approval | None:
    """A pending approval of `tool` on the same target (its arguments agree on every key of
    `target`) that another step already waits on, from this run or an earlier one."""
    with Session(engine, expire_on_commit=False) as session:
        pending = session.exec(select(Approval).where(
            Approval.tool == tool, Approval.status == ApprovalStatus.PENDING, Approval.step_id != step.id,
            or_(col(Approval.expires_at).is_(None), col(Approval.expires_at) >= utcnow()))).all()
        return next((a for a in pending if _on_target(a, target)), None)


def recently_rejected(engine: Engine, tool: str, target: dict[str, Any], days: int) -> Approval | None:
    """The latest approval of `tool` on the same target the owner rejected in the last `days` days."""
    if days <= 0:
        return None
    with Session(engine, expire_on_commit=False) as session:
        rejected = session.exec(select(Approval).where(
            Approval.tool == tool, Approval.status == ApprovalStatus.REJECTED,
            col(Approval.decided_at) > utcnow() - timedelta(days=days)).order_by(col(Approval.id).desc())).all()
        return next((a for a in rejected if _on_target(a, target)), None)


def approval_for_step(engine: Engine, step_id: int) -> Approval | None:
    """The step's latest approval (a step may have waited more than once)."""
    with Session(engine, expire_on_commit=False) as session:
        return _latest(session, step_id)


def _latest(session: Session, step_id: int) -> Approval | None:
    return session.exec(select(Approval).where(Approval.step_id == step_id).order_by(col(Approval.id).desc())).first()


def expire_stale(engine: Engine) -> int:
    """Mark pending approvals past their expiry as expired; returns how many."""
    now = utcnow()
    with Session(engine) as session:
        stale = session.exec(select(Approval).where(Approval.status == ApprovalStatus.PENDING,
                                                    col(Approval.expires_at) < now)).all()
        for approval in stale:
            approval.decide(ApprovalStatus.EXPIRED, by="system", note="not decided in time")
            session.add(approval)
        session.commit()
        return len(stale)
