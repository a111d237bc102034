"""shopagent running a real Vendure shop through its Admin API: products published through
the tools (the first publish waits for the owner), buyers order through the Shop API, the
daily loop syncs and ships them with tracking, a refund waits for approval and lands once,
a cancellation refunds what was paid and frees the units, a sync reads only orders that
moved, an order for a SKU outside the shop's catalog is kept and shipped, and nothing is
done twice."""

import pytest
from sqlmodel import Session, select

from agent.approvals import decide, list_approvals
from agent.operator import make_driver
from agent.runner import resume_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import OrderLine, Payment, Shipment
from store_data.shop import Asset, Listing, Product, Variant
from tests.order_helpers import order, run
from tools.drivers.marketplace import ListingDraft
from tools.drivers.vendure_api import VendureApiDriver
from tools.errors import ToolRetry
from tools.listings import publish_listing
from tools.order_address import change_order_address
from tools.messages import answer_messages
from tools.order_sync import sync_orders
from tools.orders import cancel_order, refund_order, ship_order

pytestmark = pytest.mark.vendure
PRODUCTS = [("vmug", "Stoneware mug", "Kitchen", "VMUG-01", 1450), ("vtee", "Cotton tee", "Apparel", "VTEE-01", 1999),
            ("vlamp", "Desk lamp", "Home", "VLAMP-01", 3500)]


@pytest.fixture
def workspace(workdir, vendure, make_photo):
    settings = load_settings(workdir, platform="vendure", marketplace_url=vendure.url,
                             marketplace_user="superadmin", marketplace_password="vendure-admin",
                             shipping_carriers={"vendure": "Royal Mail"})
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
def driver(workspace):
    made, process = make_driver(workspace)  # the settings' way: platform = "vendure"
    assert isinstance(made, VendureApiDriver) and process is None
    made.client.backoff_s = 0.05
    yield made
    made.close()


def test_open_sell_ship_refund_cancel_on_a_real_vendure_shop(workspace, driver, vendure, shop_api):
    # Open: every first publish waits for the owner, then lands as a Vendure product.
    opened = run(workspace, driver, *[("publish_listing", {"sku": sku}) for *_, sku, _ in PRODUCTS])
    assert opened.status == "paused" and len(opened.waiting) == 3
    for approval in list_approvals(workspace):
        decide(workspace, approval.id, "approve")
    assert resume_run(workspace, opened.run_id, driver=driver).status == "completed"
    with Session(workspace.engine) as session:
        remote = {session.get(Product, li.product_id).handle: li.remote_id for li in session.exec(select(Listing))}
    assert len(remote) == 3 and driver.find_listing("VTEE-01") == (remote["vtee"], "published")
    assert driver.stock("VMUG-01") == 20

    # Buyers order through the Shop API; the daily loop's order stages sync and ship them with tracking.
    ids = shop_api.variant_ids(vendure.url)
    mug = shop_api.place_order(vendure.url, {"VMUG-01": 2}, ids=ids)
    tee = shop_api.place_order(vendure.url, {"VTEE-01": 1}, email="bo@example.com", ids=ids)
    # (The daily loop's order stages; its clip and report stages would add a minute and test nothing here.)
    daily = run(workspace, driver, ("sync_orders", {}), ("fulfil_orders", {}))
    steps = {s.tool: s for s in steps_of(workspace.engine, daily.run_id)}
    assert daily.status == "completed" and steps["sync_orders"].output["new"] == 2
    assert "does not offer messages" in answer_messages(workspace.tool_deps(driver=driver))["note"]
    assert order(workspace, mug).status == "shipped" and order(workspace, tee).status == "shipped"
    on_vendure = driver.get_order(mug)
    assert on_vendure.status == "Shipped" and len(on_vendure.shipments) == 1
    with Session(workspace.engine) as session:
        sent = session.exec(select(Shipment).where(Shipment.order_id == order(workspace, mug).id)).one()
        assert session.exec(select(Variant).where(Variant.sku == "VMUG-01")).one().stock == 18
    assert on_vendure.shipments[0].tracking == sent.tracking_number and sent.carrier == "Royal Mail"

    # A refund waits for the owner, then lands as one Vendure refund carrying the shop's key.
    refund = run(workspace, driver, ("refund_order", {"order_id": tee, "amount_cents": 500, "reason": "late"}))
    assert refund.status == "paused" and driver.get_order(tee).refunded_cents == 0
    [waiting] = [a for a in list_approvals(workspace) if a.tool == "refund_order"]
    decide(workspace, waiting.id, "approve")
    assert resume_run(workspace, refund.run_id, driver=driver).status == "completed"
    assert order(workspace, tee).refunded_cents == 500

    # The same actions again: recorded once here, done once on Vendure.
    deps = workspace.tool_deps(driver=driver, run_id=refund.run_id)
    assert refund_order(deps, tee, 500, "late")["already_done"] is True
    assert ship_order(deps, mug)["already_done"] is True
    again = run(workspace, driver, ("sync_orders", {}), ("fulfil_orders", {}))
    assert "ship_order" not in {s.tool for s in steps_of(workspace.engine, again.run_id)}
    remote_tee = driver.get_order(tee)
    assert [p.amount_cents for p in remote_tee.payments if p.kind == "refund"] == [500]
    assert len(remote_tee.shipments) == 1
    with Session(workspace.engine) as session:
        refunds = session.exec(select(Payment).where(Payment.order_id == order(workspace, tee).id,
                                                     Payment.kind == "refund")).all()
    assert [(p.amount_cents, p.remote_id is not None) for p in refunds] == [(500, True)]

    # A cancellation waits for the owner, then refunds what was paid and frees the units, once.
    lamp = shop_api.place_order(vendure.url, {"VLAMP-01": 1}, ids=ids)
    assert sync_orders(deps)["new"] == 1 and driver.stock("VLAMP-01") == 19
    cancel = run(workspace, driver, ("cancel_order", {"order_id": lamp, "reason": "no longer needed"}))
    assert cancel.status == "paused"
    [waiting] = [a for a in list_approvals(workspace) if a.tool == "cancel_order"]
    decide(workspace, waiting.id, "approve")
    assert resume_run(workspace, cancel.run_id, driver=driver).status == "completed"
    on_vendure = driver.get_order(lamp)
    assert on_vendure.shop_status == "cancelled" and on_vendure.refunded_cents == on_vendure.paid_cents == 4000
    assert order(workspace, lamp).status == "cancelled" and cancel_order(deps, lamp)["already_done"] is True
    assert driver.stock("VLAMP-01") == 20
    with pytest.raises(ToolRetry, match="only orders not yet shipped"):
        cancel_order(deps, mug)


def test_a_sync_reads_only_what_moved_and_keeps_an_order_outside_the_catalog(workspace, driver, vendure, shop_api,
                                                                             monkeypatch):
    deps = workspace.tool_deps(driver=driver)
    # A product the owner made in Vendure itself: the shop's catalog has no such SKU.
    driver.publish_listing(ListingDraft(sku="OWN-1", title="Owner's own", description_html="", price_cents=800,
                                        stock=3))
    number = shop_api.place_order(vendure.url, {"OWN-1": 1})
    first = sync_orders(deps)
    assert first["new"] >= 1 and number not in {o["order"] for o in first["flagged"]}
    with Session(workspace.engine) as session:
        line = session.exec(select(OrderLine).where(OrderLine.order_id == order(workspace, number).id)).one()
    assert line.sku == "OWN-1" and line.variant_id is None and order(workspace, number).flag == ""

    reads: list[str] = []
    real = driver.get_order
    monkeypatch.setattr(driver, "get_order", lambda n: reads.append(n) or real(n))
    assert sync_orders(deps)["new"] == 0 and reads == []  # nothing moved: no order read
    driver.ship(number, "Royal Mail", "RM-OWN")  # shipped in Vendure's own admin, outside the shop
    moved = sync_orders(deps)
    assert reads == [number] and moved["changed_outside"] == [{"order": number, "from": "paid", "to": "shipped"}]
    assert ship_order(deps, number)["already_done"] is True


def test_a_buyers_new_address_on_a_vendure_order_before_it_ships(workspace, driver, vendure, shop_api):
    deps = workspace.tool_deps(driver=driver)
    publish_listing(deps, "VMUG-01")
    number = shop_api.place_order(vendure.url, {"VMUG-01": 1})
    sync_orders(deps)

    changed = change_order_address(deps, number, "12 Oak Lane", "Leeds", "LS1 1AA", "West Yorkshire")
    assert "12 Oak Lane" in changed["address"]["street"]
    on_vendure = driver.get_order(number)
    assert on_vendure.address["street"] == "12 Oak Lane" and on_vendure.address["country"] == "GB"
    assert on_vendure.status == "PaymentSettled" and order(workspace, number).flag == ""
    assert "12 Oak Lane" in change_order_address(deps, number, "12 Oak Lane", "Leeds", "LS1 1AA")["address"]["street"]
    history = driver._read(number)[1]["history"]["items"]
    assert [e["type"] for e in history].count("ORDER_MODIFIED") == 1  # modified once on Vendure
    ship_order(deps, number)
    with pytest.raises(ToolRetry, match="only an order not yet shipped"):
        change_order_address(deps, number, "9 Elm St", "Leeds", "LS1 1AA")
    assert driver.get_order(number).address["street"] == "12 Oak Lane"
