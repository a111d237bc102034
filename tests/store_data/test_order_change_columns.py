"""A shop's database made before the retail policy's order changes gets their columns, with
values for the rows already there."""

from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from store_data.db import add_missing_columns
from store_data.orders import Buyer, Order, OrderLine

NEW = [("buyer", "payment_methods"), ("order", "items_modified"), ("order", "exchanged"),
       ("order", "cancel_reason"), ("orderline", "returned_quantity"), ("orderline", "exchange_sku")]


def test_an_older_shop_database_gains_the_columns(engine):
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        buyer = Buyer(remote_id="ann@x.test")
        session.add(buyer)
        session.flush()
        order = Order(remote_id="S1", buyer_id=buyer.id)
        session.add(order)
        session.flush()
        session.add(OrderLine(order_id=order.id, sku="MUG", unit_price_cents=500))
        session.commit()
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        for table, column in NEW:
            connection.execute(text(f"ALTER TABLE {quote(table)} DROP COLUMN {quote(column)}"))

    assert sorted(add_missing_columns(engine)) == sorted(f"{t}.{c}" for t, c in NEW)
    with Session(engine) as session:
        order = session.exec(select(Order)).one()
        line = session.exec(select(OrderLine)).one()
        assert (order.items_modified, order.exchanged, order.cancel_reason) == (False, False, "")
        assert (line.returned_quantity, line.exchange_sku) == (0, "")
        assert session.exec(select(Buyer)).one().payment_methods == {}
