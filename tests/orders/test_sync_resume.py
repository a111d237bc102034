"""A sync cut off part-way resumes from the last order it stored: every order on the platform
reaches the shop, including those cancelled on the platform in between."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from store_data.orders import Order
from tools.order_sync import sync_orders


class CutOff(Exception):
    """Stands in for the process being killed in the middle of a sync."""


def cut_off_after(driver, pages: int) -> None:
    """Let the driver read `pages` orders' pages, then fail the way a killed sync stops."""
    real = driver.get_order
    read: list[str] = []

    def get_order(number):
        if len(read) >= pages:
            raise CutOff(f"cut off after {pages} orders")
        read.append(number)
        return real(number)
    driver.get_order = get_order


def shop_statuses(workspace) -> dict[str, str]:
    with Session(workspace.engine) as session:
        return {o.remote_id: o.status for o in session.exec(select(Order))}


def test_a_cut_off_first_sync_resumes_and_misses_no_order(workspace, driver, market, items):
    now = datetime.now(UTC)
    # Numbered in buying order, placed out of it: the order number says nothing of the date.
    recent, _ = market.buy(items.MUG)
    oldest, _ = market.buy(items.MUG, at=now - timedelta(days=9))
    older, _ = market.buy(items.MUG, at=now - timedelta(days=5))
    deps = workspace.tool_deps(driver=driver)

    cut_off_after(driver, 1)
    with pytest.raises(CutOff):
        sync_orders(deps)
    del driver.get_order  # the next process reads every page again
    assert shop_statuses(workspace) == {oldest: "paid"}  # the oldest first, and nothing half-stored

    # Meanwhile the platform cancels one order the shop has and one it has not seen yet.
    driver.cancel(oldest)
    driver.cancel(older)
    synced = sync_orders(deps)
    on_platform = {row.number for row in driver.list_orders()}
    statuses = shop_statuses(workspace)
    assert set(statuses) == on_platform  # every order, however old
    assert statuses[oldest] == "cancelled" and statuses[older] == "cancelled" and statuses[recent] == "paid"
    assert {"order": oldest, "from": "paid", "to": "cancelled"} in synced["changed_outside"]

    # Leave no open order behind for the other tests on this marketplace; the sync sees it.
    driver.cancel(recent)
    again = sync_orders(deps)
    assert shop_statuses(workspace)[recent] == "cancelled" and again["since"] is not None
