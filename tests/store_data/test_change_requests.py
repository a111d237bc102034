"""A buyer's open request for other options (status change_requested) in the shop's records,
on each database: the order keeps its stock, the retail policy sees it where it was, and the
change made on it moves it on."""

from sqlmodel import Session, SQLModel, select

from store_data import order_changes as records
from store_data.orders import Buyer, Order, OrderLine, Payment, Shipment
from store_data.shop import Product, Variant
from store_data.status import OrderStatus
from tools.order_facts import policy_facts
from tools.order_stock import holds_stock


def _order(session: Session, status: OrderStatus) -> Order:
    product = Product(handle="tee", name="T-shirt")
    session.add(product)
    session.flush()
    assert product.id is not None, "the flush gave the product its id"
    medium = Variant(sku="TEE-M", product_id=product.id, cost_cents=800, price_cents=2000, stock=5)
    session.add_all([medium, Variant(sku="TEE-L", product_id=product.id, cost_cents=800, price_cents=2200, stock=5)])
    buyer = Buyer(remote_id="ann@x.test")
    session.add(buyer)
    session.flush()
    order = Order(remote_id="S1", buyer_id=buyer.id, total_cents=2000, paid_cents=2000)
    session.add(order)
    session.flush()
    assert order.id is not None, "the flush gave the order its id"
    session.add_all([OrderLine(order_id=order.id, variant_id=medium.id, sku="TEE-M", unit_price_cents=2000),
                     Payment(order_id=order.id, kind="payment", amount_cents=2000, method="card_1")])
    if status == OrderStatus.DELIVERED:
        session.add(Shipment(order_id=order.id, carrier="UPS", tracking_number="1"))
        order.set_status(OrderStatus.SHIPPED)
        order.set_status(OrderStatus.DELIVERED)
    order.set_status(OrderStatus.CHANGE_REQUESTED)
    session.add(order)
    session.commit()
    return order


def test_an_unshipped_order_asked_to_change_holds_its_stock_and_is_paid_again_once_changed(engine):
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        order = _order(session, OrderStatus.PAID)
        assert holds_stock(order, shipped=False)
        assert policy_facts(session, order).status == OrderStatus.PAID
        records.record_item_change(session, order, {"TEE-M": "TEE-L"}, -200, "card_1")
        order.set_status(OrderStatus.PAID)  # the platform closed the request: the sync moves it back
        session.add(order)
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(Order)).one()
        assert (stored.status, stored.items_modified, stored.paid_cents) == ("paid", True, 2200)
        assert session.exec(select(OrderLine.sku)).all() == ["TEE-L"]


def test_a_delivered_order_asked_to_exchange_becomes_exchange_requested(engine):
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        order = _order(session, OrderStatus.DELIVERED)
        assert policy_facts(session, order).status == OrderStatus.DELIVERED
        records.record_exchange(session, order, {"TEE-M": "TEE-L"}, -200, "card_1")
        session.add(order)
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(Order)).one()
        assert (stored.status, stored.exchanged) == ("exchange_requested", True)
        assert session.exec(select(OrderLine.exchange_sku)).all() == ["TEE-L"]
