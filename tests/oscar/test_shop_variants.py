"""The Oscar driver on shops set up differently from the one it grew up on: a dashboard in
German (dates '1. Dezember 2026', money '14,50 $', every heading translated), and a British
shop (dates '1 Dec 2026') whose pipeline is Pending -> Being processed -> Complete with no
status named for shipping, whose products take the product type, stock records the partner
and shipments the shipping event type the owner chose. On each:
open (publish), daily (sync, ship), a refund and a cancellation, all through the dashboard
in Chromium, in auto mode (the amounts are under the shop's limits)."""

import sqlite3
from datetime import timedelta

import pytest
from sqlmodel import select

from agent.operator import make_driver
from agent.runner import start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.shop import Asset, Listing, Product, Variant
from tests.order_helpers import order, run
from tools.drivers.marketplace import ListingDraft, Transient

pytestmark = [pytest.mark.browser, pytest.mark.oscar]
STAFF = {"marketplace_user": "staff@example.com", "marketplace_password": "oscar-staff"}
PRODUCTS = [("mug", "Stoneware mug", "MUG-01", 1450), ("lamp", "Desk lamp", "LAMP-01", 3500)]
CATEGORY = "Kitchen > Drinkware"
TEES = [("TEE-01-S", {"size": "S"}, 1999, 5), ("TEE-01-M", {"size": "M"}, 2199, 7)]  # one product, two variants
# `partner`, `shipping_event` and `refund_event`: where stock records, shipping and refund
# events must land on the shop (the defaults: the dashboard's first partner, the event types
# with the codes 'shipped' and 'refunded'; the others' names are not their codes).
SHOPS = {
    "german": {"language": "de", "pipeline": "shipped", "settings": {}, "shipped": "Shipped", "product_class": None,
               "partner": "Shop warehouse", "shipping_event": "shipped", "refund_event": "refunded"},
    "british-no-shipped-status": {
        "language": "en-gb", "pipeline": "complete", "shipped": "Complete", "product_class": "Homeware",
        "variants": True, "partner": "Web fulfilment", "shipping_event": "dispatched", "refund_event": "repaid",
        "settings": {"oscar_status_map": {"Complete": "shipped"}, "oscar_product_class": "Homeware",
                     "shipping_carriers": {"oscar": "Royal Mail"}, "oscar_partner": "Web fulfilment",
                     "oscar_shipping_event": "dispatched", "oscar_refund_event": "repaid"}},
}


def _seed(workspace, make_photo) -> None:
    with session_scope(workspace.engine) as session:
        for handle, name, sku, price in PRODUCTS:
            product = Product(handle=handle, name=name, category=CATEGORY, description=f"A {name.lower()}.")
            session.add(product)
            session.flush()
            assert product.id is not None
            session.add(Variant(sku=sku, product_id=product.id, cost_cents=500, price_cents=price, stock=20))
            photo = make_photo(workspace.workdir / "assets" / "supplier" / f"{handle}.jpg")
            session.add(Asset(kind="supplier_photo", path=str(photo.relative_to(workspace.workdir)),
                              product_id=product.id))
        tee = Product(handle="tee", name="Cotton tee", category="Apparel", description="A cotton tee.")
        session.add(tee)
        session.flush()
        assert tee.id is not None
        for sku, options, price, stock in TEES:
            session.add(Variant(sku=sku, product_id=tee.id, options=options, cost_cents=500, price_cents=price,
                                stock=stock))
        photo = make_photo(workspace.workdir / "assets" / "supplier" / "tee.jpg")
        session.add(Asset(kind="supplier_photo", path=str(photo.relative_to(workspace.workdir)), product_id=tee.id))


def _categories(shop) -> dict[str, tuple[str, str, int]]:
    """UPC -> (category, its parent's name, its depth), from the Oscar shop's own database."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        rows = db.execute("SELECT p.upc, c.name, c.path, c.depth FROM catalogue_product p "
                          "JOIN catalogue_productcategory pc ON pc.product_id = p.id "
                          "JOIN catalogue_category c ON c.id = pc.category_id").fetchall()
        parent = {path: name for name, path in db.execute("SELECT name, path FROM catalogue_category")}
    return {upc: (name, parent.get(path[:-4], ""), depth) for upc, name, path, depth in rows}


def _products(shop) -> dict[str, dict]:
    """UPC -> structure, parent's UPC, title, description, stock and price, from the Oscar shop's own database."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        rows = db.execute("SELECT p.id, p.upc, p.structure, parent.upc, p.title, p.description, s.num_in_stock, "
                          "s.price FROM catalogue_product p LEFT JOIN catalogue_product parent "
                          "ON parent.id = p.parent_id LEFT JOIN partner_stockrecord s ON s.product_id = p.id").fetchall()
    return {upc: {"id": pk, "structure": structure, "parent": parent, "title": title, "description": description,
                  "stock": stock, "price": price}
            for pk, upc, structure, parent, title, description, stock, price in rows}


def _partners(shop) -> set[str]:
    """The partners of the Oscar shop's stock records, from its own database."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return {name for name, in db.execute("SELECT DISTINCT p.name FROM partner_stockrecord s "
                                             "JOIN partner_partner p ON p.id = s.partner_id")}


def _shipping_events(shop, number: str) -> list[str]:
    """The codes of the shipping events on order `number`, from the Oscar shop's own database."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return [code for code, in db.execute(
            "SELECT t.code FROM order_shippingevent e JOIN order_shippingeventtype t ON t.id = e.event_type_id "
            "JOIN order_order o ON o.id = e.order_id WHERE o.number = ?", (number,))]


def _payment_events(shop, number: str) -> list[tuple[str, int]]:
    """(event type code, amount in cents) of the payment events on order `number`, from the
    Oscar shop's own database."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return [(code, round(float(amount) * 100)) for code, amount in db.execute(
            "SELECT t.code, e.amount FROM order_paymentevent e JOIN order_paymenteventtype t ON t.id = e.event_type_id "
            "JOIN order_order o ON o.id = e.order_id WHERE o.number = ? ORDER BY e.id", (number,))]


def _available(shop, sku: str) -> int:
    """Units Oscar lets buyers buy, from its own database: in stock less allocated to orders."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return db.execute("SELECT s.num_in_stock - COALESCE(s.num_allocated, 0) FROM partner_stockrecord s "
                          "JOIN catalogue_product p ON p.id = s.product_id WHERE p.upc = ?", (sku,)).fetchone()[0]


def _count(shop, table: str) -> int:
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def _product_classes(shop) -> dict[str, str]:
    """UPC -> product type, from the Oscar shop's own database."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return dict(db.execute("SELECT p.upc, c.name FROM catalogue_product p "
                               "JOIN catalogue_productclass c ON c.id = p.product_class_id"))


@pytest.mark.parametrize("name", list(SHOPS))
def test_open_and_daily_on_a_differently_configured_oscar_shop(name, workdir, start_oscar_shop, make_photo):
    config = SHOPS[name]
    shop = start_oscar_shop(language=config["language"], pipeline=config["pipeline"])
    settings = load_settings(workdir, platform="oscar", marketplace_url=shop.url, approval_mode="auto",
                             **STAFF, **config["settings"])
    workspace = open_workspace(settings)
    _seed(workspace, make_photo)
    driver, _ = make_driver(workspace)  # built from the settings, as a run builds it
    loads: list[str] = []
    goto = driver._goto
    driver._goto = lambda path: loads.append(path) or goto(path)
    try:
        skus = [sku for *_, sku, _ in PRODUCTS] + (["TEE-01-S"] if config.get("variants") else [])
        opened = run(workspace, driver, *[("publish_listing", {"sku": sku}) for sku in skus])
        assert opened.status == "completed"
        assert not [path for path in loads if "upc=" in path]  # new products: nothing to look up first
        with session_scope(workspace.engine) as session:
            remote = {session.get(Product, li.product_id).handle: li.remote_id
                      for li in session.exec(select(Listing)).all()}
        if config["product_class"]:
            assert set(_product_classes(shop).values()) == {config["product_class"]}
        assert _partners(shop) == {config["partner"]}  # every stock record, children's too
        # The path became a tree: Drinkware under Kitchen, made once for both products.
        assert {upc: c for upc, c in _categories(shop).items() if upc != "tee"} == {
            "MUG-01": ("Drinkware", "Kitchen", 2), "LAMP-01": ("Drinkware", "Kitchen", 2)}
        if config.get("variants"):
            _variants_are_parent_and_children(workspace, driver, shop)
            _published_again_edits_in_place(driver, shop, workdir)
            _stock_reaches_products_and_variants(driver, shop)

        mug = shop.buy(remote["mug"], quantity=2)
        if config["pipeline"] == "complete":
            _no_shipped_status_is_said_once(workspace, driver, mug)

        daily = start_run(workspace, "daily", "daily operations", driver=driver)
        steps = {s.tool: s for s in steps_of(workspace.engine, daily.run_id)}
        assert not [s for s in steps.values() if s.status == "failed"], {s.tool: s.error for s in steps.values()}
        assert steps["sync_orders"].output["new"] == (0 if config["pipeline"] == "complete" else 1)
        assert order(workspace, mug).status == "shipped"
        on_oscar = driver.get_order(mug)
        assert on_oscar.status == config["shipped"] and len(on_oscar.shipments) == 1
        assert on_oscar.total_cents == on_oscar.paid_cents == 2900  # '29,00 $' in German
        assert abs(on_oscar.placed_at - utcnow()) < timedelta(hours=1)  # the date read in the shop's language
        assert on_oscar.lines[0].sku == "MUG-01" and on_oscar.lines[0].quantity == 2
        carrier = config["settings"].get("shipping_carriers", {}).get("oscar", "Sandbox Post")
        assert on_oscar.shipments[0].carrier == carrier
        assert _shipping_events(shop, mug) == [config["shipping_event"]]

        refund = run(workspace, driver, ("refund_order", {"order_id": mug, "amount_cents": 550, "reason": "late"}))
        assert refund.status == "completed"
        assert driver.get_order(mug).refunded_cents == 550 and order(workspace, mug).refunded_cents == 550
        assert _payment_events(shop, mug)[-1] == (config["refund_event"], 550)

        lamp = shop.buy(remote["lamp"])
        assert run(workspace, driver, ("sync_orders", {})).status == "completed"
        cancel = run(workspace, driver, ("cancel_order", {"order_id": lamp, "reason": "no longer needed"}))
        assert cancel.status == "completed"
        on_oscar = driver.get_order(lamp)
        assert on_oscar.shop_status == "cancelled" and on_oscar.refunded_cents == on_oscar.paid_cents == 3500
        assert order(workspace, lamp).status == "cancelled"
    finally:
        driver.close()


def _no_shipped_status_is_said_once(workspace, driver, number) -> None:
    """Without oscar_status_map the paid order is synced, and the shipping stage fails once
    naming the setting; nothing is half-done on the shop. (The driver of the settings, its
    status map taken away for the while: a second browser would cost a start and a login.)"""
    status_map, driver.status_map = driver.status_map, {}
    try:
        outcome = run(workspace, driver, ("sync_orders", {}), ("fulfil_orders", {}))
        steps = steps_of(workspace.engine, outcome.run_id)
        [failed] = [s for s in steps if s.status == "failed"]
        assert failed.tool == "fulfil_orders" and "oscar_status_map" in failed.error, failed.error
        assert "Complete" in failed.error and "ship_order" not in {s.tool for s in steps}
        assert order(workspace, number).status == "paid" and driver.get_order(number).shipments == []
    finally:
        driver.status_map = status_map


def _published_again_edits_in_place(driver, shop, workdir) -> None:
    """A publish the shop did not record (a run that stopped after Oscar saved) comes again
    without the product's id: Oscar refuses a second product with the UPC, so the driver
    finds the one it made and edits it; a save whose answer is lost is retried the same way;
    nothing is made twice."""
    before = _products(shop)
    photo = workdir / "assets" / "supplier" / "tee.jpg"
    records = _count(shop, "partner_stockrecord")
    mug = ListingDraft(sku="MUG-01", title="Stoneware mug", description_html="<p>A mug.</p>", price_cents=1450,
                       stock=21, category=CATEGORY, images=[photo])
    tee = ListingDraft(sku="tee", title="Cotton tee", description_html="<p>A tee.</p>", price_cents=1999, stock=12,
                       category="Apparel", images=[photo],
                       variants=[(sku, f"size={o['size']}", price + 100, stock) for sku, o, price, stock in TEES])
    assert driver.publish_listing(mug) == str(before["MUG-01"]["id"])
    assert driver.publish_listing(tee) == str(before["tee"]["id"])
    after = _products(shop)
    assert after.keys() == before.keys() and _count(shop, "partner_stockrecord") == records
    assert after["MUG-01"]["stock"] == 21 and float(after["TEE-01-M"]["price"]) == 22.99
    assert (after["MUG-01"]["description"], after["tee"]["description"]) == ("<p>A mug.</p>", "<p>A tee.</p>")

    # Oscar saves, and its answer is lost (a timeout): the retry finds what was made.
    lost = {"publish product SOCK-01", "publish product CAP-01-S"}
    send = driver._send_form

    def answer_lost(form, button, what, files=None):
        location = send(form, button, what, files)
        if what in lost:
            lost.remove(what)
            raise Transient(f"{what}: no answer")
        return location
    driver._send_form = answer_lost
    try:
        sock = ListingDraft(sku="SOCK-01", title="Wool socks", description_html="<p>Socks.</p>", price_cents=900,
                            stock=9, category=CATEGORY, images=[photo])
        cap = ListingDraft(sku="cap", title="Cotton cap", description_html="<p>A cap.</p>", price_cents=1200, stock=6,
                           category=CATEGORY, images=[photo],
                           variants=[("CAP-01-S", "size=S", 1200, 3), ("CAP-01-M", "size=M", 1300, 4)])
        made = {"SOCK-01": driver.publish_listing(sock), "cap": driver.publish_listing(cap)}
    finally:
        driver._send_form = send
    assert not lost  # both answers were lost, and both saves retried
    now = _products(shop)
    assert now.keys() == before.keys() | {"SOCK-01", "cap", "CAP-01-S", "CAP-01-M"}
    assert {sku: str(now[sku]["id"]) for sku in made} == made and _count(shop, "partner_stockrecord") == records + 3
    assert (now["CAP-01-S"]["parent"], now["CAP-01-S"]["stock"], now["CAP-01-M"]["stock"]) == ("cap", 3, 4)


def _stock_reaches_products_and_variants(driver, shop) -> None:
    """The stock pool's units reach Oscar: a product's, and a variant's (a child, with a unit
    Oscar holds for the order placed above), and not a SKU the shop does not list there; the
    same units again write nothing."""
    assert driver.set_stock({"MUG-01": 4, "TEE-01-M": 2, "NOT-LISTED": 9}) == {"MUG-01": 4, "TEE-01-M": 2}
    assert (_available(shop, "MUG-01"), _available(shop, "TEE-01-M")) == (4, 2)
    assert _products(shop)["TEE-01-M"]["stock"] == 3  # the 2 to sell and the unit its order holds
    assert driver.set_stock({"MUG-01": 4, "TEE-01-M": 2}) == {}
    listed = driver.listed_stock()
    assert (listed["MUG-01"], listed["TEE-01-M"]) == (4, 2)
    # Every SKU with stock records: products and variants, not their parents (the tee, the cap)
    assert set(listed) == {upc for upc, product in _products(shop).items() if product["structure"] != "parent"}


def _variants_are_parent_and_children(workspace, driver, shop) -> None:
    """The tee is a parent product with a child per variant (options, price, stock); a guest
    buys one variant and the daily loop ships it as that SKU."""
    products = _products(shop)
    assert products["tee"]["structure"] == "parent" and products["tee"]["stock"] is None
    for sku, options, price, stock in TEES:
        child = products[sku]
        assert (child["structure"], child["parent"], child["stock"]) == ("child", "tee", stock)
        assert float(child["price"]) == price / 100 and f"size={options['size']}" in child["title"]
    with session_scope(workspace.engine) as session:
        listings = session.exec(select(Listing)).all()
    assert len(listings) == 3  # one listing for the tee, not one per variant
    number = shop.buy(products["tee"]["id"], child_id=products["TEE-01-M"]["id"])
    assert driver.get_order(number).lines[0].sku == "TEE-01-M"
