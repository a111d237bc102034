"""The τ² retail records as a large shop."""

import re
from pathlib import Path

import pytest
from sqlmodel import func, select

from marketplace.db import make_engine, session
from marketplace.models import Listing, Order, OrderItem, Payment, Shipment, Variant
from marketplace.tau import TauError, load_tau

TAU_FILE = Path(__file__).resolve().parents[2] / "store_data" / "samples" / "tau_retail" / "db.json.gz"


def test_counts(tau_template):
    _, counts = tau_template
    assert counts["listings"] == 50 and counts["variants"] == 591 and counts["buyers"] == 500
    assert counts["orders"] == 1000
    assert counts["by_status"] == {"pending": 423, "shipped": 102, "delivered": 373, "cancelled": 102}


def test_money_and_fulfilments(tau_dir):
    with session(make_engine(tau_dir)) as s:
        assert s.exec(select(func.count()).select_from(Listing)).one() == 50
        assert s.exec(select(func.count()).select_from(Variant)).one() == 591
        assert s.exec(select(func.count()).select_from(Payment).where(Payment.kind == "refund")).one() == 102
        order = s.exec(select(Order).where(Order.number == "W2611340")).one()
        assert (order.status, order.total_cents, order.paid_cents) == ("shipped", 53665, 53665)
        assert s.exec(select(Shipment).where(Shipment.order_id == order.id)).one().tracking == "357962501027"
        cancelled = s.exec(select(Order).where(Order.status == "cancelled")).all()
        assert all(o.refunded_cents == o.paid_cents for o in cancelled)


def test_loading_twice_or_a_bad_file_is_refused(tau_dir, tau_file, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(TauError, match="not a τ² retail"):
        load_tau(tmp_path / "empty", bad)
    with pytest.raises(TauError, match="already has orders"):
        load_tau(tau_dir, tau_file)


def test_back_office_pages_through_the_tau_shop(make_app, tau_dir, login):
    from fastapi.testclient import TestClient

    with TestClient(make_app(tau_dir, seed_demo=False, seller_email="s@x.test", seller_password="pw")) as seller:
        login(seller, "s@x.test", "pw")
        page = seller.get("/seller/orders?status=pending").text
        assert "423 orders · page 1 of 22" in page
        assert len(re.findall(r'data-order="', page)) == 20
        assert "102 orders" in seller.get("/seller/orders?status=cancelled").text
        detail = seller.get("/seller/orders/W2611340").text
        assert "Office Chair" in detail and "357962501027" in detail and 'data-status="shipped"' in detail


def test_the_shop_import_and_the_sandbox_load_make_one_shop(tau_template, tmp_path):
    """Every order the sandbox serves is in the shop's records under the same number, with lines
    whose SKUs the shop's catalog holds and payments the order sync will recognise."""
    from sqlmodel import Session

    from store_data.db import make_engine as shop_engine
    from store_data.db import sqlite_url
    from store_data.orders import Order as ShopOrder
    from store_data.orders import OrderLine
    from store_data.orders import Payment as ShopPayment
    from store_data.shop import Variant as ShopVariant
    from store_data.tau import import_tau

    engine = shop_engine(sqlite_url(tmp_path / "shop.db"))
    with Session(engine) as shop:
        import_tau(shop, TAU_FILE)
        shop.commit()
        catalog = set(shop.exec(select(ShopVariant.sku)))
        orders = {o.remote_id: o for o in shop.exec(select(ShopOrder).where(ShopOrder.marketplace == "sandbox"))}
        line_skus = set(shop.exec(select(OrderLine.sku)))
        payment_ids = set(shop.exec(select(ShopPayment.remote_id)))
    with session(make_engine(tau_template[0])) as s:
        platform_skus = set(s.exec(select(Variant.sku)))
        numbers = set(s.exec(select(Order.number)))
        platform_lines = set(s.exec(select(OrderItem.sku)))
        pending = s.exec(select(Order).where(Order.status == "pending")).first()
        positions = [f"{pending.number}#{i}" for i, _ in
                     enumerate(s.exec(select(Payment).where(Payment.order_id == pending.id)), 1)]
    assert platform_skus == catalog and len(catalog) == 591
    assert numbers == set(orders) and len(numbers) == 1000
    assert platform_lines == line_skus and line_skus <= catalog
    assert set(positions) <= payment_ids
    assert orders[pending.number].status == "paid"
