"""Sales analytics at scale: 1M orders (about 2.5M lines), synthetic.

Prints the time of the report's aggregates with pandas (tools.analytics.kpis) and of the
same aggregates with DuckDB on the same frames, their ratio, the totals of both (they must
agree), peak memory, and the time to load the orders from a SQLite shop database into the
frames. Targets: aggregates <= 2 s and <= 2x DuckDB; load <= 10 s; peak memory <= 2 GB.

    .venv/bin/python bench/analytics.py [--orders 1000000] [--skip-load]
"""

import argparse
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from sqlalchemy import JSON, String
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from store_data.db import make_engine, sqlite_url
from store_data.frames import SalesFrames, sales_frames
from store_data.orders import Buyer, Order, OrderLine, Payment
from store_data.shop import Product, Variant
from tools.analytics.kpis import Period, compute_kpis

T = TypeVar("T")
TZ = "Asia/Shanghai"
END = date(2026, 10, 31)
DAYS = 30  # the report's period; orders span it and the period before
SKUS, PRODUCTS, CATEGORIES, BUYERS = 2000, 400, 40, 200_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(orders: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Vectorised synthetic shop: orders, lines, refunds, stock, first orders, traffic."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(END - pd.Timedelta(days=2 * DAYS - 1), tz=TZ).tz_convert("UTC")
    seconds = np.sort(rng.integers(0, 2 * DAYS * 86400, orders))
    placed = pd.to_datetime(start.value // 1000 + seconds * 1_000_000, unit="us", utc=True)
    status = rng.choice(np.array(["delivered", "shipped", "paid", "cancelled", "pending"]), orders,
                        p=[0.6, 0.2, 0.17, 0.02, 0.01])
    per_order = 1 + rng.poisson(1.5, orders)
    order_of_line = np.repeat(np.arange(1, orders + 1), per_order)
    n_lines = len(order_of_line)
    sku_code = (rng.zipf(1.3, n_lines) - 1) % SKUS  # a few best sellers, a long tail
    price = 500 + (np.arange(SKUS) * 7919) % 20000
    quantity = 1 + rng.poisson(0.3, n_lines)
    line_value = quantity * price[sku_code]
    totals = np.bincount(order_of_line - 1, weights=line_value, minlength=orders).astype(np.int64)
    refunded = np.where(rng.random(orders) < 0.03, totals // 2, 0)
    skus = np.array([f"SKU-{i:05d}" for i in range(SKUS)])
    refund_ids = np.flatnonzero(refunded) + 1
    refunds = pd.DataFrame({
        "order_id": refund_ids, "amount_cents": refunded[refund_ids - 1],
        "refunded_at": placed[refund_ids - 1] + pd.to_timedelta(rng.integers(0, 10 * 86400, len(refund_ids)), unit="s"),
        "status": pd.Categorical(status[refund_ids - 1]), "currency": pd.Categorical(["USD"] * len(refund_ids)),
    })
    buyer = rng.integers(1, BUYERS + 1, orders)
    frame_orders = pd.DataFrame({
        "order_id": np.arange(1, orders + 1), "buyer_id": pd.array(buyer, dtype="Int64"),
        "status": pd.Categorical(status), "currency": pd.Categorical(["USD"] * orders),
        "refunded_cents": refunded, "placed_at": placed,
    })
    days = pd.date_range(END - pd.Timedelta(days=2 * DAYS - 1), END, freq="D")
    return {
        "orders": frame_orders,
        "lines": pd.DataFrame({"order_id": order_of_line, "variant_id": pd.array(sku_code + 1, dtype="Int64"),
                               "sku": pd.Categorical.from_codes(sku_code, categories=skus), "quantity": quantity,
                               "unit_price_cents": price[sku_code]}),
        "refunds": refunds,
        # Every order lies in the two periods: nobody bought before them.
        "earlier_buyers": pd.DataFrame({"buyer_id": pd.Series([], dtype="int64")}),
        "stock": pd.DataFrame({
            "variant_id": np.arange(1, SKUS + 1), "sku": skus, "product_id": np.arange(SKUS) % PRODUCTS + 1,
            "handle": [f"product-{i % PRODUCTS}" for i in range(SKUS)], "name": [f"Product {i % PRODUCTS}" for i in range(SKUS)],
            "category": [f"category-{i % CATEGORIES}" for i in range(SKUS)], "cost_cents": price * 6 // 10,
            "price_cents": pd.array(price, dtype="Int64"), "stock": rng.integers(0, 500, SKUS),
            "reserved": np.zeros(SKUS, dtype=np.int64), "has_clip": np.zeros(SKUS, dtype=bool)}),
        "listing_stats": pd.DataFrame({
            "day": np.repeat(days.to_numpy(), SKUS), "sku": np.tile(skus, len(days)),
            "listing": np.tile(np.arange(SKUS).astype(str), len(days)),
            "visits": rng.integers(0, 400, SKUS * len(days)), "add_to_carts": rng.integers(0, 40, SKUS * len(days)),
            "orders": rng.integers(0, 20, SKUS * len(days))}),
    }


DUCK_SQL = """
CREATE OR REPLACE TEMP TABLE so AS
  SELECT order_id, buyer_id, CAST(timezone('{tz}', placed_at) AS DATE) AS day, refunded_cents > 0 AS refunded
  FROM orders WHERE status NOT IN ('pending', 'cancelled') AND currency = 'USD'
    AND CAST(timezone('{tz}', placed_at) AS DATE) BETWEEN DATE '{first}' AND DATE '{last}';
CREATE OR REPLACE TEMP TABLE sl AS
  SELECT so.day, so.order_id, so.refunded, l.sku, l.quantity, l.quantity * l.unit_price_cents AS value,
         l.quantity * (l.unit_price_cents - s.cost_cents) AS margin, s.handle, s.category
  FROM lines l JOIN so USING (order_id) LEFT JOIN stock s ON s.sku = CAST(l.sku AS VARCHAR);
"""
DUCK_QUERIES = {
    "daily": """SELECT d.day, d.orders, coalesce(v.gross, 0), coalesce(v.units, 0), coalesce(v.margin, 0),
                       coalesce(r.refunds, 0), coalesce(t.visits, 0), coalesce(t.orders, 0),
                       avg(coalesce(v.gross, 0)) OVER (ORDER BY d.day ROWS BETWEEN 7 PRECEDING AND 1 PRECEDING) AS baseline
                FROM (SELECT day, count(*) AS orders FROM so GROUP BY day) d
                LEFT JOIN (SELECT day, sum(value) AS gross, sum(quantity) AS units, sum(margin) AS margin FROM sl GROUP BY day) v USING (day)
                LEFT JOIN (SELECT CAST(timezone('{tz}', refunded_at) AS DATE) AS day, sum(amount_cents) AS refunds FROM refunds
                           WHERE status NOT IN ('pending', 'cancelled') GROUP BY 1) r USING (day)
                LEFT JOIN (SELECT CAST(day AS DATE) AS day, sum(visits) AS visits, sum(orders) AS orders FROM listing_stats GROUP BY 1) t USING (day)
                ORDER BY d.day""",
    "skus": """SELECT s.sku, coalesce(n.units, 0), coalesce(n.gross, 0), coalesce(n.orders, 0), coalesce(n.refunded, 0),
                      coalesce(n.margin, 0), coalesce(p.gross, 0), coalesce(t.visits, 0),
                      (s.stock - s.reserved) / nullif(coalesce(n.units, 0) / {days}, 0) AS cover
               FROM stock s
               LEFT JOIN (SELECT sku, sum(quantity) AS units, sum(value) AS gross, count(DISTINCT order_id) AS orders,
                                 count(DISTINCT CASE WHEN refunded THEN order_id END) AS refunded, sum(margin) AS margin
                          FROM sl WHERE day >= DATE '{start}' GROUP BY sku) n ON CAST(n.sku AS VARCHAR) = s.sku
               LEFT JOIN (SELECT sku, sum(value) AS gross FROM sl WHERE day < DATE '{start}' GROUP BY sku) p ON CAST(p.sku AS VARCHAR) = s.sku
               LEFT JOIN (SELECT sku, sum(visits) AS visits, sum(orders) AS orders FROM listing_stats
                          WHERE day >= TIMESTAMP '{start}' GROUP BY sku) t ON t.sku = s.sku""",
    "products": """SELECT handle, sum(quantity), sum(value), count(DISTINCT order_id),
                          count(DISTINCT CASE WHEN refunded THEN order_id END), sum(margin)
                   FROM sl WHERE day >= DATE '{start}' GROUP BY handle""",
    "categories": """SELECT category, sum(quantity), sum(value), count(DISTINCT order_id),
                            count(DISTINCT CASE WHEN refunded THEN order_id END), sum(margin)
                     FROM sl WHERE day >= DATE '{start}' GROUP BY category""",
    "repeat": """SELECT count(*), count(*) FILTER (WHERE n >= 2 OR buyer_id IN (SELECT buyer_id FROM so WHERE day < DATE '{start}')
                                              OR buyer_id IN (SELECT buyer_id FROM earlier_buyers))
                 FROM (SELECT buyer_id, count(*) AS n FROM so WHERE day >= DATE '{start}' AND buyer_id IS NOT NULL GROUP BY buyer_id) b""",
}


def run_duckdb(data: dict[str, pd.DataFrame], period: Period) -> dict[str, list]:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    for name, frame in data.items():
        connection.register(name, frame)
    values = dict(tz=TZ, first=period.before().first, last=period.last, start=period.first, days=period.days)
    connection.execute(DUCK_SQL.format(**values))
    return {name: connection.execute(sql.format(**values)).fetchall() for name, sql in DUCK_QUERIES.items()}


def timed(function: Callable[[], T], repeat: int) -> tuple[float, T]:
    times = []
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def _insert(connection: sqlite3.Connection, model: type[SQLModel], columns: dict[str, list]) -> None:
    """executemany into `model`'s table; its other NOT NULL columns take their scalar defaults,
    so a column added to the model later needs no change here."""
    table = model.__table__  # type: ignore[attr-defined]  # sqlmodel declares no __table__; a table model has one
    names = list(columns)
    fixed: dict[str, object] = {}
    for column in table.columns:
        if column.name in columns or column.primary_key or column.nullable:
            continue
        if column.default is not None and column.default.is_scalar:
            fixed[column.name] = column.default.arg
        elif isinstance(column.type, JSON):
            fixed[column.name] = "{}"
        elif isinstance(column.type, UTCDateTime):
            fixed[column.name] = "2026-01-01 00:00:00.000000"
        elif isinstance(column.type, (String, AutoString)):
            fixed[column.name] = ""
        else:
            raise SystemExit(f"bench: no value for {table.name}.{column.name}; add one to write_sqlite")
    statement = (f'INSERT INTO "{table.name}" ({", ".join(names + list(fixed))}) '
                 f'VALUES ({", ".join(["?"] * len(names) + ["?"] * len(fixed))})')
    constants = tuple(fixed.values())
    connection.executemany(statement, (row + constants for row in zip(*columns.values())))


def write_sqlite(data: dict[str, pd.DataFrame], folder: Path):
    """The shop database with the generated orders, through executemany on the raw connection."""
    engine = make_engine(sqlite_url(folder / "shop.db"))  # creates the tables
    engine.dispose()
    connection = sqlite3.connect(folder / "shop.db")
    connection.execute("PRAGMA synchronous=OFF")

    def stamps(series: pd.Series) -> list[str]:
        return list(series.dt.strftime("%Y-%m-%d %H:%M:%S.%f"))

    stock = data["stock"]
    products = stock.drop_duplicates("product_id")
    _insert(connection, Product, {
        "id": products["product_id"].tolist(), "handle": products["handle"].tolist(),
        "name": products["name"].tolist(), "category": products["category"].tolist()})
    _insert(connection, Variant, {
        "id": stock["variant_id"].tolist(), "sku": stock["sku"].tolist(), "product_id": stock["product_id"].tolist(),
        "cost_cents": stock["cost_cents"].tolist(), "price_cents": stock["price_cents"].astype("int64").tolist(),
        "stock": stock["stock"].tolist(), "reserved": stock["reserved"].tolist()})
    buyers = np.arange(1, BUYERS + 1).tolist()
    _insert(connection, Buyer, {"id": buyers, "marketplace": ["bench"] * BUYERS,
                                          "remote_id": [str(b) for b in buyers]})
    orders = data["orders"]
    placed = stamps(orders["placed_at"])
    lines = data["lines"]
    values = lines["quantity"].to_numpy() * lines["unit_price_cents"].to_numpy()
    totals = np.bincount(lines["order_id"].to_numpy() - 1, weights=values, minlength=len(orders)).astype(np.int64)
    _insert(connection, Order, {
        "id": orders["order_id"].tolist(), "marketplace": ["bench"] * len(orders),
        "remote_id": [str(i) for i in orders["order_id"].tolist()], "buyer_id": orders["buyer_id"].astype("int64").tolist(),
        "status": orders["status"].astype(str).tolist(), "currency": ["USD"] * len(orders),
        "total_cents": totals.tolist(), "paid_cents": totals.tolist(),
        "refunded_cents": orders["refunded_cents"].tolist(), "placed_at": placed, "updated_at": placed})
    _insert(connection, OrderLine, {
        "order_id": lines["order_id"].tolist(), "variant_id": lines["variant_id"].astype("int64").tolist(),
        "sku": lines["sku"].astype(str).tolist(), "quantity": lines["quantity"].tolist(),
        "unit_price_cents": lines["unit_price_cents"].tolist()})
    refunds = data["refunds"]
    _insert(connection, Payment, {
        "order_id": refunds["order_id"].tolist(), "kind": ["refund"] * len(refunds),
        "amount_cents": refunds["amount_cents"].tolist(), "created_at": stamps(refunds["refunded_at"])})
    connection.commit()
    connection.close()
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-load", action="store_true", help="skip the SQLite load timing")
    args = parser.parse_args()
    period = Period.ending(END, DAYS)

    began = time.perf_counter()
    data = generate(args.orders)
    print(f"generated {len(data['orders']):,} orders, {len(data['lines']):,} lines, {len(data['refunds']):,} refunds "
          f"in {time.perf_counter() - began:.2f} s (peak RSS so far {peak_mb():,.0f} MB)")
    frames = SalesFrames(**data)

    pandas_s, kpis = timed(lambda: compute_kpis(frames, period, TZ, "USD"), args.repeat)
    print(f"pandas  report aggregates: {pandas_s:.3f} s (median of {args.repeat}); peak RSS {peak_mb():,.0f} MB")
    duck_s, duck = timed(lambda: run_duckdb(data, period), args.repeat)
    print(f"DuckDB  same aggregates:   {duck_s:.3f} s (median of {args.repeat}, {duckdb.__version__}); "
          f"pandas/DuckDB = {pandas_s / duck_s:.2f}x")
    _check(kpis, duck, period)

    if not args.skip_load:
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            engine = write_sqlite(data, Path(folder))
            print(f"wrote the SQLite shop database (executemany) in {time.perf_counter() - began:.1f} s, "
                  f"{(Path(folder) / 'shop.db').stat().st_size / 2**20:,.0f} MB")
            del frames, data
            since, _ = period.before().utc_bounds(kpis_zone())
            _, until = period.utc_bounds(kpis_zone())
            began = time.perf_counter()
            loaded = sales_frames(engine, since, until)
            load_s = time.perf_counter() - began
            print(f"loaded {len(loaded.orders):,} orders and {len(loaded.lines):,} lines into frames in {load_s:.2f} s; "
                  f"peak RSS {peak_mb():,.0f} MB")
            began = time.perf_counter()
            again = compute_kpis(loaded, period, TZ, "USD")
            print(f"KPIs from the loaded frames: {time.perf_counter() - began:.3f} s; gross {again.summary['gross_cents']:,} "
                  f"(in memory: {kpis.summary['gross_cents']:,})")
            engine.dispose()
    print(f"peak RSS of the whole run: {peak_mb():,.0f} MB")


def kpis_zone():
    from zoneinfo import ZoneInfo
    return ZoneInfo(TZ)


def _check(kpis, duck: dict[str, list], period: Period) -> None:
    """Both engines must give the same numbers."""
    daily = {row[0]: row for row in duck["daily"]}
    current = [row for day, row in daily.items() if day >= period.first]
    gross = sum(row[2] for row in current)
    orders = sum(row[1] for row in current)
    categories = {row[0]: row[3] for row in duck["categories"]}
    pandas_categories = kpis.breakdowns.categories["orders"].to_dict()
    repeat = duck["repeat"][0]
    same = (gross == kpis.summary["gross_cents"] and orders == kpis.summary["orders"]
            and all(pandas_categories.get(k) == v for k, v in categories.items())
            and (repeat[0], repeat[1]) == (kpis.summary["buyers"], kpis.summary["repeat_buyers"]))
    print(f"check: gross {kpis.summary['gross_cents']:,} vs {gross:,}, orders {kpis.summary['orders']:,} vs {orders:,}, "
          f"buyers {kpis.summary['buyers']:,}/{kpis.summary['repeat_buyers']:,} vs {repeat[0]:,}/{repeat[1]:,}, "
          f"orders per category {'equal' if all(pandas_categories.get(k) == v for k, v in categories.items()) else 'DIFFER'}"
          f" -> {'same' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
