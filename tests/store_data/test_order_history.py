"""Order-history import: generic and Shopify CSV, per-row errors, idempotent re-import."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from store_data.order_history import HistoryFileError, import_history, read_history
from store_data.orders import Buyer, Order, OrderLine, Payment
from store_data.shop import Product, Variant

GENERIC = """order_id,placed_at,sku,quantity,unit_price,buyer,status,refunded,refunded_at
A-1,2026-03-01 10:00:00,MUG-1,2,10.00,Ann@Example.com,delivered,5.00,2026-03-03T09:00:00+08:00
A-1,,BOWL-1,1,4.50,,,,
A-2,2026-03-02T08:00:00Z,MUG-1,1,10.00,bob,,,
A-3,2026-03-02,MUG-1,0,10.00,bob,,,
A-3,2026-03-02,BOWL-1,1,4.50,bob,,,
A-4,2026-03-02,MUG-1,1,10.005,bob,,,
A-5,2026-03-02,MUG-1,1,10.00,bob,shipped,,
A-5,2026-03-03,MUG-1,1,10.00,bob,shipped,,
A-6,2026-03-02,MUG-1,1,10.00,bob,lost,30.00,
"""

SHOPIFY = """Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Cancelled at,Refunded Amount,Outstanding Balance
#1001,ann@example.com,paid,2026-03-01 10:00:00 +0800,fulfilled,USD,30.00,5.00,0.00,35.00,0.00,2026-03-01 09:59:00 +0800,2,Mug,10.00,MUG-1,Ann Lee,,0.00,0.00
#1001,ann@example.com,,,,,,,,,,,1,Bowl,10.00,BOWL-1,,,,
#1002,bob@example.com,partially_refunded,2026-03-02 10:00:00 +0800,,USD,12.00,0,0,12.00,0,2026-03-02 09:00:00 +0800,1,Vase,12.00,,Bob,,5.00,0
#1003,cy@example.com,voided,,,USD,12.00,0,0,12.00,0,2026-03-02 09:00:00 +0800,1,Vase,12.00,,Cy,2026-03-02 12:00:00 +0800,0,0
#1004,bob@example.com,weird,,,USD,12.00,0,0,12.00,0,2026-03-02 09:00:00 +0800,1,Vase,12.00,,Bob,,0,0
"""


@pytest.fixture
def catalog(engine):
    with Session(engine) as s:
        product = Product(handle="mug", name="Mug")
        s.add(product)
        s.flush()
        s.add(Variant(sku="MUG-1", product_id=product.id, cost_cents=400))
        s.commit()
    return engine


def write(tmp_path, text, name="history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_generic_rows_errors_and_timezone(tmp_path):
    orders, errors, rows = read_history(write(tmp_path, GENERIC), timezone="Asia/Shanghai")
    assert rows == 9
    assert [o.remote_id for o in orders] == ["A-1", "A-2"]
    first = orders[0]
    assert first.placed_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # no offset: the shop's time
    assert first.refunded_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    assert (first.total_cents, first.paid_cents, first.refunded_cents, first.buyer) == (2450, 2450, 500, "ann@example.com")
    assert first.lines == [("MUG-1", "", 2, 1000), ("BOWL-1", "", 1, 450)]
    assert orders[1].status == "delivered" and orders[1].placed_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (5, "quantity", "quantity must be 1 or more, not 0"),
        (5, "order_id", "order A-3 not imported because of its other rows; row(s) 6 wait"),
        (7, "unit_price", "'10.005' has more than two decimals"),
        (8, "order_id", "order A-5 not imported because of its other rows; row(s) 8 wait"),
        (9, "placed_at", "'2026-03-03' differs from '2026-03-02' on row 8 of the same order A-5"),
        (10, "status", "unknown status 'lost'; use one of: pending, paid, shipped, delivered, cancelled, "
                       "refund_requested, refunded, return_requested, returned, exchange_requested, change_requested, closed"),
        (10, "refunded", "refunded 30.00 is more than the 10.00 paid for order A-6"),
    ]


def test_import_is_idempotent(catalog, tmp_path):
    path = write(tmp_path, GENERIC)
    with Session(catalog) as s:
        report = import_history(s, path, timezone="Asia/Shanghai")
        s.commit()
    assert (report.orders_created, report.orders_skipped, report.lines, report.buyers_created) == (2, 0, 3, 2)
    assert report.marketplace == "history" and len(report.errors) == 7
    with Session(catalog) as s:
        again = import_history(s, path, timezone="Asia/Shanghai")
        s.commit()
        assert (again.orders_created, again.orders_skipped, again.lines) == (0, 2, 0)
        assert s.exec(select(func.count()).select_from(Order)).one() == 2
        assert s.exec(select(func.count()).select_from(OrderLine)).one() == 3
        lines = s.exec(select(OrderLine).order_by(OrderLine.id)).all()
        mug = s.exec(select(Variant).where(Variant.sku == "MUG-1")).one()
        assert [(line.sku, line.variant_id) for line in lines] == [("MUG-1", mug.id), ("BOWL-1", None), ("MUG-1", mug.id)]
        payments = s.exec(select(Payment.kind, Payment.amount_cents).order_by(Payment.id)).all()
        assert payments == [("payment", 2450), ("refund", 500), ("payment", 1000)]


def test_huge_numbers_are_their_rows_errors_not_the_files(catalog, tmp_path):
    path = write(tmp_path, "order_id,placed_at,sku,quantity,unit_price\n"
                           "A-1,2026-03-01,MUG-1,1,5.00\n"
                           "A-2,2026-03-01,MUG-1,99999999999999999999999,5.00\n"
                           "A-3,2026-03-01,MUG-1,1,99999999999999.00\n")
    with Session(catalog) as s:
        report = import_history(s, path)
        s.commit()
    assert [(e.row, e.column) for e in report.errors] == [(3, "quantity"), (4, "unit_price")]
    assert all("check the number" in e.reason for e in report.errors)
    with Session(catalog) as s:
        assert s.exec(select(Order.remote_id)).all() == ["A-1"]


def test_mapping_renames_columns(tmp_path):
    text = "Order No,Date,Item,Qty,Price\nX-1,2026-03-01T10:00:00+00:00,MUG-1,1,3.00\n"
    mapping = {"order_id": "Order No", "placed_at": "Date", "sku": "Item", "quantity": "Qty", "unit_price": "Price"}
    orders, errors, _ = read_history(write(tmp_path, text), mapping=mapping)
    assert errors == [] and orders[0].lines == [("MUG-1", "", 1, 300)]
    with pytest.raises(HistoryFileError, match=r"lacks order_id \(file column 'Order Number'\)"):
        read_history(write(tmp_path, text), mapping={**mapping, "order_id": "Order Number"})
    with pytest.raises(HistoryFileError, match="cannot map colour"):
        read_history(write(tmp_path, text), mapping={"colour": "Item"})


def test_shopify_export(catalog, tmp_path):
    path = write(tmp_path, SHOPIFY)
    with Session(catalog) as s:
        report = import_history(s, path, format="shopify", timezone="UTC")
        s.commit()
        assert [(e.row, e.column) for e in report.errors] == [(6, "Financial Status")]
        orders = {o.remote_id: o for o in s.exec(select(Order).where(Order.marketplace == "shopify"))}
        assert {k: (o.status, o.total_cents, o.paid_cents, o.refunded_cents) for k, o in orders.items()} == {
            "#1001": ("shipped", 3500, 3500, 0), "#1002": ("paid", 1200, 1200, 500), "#1003": ("cancelled", 1200, 0, 0)}
        assert orders["#1001"].placed_at == datetime(2026, 3, 1, 1, 59, tzinfo=UTC)
        buyers = {b.remote_id: b.name for b in s.exec(select(Buyer).where(Buyer.marketplace == "shopify"))}
        assert buyers == {"ann@example.com": "Ann Lee", "bob@example.com": "Bob", "cy@example.com": "Cy"}
        lines = s.exec(select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == orders["#1001"].id)).all()
        assert sorted(lines) == [("BOWL-1", 1), ("MUG-1", 2)]


def test_whole_file_problems(tmp_path):
    with pytest.raises(HistoryFileError, match="not found"):
        read_history(tmp_path / "missing.csv")
    with pytest.raises(HistoryFileError, match="not a Shopify orders export: it lacks Financial Status"):
        read_history(write(tmp_path, "Name,Created at,Currency,Lineitem quantity,Lineitem price\n"), format="shopify")
    with pytest.raises(HistoryFileError, match="unknown history format 'amazon'"):
        read_history(write(tmp_path, GENERIC), format="amazon")
