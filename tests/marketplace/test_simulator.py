"""The buyer traffic simulator: deterministic, spread over days, responsive to quality."""

from datetime import date, datetime

import pytest

from marketplace.simulator import SimulationError, quality, simulate
from marketplace.db import session
from marketplace.models import Event, Listing, Message, Order, Thread
from sqlmodel import select


def run(make_app, tmp_path, name, seed, days=4, rate=30, **kw):
    from fastapi.testclient import TestClient

    app = make_app(tmp_path / name, sim_clock=True, **kw)
    with TestClient(app) as c:
        summary = simulate("", days, seed, rate, start=date(2025, 1, 6), client=c)
    with session(app.state.engine) as s:
        orders = [(o.number, o.created_at, o.total_cents, o.ship_name) for o in s.exec(select(Order).order_by(Order.id))]
        events = len(s.exec(select(Event)).all())
    return summary, orders, events


def test_same_seed_same_traffic_and_other_seed_differs(make_app, tmp_path):
    a = run(make_app, tmp_path, "a", seed=7)
    b = run(make_app, tmp_path, "b", seed=7)
    c = run(make_app, tmp_path, "c", seed=8, days=2)
    assert a == b
    assert a != c
    summary, orders, events = a
    assert summary.counts["orders"] == len(orders) > 2 and summary.counts["visits"] > 80
    days = {created.date() for _, created, _, _ in orders}
    assert len(days) >= 2 and min(days) >= date(2025, 1, 6) and max(days) <= date(2025, 1, 9)
    assert events == summary.counts["visits"] + summary.counts["add_to_carts"]


def test_follow_ups_message_confirm_request_and_review(make_app, tmp_path, login):
    """With the seller shipping every day, buyers confirm, ask, return and review."""
    from fastapi.testclient import TestClient

    from marketplace.simulator import Simulator

    app = make_app(tmp_path / "f", sim_clock=True)
    with TestClient(app) as buyer, TestClient(app) as seller:
        login(seller)
        sim = Simulator(buyer, seed=3, rate=30, start=date(2025, 2, 3))
        sim.run(1)
        for day in range(2, 13):
            with session(app.state.engine) as s:
                pending = [o.number for o in s.exec(select(Order).where(Order.status == "pending"))]
            for number in pending:
                page = seller.get(f"/seller/orders/{number}").text
                tok = page.split('name="csrf_token" value="')[1].split('"')[0]
                seller.post(f"/seller/orders/{number}/ship", data={"csrf_token": tok, "carrier": "UPS", "tracking": number})
            sim._day(datetime(2025, 2, day + 2))
    counts = sim.summary.counts
    assert counts["deliveries_confirmed"] > 0 and counts["reviews"] > 0 and counts["messages"] > 0
    with session(app.state.engine) as s:
        assert s.exec(select(Thread)).first() and s.exec(select(Message)).first()
        assert s.exec(select(Order).where(Order.status == "delivered")).first()


def test_demand_follows_listing_quality():
    plain = {"images": 0, "has_video": False, "description_chars": 0}
    rich = {"images": 4, "has_video": True, "description_chars": 800}
    assert quality(rich) > 3 * quality(plain)


def test_better_listings_sell_more(make_app, tmp_path):
    """Same shop and seed, only the mug's price differs: the cheap mug draws more buyers."""
    from fastapi.testclient import TestClient

    def mug_visits(price):
        app = make_app(tmp_path / f"p{price}", sim_clock=True)
        with session(app.state.engine) as s:
            mug = s.exec(select(Listing).where(Listing.sku == "MUG-01")).one()
            mug.price_cents = price
            s.add(mug)
            s.commit()
            mug_id = mug.id
        with TestClient(app) as c:
            simulate("", 3, 11, 40, start=date(2025, 3, 3), client=c)
        with session(app.state.engine) as s:
            return len(s.exec(select(Event).where(Event.listing_id == mug_id, Event.kind == "visit")).all())

    assert mug_visits(500) > 1.5 * mug_visits(6000)


def test_simulator_needs_the_sim_clock(make_app, tmp_path):
    from fastapi.testclient import TestClient

    with TestClient(make_app(tmp_path / "n", sim_clock=False)) as c:
        with pytest.raises(SimulationError, match="--sim-clock"):
            simulate("", 1, 1, client=c)


def test_simulator_survives_server_errors(make_app, tmp_path):
    from fastapi.testclient import TestClient

    from marketplace.settings import Faults

    app = make_app(tmp_path / "e", sim_clock=True, faults=Faults(error_rate=0.2), fault_seed=5)
    with TestClient(app) as c:
        summary = simulate("", 2, 1, 30, start=date(2025, 1, 6), client=c)
    assert summary.counts["server_errors"] > 0 and summary.counts["visits"] > 30


def test_buyer_questions_cover_the_desks_kinds_in_both_languages():
    from marketplace.simulator import QUESTIONS, Simulator

    simulator = Simulator(client=None, seed=3)
    for kind in QUESTIONS:
        for _ in range(12):
            text = simulator.question_text(kind, "Desk lamp", "12 Oak Lane", ("Austin", "TX", "73301"))
            assert text.strip() and "{" not in text
    languages = {kind: {any("\u4e00" <= c <= "\u9fff" for c in t) for t in texts} for kind, texts in QUESTIONS.items()}
    assert all(found == {True, False} for kind, found in languages.items() if kind != "off_topic"), languages
