"""shopagent operating a real django-oscar shop through its staff dashboard, in Chromium:
three products opened through the dashboard (the first publish waits for the owner),
guests order through Oscar's checkout, the daily loop syncs and ships them with tracking,
a refund waits for approval and lands as a payment event, a cancellation refunds what was
paid and cancels the order, a shipped order cannot be cancelled, and nothing is done twice."""

import sqlite3
from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from agent.approvals import decide, list_approvals
from agent.runner import resume_run, start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import Payment, Shipment
from store_data.shop import Asset, Listing, Product, Variant
from tools.drivers.browser import PlatformRefused
from tools.drivers.oscar_browser import OscarBrowserDriver
from tools.errors import ToolRetry
from tests.order_helpers import order, run
from tools.listings import publish_listing
from tools.order_address import change_order_address
from tools.order_changes import return_items
from tools.order_sync import sync_orders
from tools.orders import cancel_order, refund_order, ship_order

pytestmark = [pytest.mark.browser, pytest.mark.oscar]
PRODUCTS = [("mug", "Stoneware mug", "Kitchen", "MUG-01", 1450), ("tee", "Cotton tee", "Apparel", "TEE-01", 1999),
            ("lamp", "Desk lamp", "Home", "LAMP-01", 3500)]


@pytest.fixture
def workspace(workdir, oscar_shop, make_photo):
    settings = load_settings(workdir, platform="oscar", marketplace_url=oscar_shop.url,
                             marketplace_user="staff@example.com", marketplace_password="oscar-staff")
    ws = open_workspace(settings)
    with session_scope(ws.engine) as session:
        for handle, name, category, sku, price in PRODUCTS:
            product = Product(handle=handle, name=name, category=category, description=f"A {name.lower()}.")
            session.add(product)
            session.flush()
            session.add(Variant(sku=sku, product_id=product.id, cost_cents=500, price_cents=price, stock=20))
            photo = make_photo(workdir / "assets" / "supplier" / f"{handle}.jpg")
            session.add(Asset(kind="supplier_photo", path=str(photo.relative_to(workdir)), product_id=product.id))
    return ws


@pytest.fixture
def driver(workspace, oscar_shop):
    d = OscarBrowserDriver(oscar_shop.url, "staff@example.com", "oscar-staff", workspace.runs, backoff_s=0.05)
    outside: list[str] = []
    d.page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname != "127.0.0.1" else None)
    d.outside = outside
    yield d
    d.close()


def test_open_sell_ship_refund_on_a_real_oscar_shop(workspace, driver, oscar_shop):
    # Open: every first publish waits for the owner, then lands as an Oscar product.
    opened = run(workspace, driver, *[("publish_listing", {"sku": sku}) for *_, sku, _ in PRODUCTS])
    assert opened.status == "paused" and len(opened.waiting) == 3
    for approval in list_approvals(workspace):
        decide(workspace, approval.id, "approve")
    assert resume_run(workspace, opened.run_id, driver=driver).status == "completed"
    with Session(workspace.engine) as session:
        remote = {session.get(Product, li.product_id).handle: li.remote_id for li in session.exec(select(Listing))}
    assert len(remote) == 3 and driver.find_listing("TEE-01") == (remote["tee"], "published")

    # Guests buy through Oscar's storefront checkout.
    mug = oscar_shop.buy(remote["mug"], quantity=2)
    tee = oscar_shop.buy(remote["tee"], email="bo@example.com")
    assert driver.get_order(mug).lines[0].sku == "MUG-01"

    # The daily loop: synced, shipped with tracking; stages Oscar lacks say so and pass.
    daily = start_run(workspace, "daily", "daily operations", driver=driver)
    steps = {s.tool: s for s in steps_of(workspace.engine, daily.run_id)}
    assert steps["sync_orders"].output["new"] == 2
    assert "does not offer messages" in steps["answer_messages"].output["note"]
    assert "does not offer returns" in steps["handle_requests"].output["note"]
    assert order(workspace, mug).status == "shipped" and order(workspace, tee).status == "shipped"
    on_oscar = driver.get_order(mug)
    assert on_oscar.status == "Shipped" and len(on_oscar.shipments) == 1
    with Session(workspace.engine) as session:
        sent = session.exec(select(Shipment).where(Shipment.order_id == order(workspace, mug).id)).one()
    assert on_oscar.shipments[0].tracking == sent.tracking_number and sent.carrier == "Sandbox Post"
    with Session(workspace.engine) as session:
        assert session.exec(select(Variant).where(Variant.sku == "MUG-01")).one().stock == 18

    # A refund waits for the owner, then lands as a payment event claimed by a note.
    refund = run(workspace, driver, ("refund_order", {"order_id": tee, "amount_cents": 500, "reason": "late"}))
    assert refund.status == "paused" and driver.get_order(tee).refunded_cents == 0
    [waiting] = [a for a in list_approvals(workspace) if a.tool == "refund_order"]
    decide(workspace, waiting.id, "approve")
    assert resume_run(workspace, refund.run_id, driver=driver).status == "completed"
    assert order(workspace, tee).refunded_cents == 500
    assert [p.amount_cents for p in driver.get_order(tee).payments if p.kind == "refund"] == [500]

    # The same actions again: recorded once here, done once on Oscar.
    deps = workspace.tool_deps(driver=driver, run_id=refund.run_id)
    assert refund_order(deps, tee, 500, "late")["already_done"] is True
    assert ship_order(deps, mug)["already_done"] is True
    again = start_run(workspace, "daily", "daily operations", driver=driver)
    assert {s.tool for s in steps_of(workspace.engine, again.run_id)} >= {"sync_orders", "fulfil_orders"}
    assert "ship_order" not in {s.tool for s in steps_of(workspace.engine, again.run_id)}
    remote_tee = driver.get_order(tee)
    assert [p.amount_cents for p in remote_tee.payments if p.kind == "refund"] == [500]
    assert len(remote_tee.shipments) == 1
    with Session(workspace.engine) as session:
        refunds = session.exec(select(Payment).where(Payment.order_id == order(workspace, tee).id,
                                                     Payment.kind == "refund")).all()
    assert [p.amount_cents for p in refunds] == [500]

    # A cancellation waits for the owner, then refunds what was paid and moves the Oscar order
    # to its cancelled status, once; a shipped order is refused before anything is done.
    lamp = oscar_shop.buy(remote["lamp"])
    assert run(workspace, driver, ("sync_orders", {})).status == "completed"
    cancel = run(workspace, driver, ("cancel_order", {"order_id": lamp, "reason": "no longer needed"}))
    assert cancel.status == "paused" and driver.get_order(lamp).refunded_cents == 0
    [waiting] = [a for a in list_approvals(workspace) if a.tool == "cancel_order"]
    decide(workspace, waiting.id, "approve")
    assert resume_run(workspace, cancel.run_id, driver=driver).status == "completed"
    on_oscar = driver.get_order(lamp)
    assert on_oscar.shop_status == "cancelled" and on_oscar.refunded_cents == on_oscar.paid_cents == 3500
    assert order(workspace, lamp).status == "cancelled" and cancel_order(deps, lamp)["already_done"] is True
    assert driver.cancel(lamp).refunded_cents == 3500  # the driver finds it done: no second refund
    assert [p.amount_cents for p in driver.get_order(lamp).payments if p.kind == "refund"] == [3500]
    with pytest.raises(ToolRetry, match="only orders not yet shipped"):
        cancel_order(deps, mug)
    with pytest.raises(PlatformRefused, match="has shipped"):
        driver.cancel(mug)
    assert driver.get_order(mug).refunded_cents == 0 and driver.get_order(mug).status == "Shipped"
    assert driver.outside == []  # the shop made no request outside 127.0.0.1


def test_dashboard_dates_read_in_the_shops_timezone():
    from zoneinfo import ZoneInfo

    from tools.drivers.page_locale import PageFormatError, read_datetime

    utc = ZoneInfo("UTC")
    assert read_datetime("Nov. 29, 2026", "en-us", utc, "8:57 a.m.").isoformat() == "2026-11-29T08:57:00+00:00"
    assert read_datetime("March 3, 2026", "en-us", utc, "noon").hour == 12
    assert read_datetime("Sept. 1, 2026", "en-us", ZoneInfo("Asia/Shanghai"), "11 p.m.").isoformat() == \
        "2026-09-01T15:00:00+00:00"
    with pytest.raises(PageFormatError, match="marketplace_locale"):
        read_datetime("yesterday", "en-us", utc, "")


def test_a_buyers_new_address_on_an_oscar_order_before_it_ships(workspace, driver, oscar_shop):
    deps = workspace.tool_deps(driver=driver)
    publish_listing(deps, "MUG-01")
    with Session(workspace.engine) as session:
        mug_id = session.exec(select(Listing)).one().remote_id
    number = oscar_shop.buy(mug_id, quantity=2)
    sync_orders(deps)

    changed = change_order_address(deps, number, "12 Oak Lane", "Austin", "73301", "TX")
    assert "12 Oak Lane" in changed["address"]["street"]
    assert "12 Oak Lane" in driver.get_order(number).address["street"] and order(workspace, number).flag == ""
    assert "12 Oak Lane" in change_order_address(deps, number, "12 Oak Lane", "Austin", "73301")["address"]["street"]
    ship_order(deps, number)
    with pytest.raises(ToolRetry, match="only an order not yet shipped"):
        change_order_address(deps, number, "9 Elm St", "Austin", "73301")
    assert "12 Oak Lane" in driver.get_order(number).address["street"]
    _one_of_two_comes_back(workspace, deps, driver, oscar_shop, number)


def _one_of_two_comes_back(workspace, deps, driver, oscar_shop, number: str) -> None:
    """A return of chosen items on Oscar: a refund payment event on the mug's line for one unit
    of two, once (a retried call finds it), read back as the line's returned unit."""
    with sqlite3.connect(oscar_shop.data / "db.sqlite3") as db:  # the staff mark it delivered
        db.execute("UPDATE order_order SET status = 'Delivered' WHERE number = ?", (number,))
    sync_orders(deps)
    with pytest.raises(ToolRetry, match="not one of the buyer.s payment methods"):
        return_items(deps, number, ["MUG-01"], "gift_card_9")
    with Session(workspace.engine) as session:
        method = session.exec(select(Payment.method).where(Payment.order_id == order(workspace, number).id)).first()
    result = return_items(deps, number, ["MUG-01"], method or "")
    assert result["moved_cents"] == 1450 and result["status"] == "return_requested"
    remote = driver.get_order(number)
    assert remote.refunded_cents == 1450 and [(line.sku, line.quantity, line.returned) for line in remote.lines] == [
        ("MUG-01", 2, 1)]
    assert return_items(deps, number, ["MUG-01"], method or "")["already_done"] is True
    with sqlite3.connect(oscar_shop.data / "db.sqlite3") as db:
        events = db.execute(
            "SELECT t.code, e.amount, l.partner_sku, q.quantity FROM order_paymentevent e "
            "JOIN order_paymenteventtype t ON t.id = e.event_type_id JOIN order_order o ON o.id = e.order_id "
            "JOIN order_paymenteventquantity q ON q.event_id = e.id JOIN order_line l ON l.id = q.line_id "
            "WHERE o.number = ?", (number,)).fetchall()
    assert [(code, float(amount), sku, qty) for code, amount, sku, qty in events] == [("refunded", 14.5, "MUG-01", 1)]
    assert sync_orders(deps, full=True)["changed_outside"] == []
    mine = order(workspace, number)
    assert (mine.status, mine.refunded_cents) == ("return_requested", 1450)
