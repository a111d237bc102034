"""The τ² retail records as a large shop."""

import re

import pytest
from sqlmodel import func, select

from marketplace.db import make_engine, session
from marketplace.models import Listing, Order, Payment, Shipment, Variant
from marketplace.tau import TauError, load_tau


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
