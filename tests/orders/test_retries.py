"""A platform action that failed is tried again by later runs (after a backoff, up to a limit,
then the owner decides), and after any failed write the shop records what the platform shows.
Against the real sandbox in a real browser."""

from datetime import timedelta

import pytest

from sqlmodel import Session, select

from agent.approvals import list_approvals
from agent.runs import steps_of
from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.orders import FailedAction, Order, Shipment
from tests.order_helpers import order, run
from tools.errors import ToolFailed
from tools.order_retries import FAILED_FLAG
from tools.order_sync import sync_orders
from tools.orders import cancel_order, ship_order


def failures(workspace, number) -> list[FailedAction]:
    with Session(workspace.engine) as session:
        row = session.exec(select(Order).where(Order.remote_id == number)).one()
        return list(session.exec(select(FailedAction).where(FailedAction.order_id == row.id)).all())


def shipments(workspace, number) -> list[Shipment]:
    with Session(workspace.engine) as session:
        row = session.exec(select(Order).where(Order.remote_id == number)).one()
        return list(session.exec(select(Shipment).where(Shipment.order_id == row.id)).all())


def time_passes(workspace, number) -> None:
    """The backoff of the order's failed actions is over."""
    with session_scope(workspace.engine) as session:
        for failed in failures(workspace, number):
            failed.next_at = utcnow() - timedelta(minutes=1)
            session.add(failed)


def stage_output(workspace, outcome, tool) -> dict:
    return next(s.output for s in steps_of(workspace.engine, outcome.run_id) if s.tool == tool)


def test_a_failed_shipment_is_shipped_by_a_later_run_once_the_platform_accepts(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    sync_orders(workspace.tool_deps(driver=driver))
    market.faults(error_rate=1.0)  # the platform is down
    first = run(workspace, driver, ("fulfil_orders", {}))
    ship = next(s for s in steps_of(workspace.engine, first.run_id) if s.tool == "ship_order")
    assert ship.status == "failed" and ship.error_kind == "owner"
    assert order(workspace, number).flag.startswith(FAILED_FLAG)
    assert [f.attempts for f in failures(workspace, number)] == [1]

    market.faults(error_rate=0)  # the platform is back, but the backoff has not passed
    waiting = run(workspace, driver, ("fulfil_orders", {}))
    assert {"order": number, "flag": order(workspace, number).flag} in stage_output(workspace, waiting, "fulfil_orders")["retry_later"]
    assert not [s for s in steps_of(workspace.engine, waiting.run_id) if s.tool == "ship_order"]

    time_passes(workspace, number)
    retried = run(workspace, driver, ("fulfil_orders", {}))
    [again] = [s for s in steps_of(workspace.engine, retried.run_id) if s.tool == "ship_order"]
    assert again.status == "done" and retried.summary["came_to"]["ship_order"] == "1 shipped"
    assert retried.summary["came_to"]["fulfil_orders"] == "1 to ship, 0 short of stock, 0 to retry later"
    after = order(workspace, number)
    assert after.status == "shipped" and after.flag == "" and failures(workspace, number) == []
    remote = driver.get_order(number)
    assert len(remote.shipments) == 1 and [s.tracking_number for s in shipments(workspace, number)] == \
        [remote.shipments[0].tracking]


def test_after_too_many_failures_the_retry_waits_for_the_owner(workspace, driver, market, items):
    number, _ = market.buy(items.MUG)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    market.faults(error_rate=1.0)
    for _ in range(workspace.settings.action_retries + 1):
        with pytest.raises(ToolFailed):
            ship_order(deps, number)
        time_passes(workspace, number)
    market.faults(error_rate=0)
    assert [f.attempts for f in failures(workspace, number)] == [workspace.settings.action_retries + 1]
    outcome = run(workspace, driver, ("fulfil_orders", {}))
    assert outcome.status == "paused"
    [approval] = [a for a in list_approvals(workspace) if a.arguments == {"order_id": number}]
    assert approval.tool == "ship_order" and "failed 4 times" in approval.preview["why"]
    assert order(workspace, number).status == "paid"  # nothing shipped without the owner


class LostAnswers:
    """The platform does the action, but its answer never reaches the shop."""

    def __init__(self, driver):
        self.driver = driver

    def __getattr__(self, name):
        return getattr(self.driver, name)

    def ship(self, *args):
        self.driver.ship(*args)
        raise ToolFailed("the platform's answer was lost")

    def cancel(self, *args):
        self.driver.cancel(*args)
        raise ToolFailed("the platform's answer was lost")


def test_after_a_failed_write_the_shop_records_what_the_platform_shows(workspace, driver, market, items):
    shipped, _ = market.buy(items.MUG)
    cancelled, _ = market.buy(items.TEE_M)
    deps = workspace.tool_deps(driver=LostAnswers(driver))
    sync_orders(deps)

    result = ship_order(deps, shipped)
    assert order(workspace, shipped).status == "shipped" and order(workspace, shipped).flag == ""
    assert [s.tracking_number for s in shipments(workspace, shipped)] == [result["tracking"]]
    assert driver.get_order(shipped).shipments[0].tracking == result["tracking"]

    result = cancel_order(deps, cancelled, reason="ordered by mistake")
    remote = driver.get_order(cancelled)
    assert remote.status == "cancelled" and result["status"] == "cancelled"
    after = order(workspace, cancelled)
    assert after.status == "cancelled" and after.refunded_cents == remote.refunded_cents > 0
    assert result["moved_cents"] == remote.refunded_cents and failures(workspace, cancelled) == []
