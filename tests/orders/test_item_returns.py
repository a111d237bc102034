"""Chosen items of a delivered order taken back on the sandbox through the browser: the refund
is their price, the platform and the shop's records say which items came back, and the whole
order is returned only when every unit is."""

from sqlmodel import Session, select

from store_data.orders import OrderLine, Payment
from tests.order_helpers import order
from tools.order_changes import return_items
from tools.order_sync import sync_orders
from tools.orders import ship_order


def _delivered(workspace, driver, market, items, qty: int) -> tuple[str, str]:
    number, buyer = market.buy(items.MUG, qty=qty)
    deps = workspace.tool_deps(driver=driver)
    sync_orders(deps)
    ship_order(deps, number)
    market.buyer_act(buyer, number, "received")
    sync_orders(deps)
    with Session(workspace.engine) as session:
        method = session.exec(select(Payment.method).where(Payment.order_id == order(workspace, number).id)).first()
    return number, method or ""


def test_one_unit_of_two_comes_back_and_is_refunded_once(workspace, driver, market, items):
    number, method = _delivered(workspace, driver, market, items, qty=2)
    deps = workspace.tool_deps(driver=driver)

    result = return_items(deps, number, ["MUG-01"], method)
    assert result["moved_cents"] == 1450 and result["status"] == "return_requested"
    remote = driver.get_order(number)
    assert remote.status == "delivered" and remote.refunded_cents == 1450  # not the whole order
    assert [(line.sku, line.quantity, line.returned) for line in remote.lines] == [("MUG-01", 2, 1)]
    with Session(workspace.engine) as session:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order(workspace, number).id)).one()
        assert line.returned_quantity == 1

    # The same call again (a retried step) moves nothing more; the sync agrees with the records.
    assert return_items(deps, number, ["MUG-01"], method)["already_done"] is True
    assert sync_orders(deps, full=True)["changed_outside"] == []
    assert driver.get_order(number).refunded_cents == 1450
    mine = order(workspace, number)
    assert (mine.status, mine.refunded_cents) == ("return_requested", 1450)


def test_every_unit_back_returns_the_whole_order(workspace, driver, market, items):
    number, method = _delivered(workspace, driver, market, items, qty=1)
    deps = workspace.tool_deps(driver=driver)
    result = return_items(deps, number, ["MUG-01"], method)
    remote = driver.get_order(number)
    assert remote.status == "returned" and remote.refunded_cents == remote.paid_cents == 1450
    assert result["status"] == order(workspace, number).status == "refunded"
