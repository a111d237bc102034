"""Money the shop's runs moved: the sums the approval policy's per-run and per-day caps read.

Counted from the audit trail (the Step rows of calls that move money and went through), each
call's `moved_cents` being what the platform's records showed it moved. A step cut off while
running counts its planned amount: whether it moved money is not known, so it is not taken
as nothing.
"""

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from store_data.audit import Step
from store_data.clock import utcnow
from store_data.status import StepStatus


def step_moved_cents(output: Any) -> int:
    """What one finished money call moved, from its output (older outputs: the amount they name)."""
    if not isinstance(output, dict):
        return 0
    for key in ("moved_cents", "amount_cents", "refunded_cents"):
        if isinstance(output.get(key), int):
            return max(0, output[key])
    return 0


def moved_cents(engine: Engine, money_tools: set[str], run_id: str | None = None,
                since: datetime | None = None) -> int:
    """The money moved by calls of `money_tools`, in one run and/or since a time."""
    query = select(Step).where(col(Step.tool).in_(money_tools),
                               col(Step.status).in_((StepStatus.DONE, StepStatus.RUNNING)))
    if run_id is not None:
        query = query.where(Step.run_id == run_id)
    if since is not None:
        query = query.where(col(Step.started_at) >= since)
    total = 0
    with Session(engine) as session:
        for step in session.exec(query):
            if step.status == StepStatus.DONE:
                total += step_moved_cents(step.output)
            else:
                total += int(step.arguments.get("amount_cents") or 0)
    return total


def start_of_day(timezone: str) -> datetime:
    """Midnight today in the shop's time zone, in UTC (as the records keep time)."""
    zone = ZoneInfo(timezone)
    return datetime.combine(utcnow().astimezone(zone).date(), time(), tzinfo=zone).astimezone(UTC)
