"""KPIs from a small hand-made shop, checked against values worked out by hand.

The shop's timezone is Asia/Shanghai (UTC+8, no daylight saving). The period is the 7 days
2026-03-08..14, the previous period 2026-03-01..07.

  O1 ann  03-01 10:00 local  MUG-1 x2 @10.00               refunded 20.00 on 03-13
  O2 ann  03-08 23:59:59     MUG-1 x1 @10.00, VASE-1 x1 @30.00
  O3 bob  03-09 00:00:00     MUG-1 x3 @9.99                refunded 10.00 on 03-10
  O4 cy   03-09 11:00        VASE-1 x1 @30.00
  O5 cy   cancelled, O6 bob pending, O7 in EUR: not sales
  O8 ann  03-13 08:00        GIFT x1 @5.01 (not in the catalog: cost unknown)
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlmodel import Session

from store_data.frames import sales_frames
from store_data.listing_stats import ListingStat
from store_data.orders import Buyer, Order, OrderLine, Payment
from store_data.shop import Product, Variant
from tools.analytics.kpis import Period, compute_kpis, find_anomalies
from tools.analytics.recommendations import recommend

TZ = "Asia/Shanghai"
PERIOD = Period.ending(date(2026, 3, 14), 7)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_shop(engine) -> None:
    with Session(engine) as s:
        kitchen = Product(handle="mug", name="Mug", category="Kitchen")
        home = Product(handle="vase", name="Vase", category="Home")
        bowl = Product(handle="bowl", name="Bowl", category="Kitchen")
        cup = Product(handle="cup", name="Cup", category="Kitchen")
        s.add_all([kitchen, home, bowl, cup])
        s.flush()
        assert kitchen.id is not None and home.id is not None and bowl.id is not None and cup.id is not None
        mug = Variant(sku="MUG-1", product_id=kitchen.id, cost_cents=400, price_cents=1000, stock=10, reserved=2)
        vase = Variant(sku="VASE-1", product_id=home.id, cost_cents=1500, price_cents=3000, stock=0)
        s.add_all([mug, vase,
                   Variant(sku="BOWL-1", product_id=bowl.id, cost_cents=500, price_cents=1000, stock=20),
                   Variant(sku="CUP-1", product_id=cup.id, cost_cents=900, price_cents=1000, stock=5)])
        ann, bob, cy = Buyer(remote_id="ann"), Buyer(remote_id="bob"), Buyer(remote_id="cy")
        s.add_all([ann, bob, cy])
        s.flush()

        def order(remote_id, buyer, placed, lines, status="delivered", currency="USD", refunds=()):
            o = Order(remote_id=remote_id, buyer_id=buyer.id if buyer else None, status=status, currency=currency,
                      total_cents=sum(q * p for _, _, q, p in lines), placed_at=utc(placed),
                      refunded_cents=sum(a for a, _ in refunds))
            o.paid_cents = o.total_cents
            s.add(o)
            s.flush()
            for variant, sku, quantity, price in lines:
                s.add(OrderLine(order_id=o.id, variant_id=variant.id if variant else None, sku=sku,
                                quantity=quantity, unit_price_cents=price))
            for amount, when in refunds:
                s.add(Payment(order_id=o.id, kind="refund", amount_cents=amount, created_at=utc(when)))

        order("O1", ann, "2026-03-01 02:00:00", [(mug, "MUG-1", 2, 1000)], status="refunded",
              refunds=[(2000, "2026-03-13 02:00:00")])
        order("O2", ann, "2026-03-08 15:59:59", [(mug, "MUG-1", 1, 1000), (vase, "VASE-1", 1, 3000)])
        order("O3", bob, "2026-03-08 16:00:00", [(mug, "MUG-1", 3, 999)], refunds=[(1000, "2026-03-10 01:00:00")])
        order("O4", cy, "2026-03-09 03:00:00", [(vase, "VASE-1", 1, 3000)])
        order("O5", cy, "2026-03-09 04:00:00", [(mug, "MUG-1", 5, 1000)], status="cancelled")
        order("O6", bob, "2026-03-10 04:00:00", [(mug, "MUG-1", 1, 1000)], status="pending")
        order("O7", None, "2026-03-11 04:00:00", [(mug, "MUG-1", 1, 900)], currency="EUR")
        order("O8", ann, "2026-03-13 00:00:00", [(None, "GIFT", 1, 501)])
        s.add_all([ListingStat(listing_remote_id="1", sku="MUG-1", day=date(2026, 3, 1), visits=40, orders=1),
                   ListingStat(listing_remote_id="1", sku="MUG-1", day=date(2026, 3, 8), visits=100, orders=2),
                   ListingStat(listing_remote_id="2", sku="VASE-1", day=date(2026, 3, 9), visits=150, orders=1)])
        s.commit()


def kpis_of(engine, period=PERIOD):
    since, _ = period.before().utc_bounds(ZoneInfo(TZ))
    _, until = period.utc_bounds(ZoneInfo(TZ))
    return compute_kpis(sales_frames(engine, since, until), period, TZ, "USD")


@pytest.fixture
def kpis(engine):
    make_shop(engine)
    return kpis_of(engine)


def test_summary_of_the_period(kpis):
    s = kpis.summary
    assert (s["gross_cents"], s["refunds_cents"], s["net_cents"]) == (10498, 3000, 7498)
    assert (s["orders"], s["units"]) == (4, 7)
    assert s["aov_cents"] == 2625  # 10498 / 4 = 2624.5, rounded half up (half-even would give 2624)
    assert (s["visits"], s["marketplace_orders"]) == (250, 3) and s["conversion"] == pytest.approx(3 / 250)
    assert s["refund_rate"] == pytest.approx(3000 / 10498)
    assert (s["buyers"], s["repeat_buyers"]) == (3, 1) and s["repeat_buyer_rate"] == pytest.approx(1 / 3)
    # 600 + 1500 (O2) + 3 x 599 (O3) + 1500 (O4); GIFT has no cost, so it is out of margin %
    assert (s["margin_cents"], s["costed_cents"]) == (5397, 9997)
    assert s["margin_pct"] == pytest.approx(5397 / 9997)
    assert kpis.other_currency_orders == 1


def test_previous_period_and_change(kpis):
    p = kpis.previous_summary
    assert (p["gross_cents"], p["refunds_cents"], p["orders"], p["units"], p["aov_cents"]) == (2000, 0, 1, 2, 2000)
    assert (p["buyers"], p["repeat_buyers"], p["conversion"]) == (1, 0, pytest.approx(1 / 40))
    assert kpis.change["gross_cents"] == pytest.approx((10498 - 2000) / 2000)
    assert kpis.change["orders"] == pytest.approx(3.0)
    assert kpis.change["conversion"] == pytest.approx(3 / 250 - 1 / 40)  # rates: the difference
    assert kpis.change["refunds_cents"] is None  # nothing to compare with


def test_daily_rows_follow_the_shops_timezone(kpis):
    days = kpis.daily.loc["2026-03-08":"2026-03-14"]
    assert list(days["gross_cents"]) == [4000, 5997, 0, 0, 0, 501, 0]
    assert list(days["orders"]) == [1, 2, 0, 0, 0, 1, 0]  # 15:59:59 UTC is 03-08, 16:00:00 UTC is 03-09
    assert list(days["refunds_cents"]) == [0, 0, 1000, 0, 0, 2000, 0]
    assert list(days["net_cents"]) == [4000, 5997, -1000, 0, 0, -1499, 0]  # more refunds than sales on 03-13
    assert days.loc["2026-03-13", "refund_rate"] == pytest.approx(2000 / 501)
    assert pd.isna(days.loc["2026-03-10", "aov_cents"]) and pd.isna(days.loc["2026-03-10", "refund_rate"])
    assert len(kpis.daily) == 14 and kpis.daily.loc["2026-03-01", "gross_cents"] == 2000


def test_weeks_start_on_monday(kpis):
    weeks = kpis.weekly  # 2026-03-08 is a Sunday
    assert [str(w.date()) for w in weeks.index] == ["2026-03-02", "2026-03-09"]
    assert list(weeks["days"]) == [1, 6] and list(weeks["gross_cents"]) == [4000, 6498]


def test_skus_products_and_categories(kpis):
    skus = kpis.breakdowns.skus
    mug, vase, gift = skus.loc["MUG-1"], skus.loc["VASE-1"], skus.loc["GIFT"]
    assert (mug["units"], mug["gross_cents"], mug["orders"], mug["refunded_orders"]) == (4, 3997, 2, 1)
    assert (mug["available"], mug["cover_days"]) == (8, pytest.approx(14.0))  # 8 / (4 / 7)
    assert mug["gross_change"] == pytest.approx((3997 - 2000) / 2000) and mug["conversion"] == pytest.approx(0.02)
    assert (vase["units"], vase["gross_cents"], vase["cover_days"], vase["margin_cents"]) == (2, 6000, 0.0, 3000)
    assert not gift["in_catalog"] and gift["gross_cents"] == 501 and pd.isna(gift["margin_pct"])
    assert skus.loc["BOWL-1", "units"] == 0 and pd.isna(skus.loc["BOWL-1", "cover_days"])
    categories = kpis.breakdowns.categories
    assert categories["orders"].to_dict() == {"": 1, "Home": 2, "Kitchen": 2}  # O2 counts once in each
    assert categories.loc["Kitchen", "gross_cents"] == 3997
    assert kpis.breakdowns.products.loc["vase", "lead_sku"] == "VASE-1"


def test_recommendations_carry_their_numbers(kpis):
    proposals = {(p.kind, p.arguments.get("sku")): p for p in recommend(kpis)}
    assert set(proposals) == {("reorder", "VASE-1"), ("price_test", "BOWL-1"), ("listing_fix", "VASE-1")}
    reorder = proposals[("reorder", "VASE-1")]
    assert reorder.tool == "reorder_stock" and reorder.arguments == {"sku": "VASE-1", "quantity": 9}  # ceil(2/7*30)
    assert reorder.numbers["cover_days"] == 0.0
    price = proposals[("price_test", "BOWL-1")]
    assert price.arguments == {"sku": "BOWL-1", "price_cents": 900, "days": 14}  # CUP-1: no room above cost + 15%
    fix = proposals[("listing_fix", "VASE-1")]
    assert fix.numbers["visits"] == 150 and "conversion" in fix.reason


def test_no_orders_at_all(engine):
    kpis = kpis_of(engine)
    s = kpis.summary
    assert (s["gross_cents"], s["orders"], s["net_cents"]) == (0, 0, 0)
    assert s["aov_cents"] is None and s["refund_rate"] is None and s["repeat_buyer_rate"] is None
    assert len(kpis.daily) == 14 and kpis.anomalies.empty and kpis.breakdowns.skus.empty
    assert recommend(kpis) == []


def test_anomalies_against_the_seven_days_before():
    days = pd.date_range("2026-03-01", periods=9, freq="D", name="day")
    daily = pd.DataFrame({"orders": [10] * 7 + [25, 4], "gross_cents": [10000] * 7 + [25000, 4000]}, index=days)
    found = find_anomalies(daily, pd.Timestamp("2026-03-08"))
    assert list(zip(found["day"].dt.strftime("%m-%d"), found["metric"], found["kind"])) == [
        ("03-08", "gross_cents", "spike"), ("03-08", "orders", "spike"),
        ("03-09", "gross_cents", "drop"), ("03-09", "orders", "drop")]
    assert found["ratio"].tolist() == pytest.approx([2.5, 2.5, 4 / (85 / 7), 4 / (85 / 7)])
    quiet = daily.assign(orders=[2] * 7 + [5, 1])  # under 3 orders a day: too few to call
    assert find_anomalies(quiet, pd.Timestamp("2026-03-08")).empty


def test_recommendations_read_each_product_one_way(engine):
    """A product is a top seller, needs stock or is slow, never two of them at once, and gets
    at most one price test (so one stock cover is quoted for it)."""
    with Session(engine) as s:
        set_, lamp, rack = (Product(handle=h, name=h.title()) for h in ("set", "lamp", "rack"))
        s.add_all([set_, lamp, rack])
        s.flush()
        variants = {sku: Variant(sku=sku, product_id=product.id, cost_cents=500, price_cents=2000, stock=stock)
                    for sku, product, stock in (("SET-RED", set_, 50), ("SET-BLUE", set_, 300),
                                                ("LAMP-A", lamp, 1), ("LAMP-B", lamp, 300),
                                                ("RACK-S", rack, 100), ("RACK-L", rack, 400))}
        s.add_all(variants.values())
        s.flush()
        sales = [("SET-RED", f"2026-03-{day:02d} 04:00:00") for day in range(8, 14)]
        sales += [("LAMP-A", "2026-03-09 04:00:00"), ("LAMP-A", "2026-03-11 04:00:00")]
        for number, (sku, placed) in enumerate(sales):
            o = Order(remote_id=f"S{number}", status="delivered", total_cents=2000, paid_cents=2000, placed_at=utc(placed))
            s.add(o)
            s.flush()
            s.add(OrderLine(order_id=o.id, variant_id=variants[sku].id, sku=sku, unit_price_cents=2000))
        s.commit()
    proposals = [(p.kind, p.arguments["sku"]) for p in recommend(kpis_of(engine))]
    assert ("promo_clip", "SET-RED") in proposals and ("reorder", "LAMP-A") in proposals
    # SET-BLUE and LAMP-B sell nothing, but their products are not slow; the rack's larger stock is tested.
    assert [sku for kind, sku in proposals if kind == "price_test"] == ["RACK-L"]
    # Only the SKUs the shop says may be tested (listed long enough, no test running) are.
    assert [p.arguments["sku"] for p in recommend(kpis_of(engine), testable={"RACK-S"})
            if p.kind == "price_test"] == ["RACK-S"]
