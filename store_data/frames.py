"""Read queries that return pandas DataFrames, for analytics.

Bulk reads go through Core selects and the driver's plain row tuples, never ORM objects:
a million orders load in seconds this way. Datetime columns are read as the database gives them
(text in SQLite) and parsed in one vectorised pass into UTC `datetime64`.
Money stays in integer cents.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, String, and_, label, select, true, type_coerce
from sqlalchemy.engine import Engine
from sqlmodel import col

from store_data.listing_stats import ListingStat
from store_data.orders import Order, OrderLine, Payment
from store_data.shop import Asset, Product, Variant
from store_data.status import OrderStatus

# Orders that are not sales: never paid, or called off before anything shipped.
NOT_SALES = (OrderStatus.PENDING.value, OrderStatus.CANCELLED.value)


@dataclass
class SalesFrames:
    """Everything the sales KPIs are computed from."""

    orders: pd.DataFrame
    lines: pd.DataFrame
    refunds: pd.DataFrame
    earlier_buyers: pd.DataFrame
    stock: pd.DataFrame
    listing_stats: pd.DataFrame


def utc_column(values: pd.Series) -> pd.Series:
    """A column of stored datetimes (SQLite text or driver datetimes) as UTC datetime64."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    # SQLite stores UTC without an offset; ISO8601 parsing is the vectorised C path.
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _read(engine: Engine, statement, dtypes: dict[str, str], datetimes: tuple[str, ...] = ()) -> pd.DataFrame:
    # The shop's own connection and driver: a second SQLite library in this process (an
    # Arrow reader links its own) would remove the write-ahead log that the shop's
    # connections still write through, and later writes would be lost.
    with engine.connect() as connection:
        result = connection.execute(statement)
        columns = list(result.keys())
        rows = result.cursor.fetchall() if result.cursor is not None else []  # driver tuples, no Row objects
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column, dtype in dtypes.items():
        frame[column] = frame[column].astype(dtype)
    for column in datetimes:
        frame[column] = utc_column(frame[column])
    return frame


def _as_text(column):
    """Skip the per-row datetime conversion of the ORM type; utc_column parses in bulk."""
    return type_coerce(column, String).label(column.key)


def _window(column, since: datetime | None, until: datetime | None):
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return and_(true(), *conditions)


def orders_frame(engine: Engine, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """Orders placed in [since, until): order_id, buyer_id, status, currency, refunded_cents,
    placed_at (UTC), sorted by order_id."""
    statement = (
        select(label("order_id", col(Order.id)), col(Order.buyer_id), col(Order.status), col(Order.currency),
               col(Order.refunded_cents), _as_text(Order.placed_at))
        .where(_window(Order.placed_at, since, until))
        .order_by(col(Order.id))
    )
    return _read(engine, statement,
                 {"order_id": "int64", "buyer_id": "Int64", "status": "category", "currency": "category",
                  "refunded_cents": "int64"},
                 ("placed_at",))


def lines_frame(engine: Engine, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """Lines of the orders placed in [since, until): order_id, variant_id (nullable), sku,
    quantity, unit_price_cents."""
    statement = (
        select(col(OrderLine.order_id), col(OrderLine.variant_id), col(OrderLine.sku), col(OrderLine.quantity),
               col(OrderLine.unit_price_cents))
        .join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(_window(Order.placed_at, since, until))
    )
    return _read(engine, statement,
                 {"order_id": "int64", "variant_id": "Int64", "sku": "category", "quantity": "int64",
                  "unit_price_cents": "int64"})


def refunds_frame(engine: Engine, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """Refund payments made in [since, until): order_id, amount_cents, refunded_at (UTC), and
    the order's status and currency."""
    statement = (
        select(col(Payment.order_id), col(Payment.amount_cents), _as_text(Payment.created_at).label("refunded_at"),
               col(Order.status), col(Order.currency))
        .join(Order, col(Order.id) == col(Payment.order_id))
        .where(col(Payment.kind) == "refund", _window(Payment.created_at, since, until))
    )
    return _read(engine, statement,
                 {"order_id": "int64", "amount_cents": "int64", "status": "category", "currency": "category"},
                 ("refunded_at",))


def earlier_buyers_frame(engine: Engine, before: datetime | None) -> pd.DataFrame:
    """Buyers with a sales order placed before `before` (none when `before` is None): buyer_id."""
    if before is None:
        return pd.DataFrame({"buyer_id": pd.Series([], dtype="int64")})
    # No DISTINCT in SQL: SQLite would then walk the buyer index over every order instead
    # of the placed_at range; the ids are de-duplicated here.
    statement = select(col(Order.buyer_id)).where(
        col(Order.placed_at) < before, col(Order.buyer_id).is_not(None), col(Order.status).not_in(NOT_SALES))
    return _read(engine, statement, {"buyer_id": "int64"}).drop_duplicates(ignore_index=True)


def stock_frame(engine: Engine) -> pd.DataFrame:
    """Every variant with its product: variant_id, sku, product_id, handle, name, category,
    cost_cents, price_cents (nullable), stock, reserved, has_clip (a promo clip exists)."""
    clips = (select(col(Asset.product_id))
             .where(col(Asset.kind) == "clip", col(Asset.product_id).is_not(None)).distinct())
    statement = (
        select(label("variant_id", col(Variant.id)), col(Variant.sku), col(Variant.product_id), col(Product.handle),
               col(Product.name), col(Product.category), col(Variant.cost_cents), col(Variant.price_cents),
               col(Variant.stock), col(Variant.reserved), col(Variant.product_id).in_(clips).label("has_clip"))
        .join(Product, col(Product.id) == col(Variant.product_id))
        .order_by(col(Variant.id))
    )
    return _read(engine, statement,
                 {"variant_id": "int64", "product_id": "int64", "cost_cents": "int64", "price_cents": "Int64",
                  "stock": "int64", "reserved": "int64", "has_clip": "bool"})


def listing_stats_frame(engine: Engine, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
    """Marketplace traffic per listing and day in [first_day, last_day]: day, sku, listing,
    visits, add_to_carts, orders."""
    conditions: list[ColumnElement[bool]] = []
    if first_day is not None:
        conditions.append(col(ListingStat.day) >= first_day)
    if last_day is not None:
        conditions.append(col(ListingStat.day) <= last_day)
    statement = select(col(ListingStat.day), col(ListingStat.sku), label("listing", col(ListingStat.listing_remote_id)),
                       col(ListingStat.visits), col(ListingStat.add_to_carts),
                       col(ListingStat.orders)).where(and_(true(), *conditions))
    frame = _read(engine, statement, {"visits": "int64", "add_to_carts": "int64", "orders": "int64"})
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
    return frame


def platform_totals(engine: Engine, currency: str, since: datetime | None = None,
                    until: datetime | None = None) -> pd.DataFrame:
    """Per platform the orders came from, over [since, until), by the KPIs' definitions (sales in
    `currency`, refunds on sales made then): marketplace, orders, units, gross_cents,
    refunds_cents, net_cents; sorted by gross, largest first."""
    sale = and_(col(Order.currency) == currency, col(Order.status).not_in(NOT_SALES))
    sold = _read(engine, select(col(Order.marketplace), col(Order.id).label("order_id"), col(OrderLine.quantity),
                                (col(OrderLine.quantity) * col(OrderLine.unit_price_cents)).label("gross_cents"))
                 .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
                 .where(sale, _window(Order.placed_at, since, until)),
                 {"marketplace": "str", "order_id": "int64", "quantity": "int64", "gross_cents": "int64"})
    refunded = _read(engine, select(col(Order.marketplace), col(Payment.amount_cents))
                     .join(Order, col(Order.id) == col(Payment.order_id))
                     .where(col(Payment.kind) == "refund", sale, _window(Payment.created_at, since, until)),
                     {"marketplace": "str", "amount_cents": "int64"})
    table = sold.groupby("marketplace").agg(orders=("order_id", "nunique"), units=("quantity", "sum"),
                                            gross_cents=("gross_cents", "sum"))
    refunds = refunded.groupby("marketplace")["amount_cents"].sum().rename("refunds_cents")
    table = table.join(refunds, how="outer").fillna(0).astype("int64")
    table["net_cents"] = table["gross_cents"] - table["refunds_cents"]
    return table.sort_values("gross_cents", ascending=False, kind="stable").reset_index()


def sales_frames(engine: Engine, since: datetime | None = None, until: datetime | None = None) -> SalesFrames:
    """The frames for KPIs over [since, until): orders and lines placed then, refunds made
    then, the buyers who bought before `since`, the current stock and marketplace traffic."""
    return SalesFrames(
        orders=orders_frame(engine, since, until),
        lines=lines_frame(engine, since, until),
        refunds=refunds_frame(engine, since, until),
        earlier_buyers=earlier_buyers_frame(engine, since),
        stock=stock_frame(engine),
        # Marketplace days need not match the shop's: a day of margin each side.
        listing_stats=listing_stats_frame(engine, since.date() - timedelta(days=1) if since else None,
                                          until.date() + timedelta(days=1) if until else None),
    )
