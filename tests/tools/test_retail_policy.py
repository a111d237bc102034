"""The τ² retail policy's order operations, each allowed case and each way it is refused,
on the shop's records in both databases (store_data/samples/tau_retail/policy.md)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, SQLModel, select

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.orders import Buyer, Order, OrderLine, Payment, Shipment
from store_data.shop import Product, Variant
from store_data.status import OrderStatus
from tools import order_changes as changes
from tools.deps import ToolDeps
from tools.errors import ToolFailed, ToolRetry
from tools.order_address import preview_change_address
from tools.orders import preview_cancel, preview_refund

METHODS = {"cc_1": {"source": "credit_card"}, "pp_1": {"source": "paypal"},
           "gc_1": {"source": "gift_card", "balance_cents": 2000}, "gc_low": {"source": "gift_card", "balance_cents": 100}}
VARIANTS = {"TEE-S": (1000, 5), "TEE-M": (1200, 5), "TEE-L": (900, 0), "TEE-XL": (1500, 5)}


@pytest.fixture
def deps(engine, tmp_path) -> ToolDeps:
    SQLModel.metadata.create_all(engine)
    settings = SimpleNamespace(platform="sandbox", marketplace_user="seller", return_days=7)
    with session_scope(engine) as session:
        tee, mug = Product(handle="tee", name="Tee"), Product(handle="mug", name="Mug")
        session.add_all([tee, mug])
        session.flush()
        assert tee.id is not None and mug.id is not None
        for sku, (price, stock) in VARIANTS.items():
            session.add(Variant(sku=sku, product_id=tee.id, cost_cents=300, price_cents=price, stock=stock))
        session.add(Variant(sku="MUG", product_id=mug.id, cost_cents=200, price_cents=500, stock=5))
        session.add(Variant(sku="MUG-BLUE", product_id=mug.id, cost_cents=200, price_cents=600, stock=5))
        buyer = Buyer(remote_id="ann@x.test", email="ann@x.test", name="Ann", payment_methods=METHODS)
        session.add(buyer)
        session.flush()
        for number, status, shipped_days_ago in (("P1", OrderStatus.PAID, None), ("D1", OrderStatus.DELIVERED, 2),
                                                 ("D_OLD", OrderStatus.DELIVERED, 30), ("S1", OrderStatus.SHIPPED, 1)):
            _order(session, buyer, number, status, shipped_days_ago)
    return ToolDeps(engine=engine, workdir=tmp_path, settings=settings)


def _order(session, buyer, number, status, shipped_days_ago) -> None:
    order = Order(remote_id=number, buyer_id=buyer.id, status=status, total_cents=2000, paid_cents=2000,
                  address={"address1": "1 Main St", "city": "Denver", "postcode": "80202", "country": "USA"})
    session.add(order)
    session.flush()
    assert order.id is not None
    for sku, quantity in (("TEE-S", 1), ("MUG", 2)):
        variant = session.exec(select(Variant).where(Variant.sku == sku)).one()
        session.add(OrderLine(order_id=order.id, variant_id=variant.id, sku=sku, quantity=quantity,
                              unit_price_cents=variant.price_cents))
    session.add(Payment(order_id=order.id, kind="payment", amount_cents=2000, method="cc_1"))
    if shipped_days_ago is not None:
        session.add(Shipment(order_id=order.id, tracking_number=f"T-{number}",
                             shipped_at=utcnow() - timedelta(days=shipped_days_ago)))


def _order_row(deps, number) -> Order:
    with Session(deps.engine) as session:
        return session.exec(select(Order).where(Order.remote_id == number)).one()


def _lines(deps, number) -> dict[str, tuple[int, int, str]]:
    with Session(deps.engine) as session:
        order = session.exec(select(Order).where(Order.remote_id == number)).one()
        return {li.sku: (li.quantity, li.returned_quantity, li.exchange_sku)
                for li in session.exec(select(OrderLine).where(OrderLine.order_id == order.id))}


def _balance(deps, method) -> int:
    with Session(deps.engine) as session:
        return session.exec(select(Buyer)).one().payment_methods[method]["balance_cents"]


def _apply(deps, kind, decided) -> dict:
    number, verdict = decided
    return changes.apply_verdict(deps, number, kind, verdict)


def test_cancel_needs_an_accepted_reason_on_a_pending_order(deps):
    assert preview_cancel(deps, "P1", "no longer needed")["amount_cents"] == 2000
    assert preview_cancel(deps, "P1", " Ordered by  mistake")["amount_cents"] == 2000
    for reason in ("", "changed my mind", "out of stock"):
        with pytest.raises(ToolRetry, match="not a reason the policy accepts"):
            preview_cancel(deps, "P1", reason)
    with pytest.raises(ToolRetry, match="cannot be cancelled"):
        preview_cancel(deps, "S1", "no longer needed")


def test_a_pending_orders_money_goes_back_only_by_cancelling(deps):
    with pytest.raises(ToolRetry, match="only by cancelling"):
        preview_refund(deps, "P1", 500)
    assert preview_refund(deps, "S1", 500)["amount_cents"] == 500


def test_item_return_refunds_the_items_and_records_them(deps):
    facts = changes.preview_return_items(deps, "D1", ["MUG", "TEE-S"], "cc_1")
    assert facts["amount_cents"] == 1500 and "needs_person" not in facts
    result = _apply(deps, "return", changes.decide_return(deps, "D1", ["MUG", "TEE-S"], "cc_1"))
    assert result["status"] == OrderStatus.RETURN_REQUESTED and result["refunded_cents"] == 1500
    assert _lines(deps, "D1") == {"TEE-S": (1, 1, ""), "MUG": (2, 1, "")}
    with pytest.raises(ToolRetry, match="only a delivered order"):
        changes.preview_return_items(deps, "D1", ["MUG"], "cc_1")  # the order is no longer delivered


def test_item_return_to_a_gift_card_raises_its_balance(deps):
    _apply(deps, "return", changes.decide_return(deps, "D1", ["MUG", "MUG"], "gc_1"))
    assert _balance(deps, "gc_1") == 3000 and _order_row(deps, "D1").refunded_cents == 1000


@pytest.mark.parametrize(("number", "skus", "method", "refusal"), [
    ("P1", ["MUG"], "cc_1", "only a delivered order"),
    ("S1", ["MUG"], "cc_1", "only a delivered order"),
    ("D1", ["TEE-M"], "cc_1", "not in order D1"),
    ("D1", ["MUG", "MUG", "MUG"], "cc_1", "not in order D1 3 time"),
    ("D1", [], "cc_1", "name the items"),
    ("D1", ["MUG"], "pp_1", "original payment method .* or one of the buyer's gift cards"),
    ("D1", ["MUG"], "visa_9", "not one of the buyer's payment methods"),
])
def test_item_return_refusals(deps, number, skus, method, refusal):
    with pytest.raises(ToolRetry, match=refusal):
        changes.preview_return_items(deps, number, skus, method)


def test_a_return_past_the_shops_window_is_the_owners_decision(deps):
    facts = changes.preview_return_items(deps, "D_OLD", ["MUG"], "cc_1")
    assert facts["needs_person"] == "the return window of 7 days has passed"


def test_exchange_charges_the_difference_once(deps):
    facts = changes.preview_exchange_items(deps, "D1", {"TEE-S": "TEE-XL"}, "gc_1")
    assert facts["amount_cents"] == 0 and facts["swaps"] == (("TEE-S", "TEE-XL"),)
    result = _apply(deps, "exchange", changes.decide_swap(deps, "D1", {"TEE-S": "TEE-XL"}, "gc_1", exchange=True))
    assert result["status"] == OrderStatus.EXCHANGE_REQUESTED and result["paid_cents"] == 2500
    assert _balance(deps, "gc_1") == 1500 and _lines(deps, "D1")["TEE-S"] == (1, 0, "TEE-XL")
    assert _order_row(deps, "D1").exchanged is True
    with Session(deps.engine) as session:
        assert session.exec(select(Variant).where(Variant.sku == "TEE-XL")).one().stock == 4


def test_an_exchange_to_a_cheaper_option_refunds_the_difference(deps):
    _apply(deps, "exchange", changes.decide_swap(deps, "D1", {"TEE-S": "TEE-M"}, "pp_1", exchange=True))
    assert _order_row(deps, "D1").paid_cents == 2200
    # Exchanging a delivered order a second time is refused by the once-only flag alone.
    with session_scope(deps.engine) as session:
        again = session.exec(select(Order).where(Order.remote_id == "D_OLD")).one()
        again.exchanged = True
    with pytest.raises(ToolRetry, match="exchanged only once"):
        changes.preview_exchange_items(deps, "D_OLD", {"TEE-S": "TEE-M"}, "cc_1")


@pytest.mark.parametrize(("number", "swap", "method", "refusal"), [
    ("P1", {"TEE-S": "TEE-M"}, "cc_1", "only a delivered order"),
    ("D1", {"TEE-S": "TEE-L"}, "cc_1", "out of stock"),
    ("D1", {"TEE-S": "MUG"}, "cc_1", "another product"),
    ("D1", {"TEE-S": "TEE-S"}, "cc_1", "would become itself"),
    ("D1", {"TEE-M": "TEE-XL"}, "cc_1", "not in order D1"),
    ("D1", {"TEE-S": "HAT-1"}, "cc_1", "unknown variant"),
    ("D1", {"TEE-S": "TEE-XL"}, "gc_low", "less than the 500 cents"),
    ("D1", {"TEE-S": "TEE-XL"}, "visa_9", "not one of the buyer's payment methods"),
])
def test_exchange_refusals(deps, number, swap, method, refusal):
    with pytest.raises(ToolRetry, match=refusal):
        changes.preview_exchange_items(deps, number, swap, method)


def test_modifying_a_pending_orders_items_happens_once_and_locks_the_order(deps):
    result = _apply(deps, "modify_items", changes.decide_swap(deps, "P1", {"TEE-S": "TEE-M"}, "cc_1", exchange=False))
    assert result["status"] == OrderStatus.PAID and result["total_cents"] == 2200 and result["paid_cents"] == 2200
    assert _lines(deps, "P1") == {"TEE-M": (1, 0, ""), "MUG": (2, 0, "")}
    with pytest.raises(ToolRetry, match="had its items modified"):
        changes.preview_modify_items(deps, "P1", {"TEE-M": "TEE-XL"}, "cc_1")
    with pytest.raises(ToolRetry, match="can no longer be cancelled"):
        preview_cancel(deps, "P1", "no longer needed")
    with pytest.raises(ToolRetry, match="had its items modified"):
        changes.preview_modify_payment(deps, "P1", "gc_1")
    with pytest.raises(ToolRetry, match="had its items modified"):
        preview_change_address(deps, "P1", "2 Oak Lane", "Austin", "73301")


def test_modifying_one_unit_of_a_line_of_several_splits_it(deps):
    _apply(deps, "modify_items", changes.decide_swap(deps, "P1", {"MUG": "MUG-BLUE"}, "cc_1", exchange=False))
    assert _lines(deps, "P1") == {"TEE-S": (1, 0, ""), "MUG": (1, 0, ""), "MUG-BLUE": (1, 0, "")}
    assert _order_row(deps, "P1").total_cents == 2100


@pytest.mark.parametrize(("number", "swap", "method", "refusal"), [
    ("S1", {"TEE-S": "TEE-M"}, "cc_1", "only a pending order"),
    ("D1", {"TEE-S": "TEE-M"}, "cc_1", "only a pending order"),
    ("P1", {"TEE-S": "TEE-L"}, "cc_1", "out of stock"),
    ("P1", {"MUG": "TEE-M"}, "cc_1", "another product"),
    ("P1", {"TEE-S": "TEE-XL"}, "gc_low", "less than the 500 cents"),
    ("P1", {"TEE-XL": "TEE-M"}, "cc_1", "not in order P1"),
])
def test_modify_items_refusals(deps, number, swap, method, refusal):
    with pytest.raises(ToolRetry, match=refusal):
        changes.preview_modify_items(deps, number, swap, method)


def test_modify_payment_moves_the_payment_to_a_gift_card_that_covers_it(deps):
    result = _apply(deps, "payment", changes.decide_payment(deps, "P1", "gc_1"))
    assert result["status"] == OrderStatus.PAID and result["paid_cents"] - result["refunded_cents"] == 2000
    assert _balance(deps, "gc_1") == 0
    with Session(deps.engine) as session:
        order = session.exec(select(Order).where(Order.remote_id == "P1")).one()
        moves = [(p.kind, p.amount_cents, p.method) for p in
                 session.exec(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))]
    assert moves == [("payment", 2000, "cc_1"), ("refund", 2000, "cc_1"), ("payment", 2000, "gc_1")]
    with pytest.raises(ToolRetry, match="2 payments"):
        changes.preview_modify_payment(deps, "P1", "pp_1")


@pytest.mark.parametrize(("number", "method", "refusal"), [
    ("P1", "cc_1", "already paid with cc_1"),
    ("P1", "gc_low", "less than the order's 2000 cents"),
    ("P1", "visa_9", "not one of the buyer's payment methods"),
    ("S1", "pp_1", "only a pending order"),
    ("D1", "pp_1", "only a pending order"),
])
def test_modify_payment_refusals(deps, number, method, refusal):
    with pytest.raises(ToolRetry, match=refusal):
        changes.preview_modify_payment(deps, number, method)


def test_a_buyers_default_address(deps):
    facts = changes.preview_modify_buyer_address(deps, "ANN@x.test", "2 Oak Lane", "Austin", "73301", "USA", "TX")
    assert facts["address_new"]["city"] == "Austin"
    assert changes.apply_buyer_address(deps, "ann@x.test", facts["address_new"])["address"]["address1"] == "2 Oak Lane"
    with pytest.raises(ToolRetry, match="lacks city"):
        changes.preview_modify_buyer_address(deps, "ann@x.test", "2 Oak Lane", "", "73301", "USA")
    with pytest.raises(ToolRetry, match="no buyer"):
        changes.preview_modify_buyer_address(deps, "bob@x.test", "2 Oak Lane", "Austin", "73301", "USA")


def test_a_platform_without_the_capability_refuses_before_anything_changes(deps):
    deps.driver = SimpleNamespace(name="sandbox", capabilities=frozenset({"orders"}))
    with pytest.raises(ToolFailed, match="does not offer item_returns"):
        changes.return_items(deps, "D1", ["MUG"], "cc_1")
    with pytest.raises(ToolFailed, match="does not offer exchange"):
        changes.exchange_items(deps, "D1", {"TEE-S": "TEE-M"}, "cc_1")
    assert _order_row(deps, "D1").status == OrderStatus.DELIVERED and _lines(deps, "D1")["MUG"] == (2, 0, "")
