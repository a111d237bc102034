"""Paid orders and the shop's stock: a line for a product the platform sells but the shop's
catalog lacks holds nothing back (the platform took the order on its own stock), only what
the shop supplies can be short; a platform that cannot mark orders shipped is said once."""

from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import Order, OrderLine
from store_data.shop import Product, Variant
from tools.errors import ToolFailed
from tools.order_stages import fulfil_orders
from tools.order_stock import reserve


@pytest.fixture
def workspace(workdir):
    ws = open_workspace(load_settings(workdir))
    with session_scope(ws.engine) as session:
        product = Product(handle="mug", name="Mug")
        session.add(product)
        session.flush()
        session.add(Variant(sku="MUG-01", product_id=product.id, cost_cents=500, price_cents=1450, stock=3))
    return ws


def _order(ws, number: str, lines: list[tuple[str, int]], flag: str = "") -> None:
    with session_scope(ws.engine) as session:
        order = Order(remote_id=number, total_cents=1000, paid_cents=1000, flag=flag)
        session.add(order)
        session.flush()
        assert order.id is not None
        for sku, quantity in lines:
            variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
            session.add(OrderLine(order_id=order.id, variant_id=variant.id if variant else None, sku=sku,
                                  quantity=quantity, unit_price_cents=500))


def test_lines_outside_the_catalog_ship_and_only_the_shops_own_stock_can_be_short(workspace):
    _order(workspace, "A", [("MUG-01", 1), ("PLATFORM-ONLY", 2)])
    _order(workspace, "B", [("PLATFORM-ONLY", 5)], flag="unknown SKU: PLATFORM-ONLY is not in the shop's catalog")
    _order(workspace, "C", [("MUG-01", 9), ("PLATFORM-ONLY", 1)])
    with session_scope(workspace.engine) as session:  # what the sync does with a new order
        for number in ("A", "C"):
            reserve(session, session.exec(select(Order).where(Order.remote_id == number)).one())

    result = fulfil_orders(workspace.tool_deps())

    ships = {c["arguments"]["order_id"] for c in result["follow_up"] if c["tool"] == "ship_order"}
    proposed = {c["arguments"]["order_id"]: c["why"] for c in result["follow_up"] if c["tool"] == "resolve_stockout"}
    assert ships == {"A", "B"}  # B was held back by an earlier version's flag: it ships now
    assert list(proposed) == ["C"] and "MUG-01 needs 9, 2 free" in proposed["C"]  # the mug, not the other line
    with Session(workspace.engine) as session:
        assert session.exec(select(Variant)).one().reserved == 1
        assert session.exec(select(Order).where(Order.remote_id == "B")).one().flag == ""


def test_a_platform_that_cannot_mark_orders_shipped_is_reported_once(workspace):
    for number in ("A", "B", "C"):
        _order(workspace, number, [("PLATFORM-ONLY", 1)])
    driver = SimpleNamespace(name="sandbox", shipping_problem=lambda: "no status means shipped; set oscar_status_map")
    with pytest.raises(ToolFailed, match=r"^3 paid order\(s\) cannot be shipped: no status means shipped; "
                                         "set oscar_status_map$"):
        fulfil_orders(workspace.tool_deps(driver=driver))
