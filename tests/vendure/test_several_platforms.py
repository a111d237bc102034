"""The sample shop opened on two platforms at once, the sandbox (started by the shop itself,
in a browser) and a Vendure shop (through its Admin API), then a daily pass with orders on
both: each platform's orders are synced and shipped once, and each platform then shows the
units the one stock pool has left, the other platform's sale included.

No model: every model step takes its deterministic fallback. The clip, stats and report
stages are left out (tested on their own); everything else is the open and daily workflows.
"""

from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from agent.operator import operator
from agent.runner import start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.catalog import import_catalog
from store_data.orders import Order, Shipment
from store_data.shop import Listing, Product, Variant
from tests.order_helpers import buy_on_sandbox
from tools.registry import BY_NAME

pytestmark = [pytest.mark.vendure, pytest.mark.browser]
OPEN_TOOLS = {name: BY_NAME[name] for name in (
    "create_brand", "make_brand_images", "set_shop_profile", "make_product_images", "write_listing_copy",
    "price_product", "publish_listing")}
DAILY_TOOLS = {name: BY_NAME[name] for name in (
    "sync_orders", "answer_messages", "handle_requests", "fulfil_orders", "ship_order", "resolve_stockout",
    "sync_stock", "check_stock")}
SAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "store_data" / "samples" / "catalog.csv"
ON_SANDBOX, ON_VENDURE = "BTL-GLS-550", "MUG-350-WHT"  # a single-SKU product, and a variant of one


def _free(workspace) -> dict[str, int]:
    with Session(workspace.engine) as session:
        return {v.sku: v.stock - v.reserved for v in session.exec(select(Variant))}


def test_the_sample_shop_on_the_sandbox_and_vendure_with_one_stock_pool(workdir, vendure, shop_api):
    settings = load_settings(workdir, platforms=["sandbox", "vendure"], approval_mode="auto",
                             marketplace_password="sandbox-seller",
                             platform_logins={"vendure": {"url": vendure.url, "user": "superadmin",
                                                          "password": "vendure-admin"}})
    workspace = open_workspace(settings)
    with Session(workspace.engine) as session:
        report = import_catalog(session, SAMPLE_CATALOG, workdir)
        session.commit()
        products = len(session.exec(select(Product)).all())
    assert report.imported > 10 and not report.errors
    with operator(workspace) as op:
        opened = start_run(workspace, "open", "calm homeware", llm=None, drivers=op.drivers, tools=OPEN_TOOLS)
        steps = steps_of(workspace.engine, opened.run_id)
        assert opened.status == "completed" and {s.status for s in steps} == {"done"}, \
            [(s.tool, s.error) for s in steps if s.status != "done"]
        with Session(workspace.engine) as session:
            listings = session.exec(select(Listing).where(Listing.status == "published")).all()
        per_platform = {name: {li.product_id for li in listings if li.marketplace == name} for name in op.drivers}
        assert per_platform["sandbox"] == per_platform["vendure"] and len(per_platform["sandbox"]) == products
        # Vendure's listings carry the copy written to its own rules, not the sandbox's.
        copy_steps = [s.platform for s in steps if s.tool == "write_listing_copy"]
        assert copy_steps.count("vendure") == copy_steps.count("") == products

        before = _free(workspace)
        bottle = op.drivers["sandbox"].find_listing(ON_SANDBOX)
        assert bottle is not None
        with httpx.Client(base_url=op.drivers["sandbox"].base_url, follow_redirects=True, timeout=30) as buyer:
            on_sandbox = buy_on_sandbox(buyer, bottle[0])
        on_vendure = shop_api.place_order(vendure.url, {ON_VENDURE: 2}, "bo@example.com")

        daily = start_run(workspace, "daily", "daily operations", llm=None, drivers=op.drivers, tools=DAILY_TOOLS)
        steps = steps_of(workspace.engine, daily.run_id)
        assert daily.status == "completed" and {s.status for s in steps} == {"done"}, \
            [(s.tool, s.error) for s in steps if s.status != "done"]
        with Session(workspace.engine) as session:
            orders = {(o.marketplace, o.remote_id): o for o in session.exec(select(Order))}
            shipments = {(o.marketplace, o.remote_id): len(session.exec(select(Shipment).where(
                Shipment.order_id == o.id)).all()) for o in orders.values()}
        assert set(orders) == {("sandbox", on_sandbox), ("vendure", on_vendure)}
        assert all(o.status == "shipped" for o in orders.values()) and set(shipments.values()) == {1}
        assert op.drivers["vendure"].get_order(on_vendure).shipments  # shipped on Vendure itself

        # One pool: each platform now shows the other's sale.
        after = _free(workspace)
        assert after[ON_SANDBOX] == before[ON_SANDBOX] - 1 and after[ON_VENDURE] == before[ON_VENDURE] - 2
        vendure_stock, sandbox_stock = op.drivers["vendure"].listed_stock(), op.drivers["sandbox"].listed_stock()
        assert vendure_stock[ON_SANDBOX] == after[ON_SANDBOX]
        assert sandbox_stock[ON_VENDURE] == after[ON_VENDURE]
        assert all(vendure_stock[sku] == after[sku] for sku in vendure_stock if sku in after)
        assert all(sandbox_stock[sku] == after[sku] for sku in sandbox_stock if sku in after)
