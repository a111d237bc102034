"""Platform actions that failed, tried again by later runs.

A failed ship, cancel, refund or return decision leaves the order as the platform shows it
(re-read after the failure), flagged with what failed, and a FailedAction row: how often it
failed and when a later run may try again. The daily loop retries a ship or a return once
its time has come (`retry_backoff_minutes`, doubled after each failure); after
`action_retries` failures the retry waits for the owner instead. The row and the flag go
once the action goes through.
"""

from datetime import timedelta
from typing import Literal

from sqlmodel import Session, select

from store_data.clock import as_utc, utcnow
from store_data.orders import FailedAction, Order
from tools.settings import ToolSettings

FAILED_FLAG = "platform action failed"

Retry = Literal["none", "due", "later", "owner"]


def flag(session: Session, order: Order, problem: Exception) -> None:
    """Mark the order with what failed on the platform."""
    order.flag = f"{FAILED_FLAG}: {str(problem)[:300]}"
    session.add(order)


def record_failure(session: Session, order: Order, action: str, problem: Exception, settings: ToolSettings) -> FailedAction:
    """Flag the order and count the failure; the next try is due after the backoff."""
    flag(session, order, problem)
    failed = _row(session, order, action)
    if failed is None:
        assert order.id is not None, "a failure is recorded on a stored order"
        failed = FailedAction(order_id=order.id, action=action, attempts=0)
    failed.attempts += 1
    failed.last_error = str(problem)[:500]
    failed.last_at = utcnow()
    wait = timedelta(minutes=settings.retry_backoff_minutes * 2 ** (failed.attempts - 1))
    failed.next_at = failed.last_at + wait
    session.add(failed)
    return failed


def clear_failure(session: Session, order: Order, action: str) -> None:
    """The action went through: drop its count and the order's flag of a failed action."""
    failed = _row(session, order, action)
    if failed is not None:
        session.delete(failed)
    if order.flag.startswith(FAILED_FLAG):
        order.flag = ""
        session.add(order)


def retry_state(session: Session, order: Order, action: str, settings: ToolSettings) -> tuple[Retry, FailedAction | None]:
    """Whether `action` on the order may be tried again now: 'none' (it never failed), 'due',
    'later' (still in its backoff) or 'owner' (it failed `action_retries` times)."""
    failed = _row(session, order, action)
    if failed is None:
        return "none", None
    if failed.attempts > settings.action_retries:
        return "owner", failed
    return ("due" if utcnow() >= as_utc(failed.next_at) else "later"), failed


def _row(session: Session, order: Order, action: str) -> FailedAction | None:
    return session.exec(select(FailedAction).where(FailedAction.order_id == order.id,
                                                   FailedAction.action == action)).first()
