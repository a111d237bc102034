"""One shop selling on two real platforms at once: the sandbox marketplace (started by the
shop itself, as a run starts it) and a django-oscar shop, with one stock pool.

Both get the listings; buyers order on both; one daily pass syncs and ships the orders of
each platform, and both then show the units the pool has left (checked in Oscar's own
database), each platform's sale included. When both platforms sell the last unit before a sync sees either, the order
synced first keeps it, the other is held short for the stock-out policy (the owner is
told), and only one unit ships.
"""

import sqlite3

import httpx
import pytest
from sqlmodel import Session, col, select

from agent.approvals import decide, list_approvals
from agent.operator import operator
from agent.runner import resume_run, start_run
from agent.runs import steps_of
from agent.workflows.orders import goal_for
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import Order, Shipment
from store_data.shop import Asset, Listing, Product, Variant
from tests.order_helpers import buy_on_sandbox
from tools.registry import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.oscar]
PRODUCTS = [("mug", "Stoneware mug", "MUG-01", 1450, 3), ("lamp", "Desk lamp", "LAMP-01", 3500, 1)]
# The daily pass's order stages and what they hand on (no clips, stats or report here).
DAILY_TOOLS = {name: BY_NAME[name] for name in (
    "sync_orders", "answer_messages", "handle_requests", "fulfil_orders", "ship_order", "resolve_stockout",
    "sync_stock", "check_stock")}


def _seed(workspace, make_photo) -> None:
    with session_scope(workspace.engine) as session:
        for handle, name, sku, price, stock in PRODUCTS:
            product = Product(handle=handle, name=name, category="Home", description=f"A {name.lower()}.")
            session.add(product)
            session.flush()
            assert product.id is not None
            session.add(Variant(sku=sku, product_id=product.id, cost_cents=500, price_cents=price, stock=stock))
            photo = make_photo(workspace.workdir / "assets" / "supplier" / f"{handle}.jpg")
            session.add(Asset(kind="supplier_photo", path=str(photo.relative_to(workspace.workdir)),
                              product_id=product.id))


def _calls(workspace, op, *calls):
    """An `orders` run of (tool, arguments, platform) calls over every platform's driver."""
    goal = goal_for([{"tool": t, "arguments": a, "why": "test", "platform": p} for t, a, p in calls])
    return start_run(workspace, "orders", goal, drivers=op.drivers)


def _remote_ids(workspace) -> dict[tuple[str, str], str | None]:
    """(handle, platform) -> the listing's id there."""
    with Session(workspace.engine) as session:
        handles = {p.id: p.handle for p in session.exec(select(Product)).all()}
        return {(handles[li.product_id], li.marketplace): li.remote_id for li in session.exec(select(Listing)).all()}


def _oscar_product_id(shop, sku: str) -> str:
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return str(db.execute("SELECT id FROM catalogue_product WHERE upc = ?", (sku,)).fetchone()[0])


def _oscar_available(shop, sku: str) -> int:
    """Units Oscar lets buyers buy, from its own database: in stock less allocated to orders."""
    with sqlite3.connect(shop.data / "db.sqlite3") as db:
        return db.execute("SELECT s.num_in_stock - COALESCE(s.num_allocated, 0) FROM partner_stockrecord s "
                          "JOIN catalogue_product p ON p.id = s.product_id WHERE p.upc = ?", (sku,)).fetchone()[0]


def _shop_orders(workspace) -> dict[tuple[str, str], Order]:
    with Session(workspace.engine) as session:
        return {(o.marketplace, o.remote_id): o for o in session.exec(select(Order)).all()}


def _shipments(workspace, order: Order) -> int:
    with Session(workspace.engine) as session:
        return len(session.exec(select(Shipment).where(Shipment.order_id == order.id)).all())


def _free(workspace, sku: str) -> int:
    with Session(workspace.engine) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).one()
        return variant.stock - variant.reserved


def test_one_shop_sells_on_the_sandbox_and_oscar_from_one_stock_pool(workdir, start_oscar_shop, make_photo):
    shop = start_oscar_shop()
    settings = load_settings(workdir, platforms=["sandbox", "oscar"], approval_mode="auto",
                             marketplace_password="sandbox-seller",
                             platform_logins={"oscar": {"url": shop.url, "user": "staff@example.com",
                                                        "password": "oscar-staff"}})
    workspace = open_workspace(settings)
    _seed(workspace, make_photo)
    with operator(workspace) as op:
        assert list(op.drivers) == ["sandbox", "oscar"]
        opened = _calls(workspace, op, *[("publish_listing", {"sku": sku}, platform)
                                         for *_, sku, _, _ in PRODUCTS for platform in ("sandbox", "oscar")])
        assert opened.status == "completed", opened.summary
        assert [s.status for s in steps_of(workspace.engine, opened.run_id)] == ["done"] * 4, \
            [s.error for s in steps_of(workspace.engine, opened.run_id)]
        remote = _remote_ids(workspace)
        assert {key[1] for key in remote} == {"sandbox", "oscar"} and len(remote) == 4
        sandbox = httpx.Client(base_url=op.drivers["sandbox"].base_url, follow_redirects=True, timeout=30)

        # A mug on each platform: 3 in the pool, 1 left after the pass, on the sandbox too.
        on_sandbox = buy_on_sandbox(sandbox, remote[("mug", "sandbox")])
        on_oscar = shop.buy(_oscar_product_id(shop, "MUG-01"))
        daily = start_run(workspace, "daily", "daily operations", llm=op.llm, drivers=op.drivers, tools=DAILY_TOOLS)
        assert daily.status == "completed", [(s.tool, s.status, s.error) for s in steps_of(workspace.engine, daily.run_id)]
        orders = _shop_orders(workspace)
        assert orders[("sandbox", on_sandbox)].status == "shipped"
        assert orders[("oscar", on_oscar)].status == "shipped"
        assert _free(workspace, "MUG-01") == 1
        assert op.drivers["sandbox"].listed_stock()["MUG-01"] == 1  # Oscar's sale lowered the sandbox's stock
        steps = steps_of(workspace.engine, daily.run_id)
        synced = [s for s in steps if s.tool == "sync_orders"]
        assert len(synced) == 2 and all(s.status == "done" for s in synced)
        pushed = next(s for s in steps if s.tool == "sync_stock").output["platforms"]
        assert pushed["sandbox"]["changed"] == {"MUG-01": 1}
        # Oscar holds a unit for its own order (allocated): it is told 1 + 1 in stock, and sells 1.
        assert pushed["oscar"]["changed"] == {"MUG-01": 1}
        assert _oscar_available(shop, "MUG-01") == 1 and _oscar_available(shop, "LAMP-01") == 1
        assert op.drivers["oscar"].listed_stock() == {"MUG-01": 1, "LAMP-01": 1}

        # The last lamp sells on both before a sync sees either.
        lamp_sandbox = buy_on_sandbox(sandbox, remote[("lamp", "sandbox")], email="bo@example.com")
        lamp_oscar = shop.buy(_oscar_product_id(shop, "LAMP-01"), email="cy@example.com")
        second = start_run(workspace, "daily", "daily operations", llm=op.llm, drivers=op.drivers, tools=DAILY_TOOLS)
        orders = _shop_orders(workspace)
        kept, short = orders[("sandbox", lamp_sandbox)], orders[("oscar", lamp_oscar)]
        assert kept.status == "shipped" and _shipments(workspace, kept) == 1
        assert short.status == "paid" and _shipments(workspace, short) == 0  # nothing ships that does not exist
        assert short.flag.startswith("no stock"), short.flag
        assert _free(workspace, "LAMP-01") == 0
        assert op.drivers["sandbox"].listed_stock()["LAMP-01"] == 0  # sold out everywhere
        assert _oscar_available(shop, "LAMP-01") == 0 and _oscar_available(shop, "MUG-01") == 1
        # The owner is asked: the stock-out policy's proposal for the order that came second.
        assert second.status == "paused"
        [waiting] = list_approvals(workspace)
        assert (waiting.tool, waiting.arguments["order_id"]) == ("resolve_stockout", lamp_oscar)
        assert waiting.preview["facts"]["platform"] == "oscar"
        decide(workspace, waiting.id, "edit", edited_arguments={"order_id": lamp_oscar, "action": "refund"})
        resumed = resume_run(workspace, second.run_id, llm=op.llm, drivers=op.drivers, tools=DAILY_TOOLS)
        assert resumed.status == "completed", resumed.summary
        short = _shop_orders(workspace)[("oscar", lamp_oscar)]
        assert short.status == "cancelled" and short.refunded_cents == short.paid_cents > 0
        with Session(workspace.engine) as session:
            shipped = session.exec(select(Order).where(col(Order.status) == "shipped")).all()
        assert sorted(o.marketplace for o in shipped) == ["oscar", "sandbox", "sandbox"]
