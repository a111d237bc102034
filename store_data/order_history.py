"""Order history from CSV exports: a documented generic format and Shopify's orders export.

Both have one row per order line; an order's rows share its id. Every bad row is reported
with its row number (the header is row 1), column and reason; an order with any bad row is
left out whole (half an order would distort every total), the good orders are imported.
Orders are keyed by (marketplace, remote id): importing the same file again changes nothing.

Generic format (column names are matched case-insensitively; `--map ours=theirs` renames):

  required  order_id     the order's id where it was sold
            placed_at    ISO 8601 date-time, e.g. 2026-03-01T14:05:00+08:00; without an
                         offset it is read in the shop's timezone
            sku          the SKU sold (matched to the catalog when known)
            quantity     whole number, 1 or more
            unit_price   amount per unit, e.g. 12.50
  optional  name         line name;  buyer  buyer id or e-mail;  buyer_name
            status       an order status (default delivered)
            currency     ISO code (default the shop's)
            refunded     amount refunded on the order;  refunded_at  when (default placed_at)

Order-level columns (placed_at, buyer, status, currency, refunded, refunded_at) may be
repeated on every row of an order or given once; given twice, they must agree.

Shopify's export puts the order's fields on its first row only. Its refunds carry no date:
a refund is dated when the order was cancelled, else when it was placed.
"""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from store_data.csv_rows import RowError, read_csv_rows
from store_data.errors import StoreDataError
from store_data.money import MAX_AMOUNT_CENTS, shown, to_cents
from store_data.orders import Buyer, Order, OrderLine, Payment
from store_data.shop import Variant
from store_data.status import OrderStatus

MAX_QUANTITY = 1_000_000
GENERIC_REQUIRED = ("order_id", "placed_at", "sku", "quantity", "unit_price")
GENERIC_OPTIONAL = ("name", "buyer", "buyer_name", "status", "currency", "refunded", "refunded_at")
ORDER_FIELDS = ("placed_at", "buyer", "buyer_name", "status", "currency", "refunded", "refunded_at")
# Shopify's header names -> the generic names (and the order fields only Shopify has).
SHOPIFY_COLUMNS = {
    "Name": "order_id", "Created at": "placed_at", "Lineitem sku": "sku", "Lineitem quantity": "quantity",
    "Lineitem price": "unit_price", "Lineitem name": "name", "Email": "buyer", "Billing Name": "buyer_name",
    "Currency": "currency", "Refunded Amount": "refunded", "Financial Status": "financial_status",
    "Fulfillment Status": "fulfillment_status", "Cancelled at": "cancelled_at", "Total": "total",
    "Outstanding Balance": "outstanding",
}
SHOPIFY_REQUIRED = ("Name", "Created at", "Financial Status", "Currency", "Lineitem quantity", "Lineitem price")
SHOPIFY_FINANCIAL = {"pending", "authorized", "paid", "partially_paid", "partially_refunded", "refunded",
                     "voided", "expired"}
FORMATS = ("generic", "shopify")
BATCH = 500


class HistoryFileError(StoreDataError):
    """The history file as a whole cannot be read (missing, no header, required column absent)."""


@dataclass
class HistoryOrder:
    """A validated order, ready to store."""

    remote_id: str
    placed_at: datetime
    status: str
    currency: str
    buyer: str
    buyer_name: str
    total_cents: int
    paid_cents: int
    refunded_cents: int
    refunded_at: datetime
    lines: list[tuple[str, str, int, int]]  # sku, name, quantity, unit price in cents


@dataclass
class HistoryImportReport:
    file: str
    format: str
    marketplace: str
    rows: int = 0
    orders_created: int = 0
    orders_skipped: int = 0  # imported before: left as they are
    lines: int = 0
    buyers_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_history(path: Path, format: str = "generic", mapping: dict[str, str] | None = None,
                 timezone: str = "UTC", currency: str = "USD") -> tuple[list[HistoryOrder], list[RowError], int]:
    """Parse and validate an order-history CSV; returns the good orders, the row errors and
    the number of data rows. `mapping` (generic only) maps our column names to the file's."""
    if format not in FORMATS:
        raise HistoryFileError(f"unknown history format '{format}'; use one of: {', '.join(FORMATS)}")
    path = Path(path)
    if not path.is_file():
        raise HistoryFileError(f"order history file not found: {path} (give the path to a .csv export)")
    table = read_csv_rows(path.read_text(encoding="utf-8-sig", errors="replace"))
    if table is None:
        raise HistoryFileError(f"{path.name} is empty; the first line must name the columns")
    names = _header_names([h.strip() for h in table.header], format, mapping or {}, path)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    errors: list[RowError] = list(table.errors)
    total = table.total
    for number, values in table.rows:
        record = {name: value.strip() for name, value in zip(names, values) if name}
        if not record.get("order_id"):
            errors.append(RowError(number, _column("order_id", format, mapping), "missing order id"))
            continue
        groups.setdefault(record["order_id"], []).append((number, record))
    orders = []
    tz = ZoneInfo(timezone)
    for order_id, rows in groups.items():
        order, order_errors = _order(order_id, rows, format, mapping, tz, currency)
        errors.extend(order_errors)
        if order is not None:
            orders.append(order)
    errors.sort(key=lambda e: e.row)
    return orders, errors, total


def _header_names(header: list[str], format: str, mapping: dict[str, str], path: Path) -> list[str]:
    """The generic name of each column of the file ('' for a column not used)."""
    if format == "shopify":
        known = {k.lower(): v for k, v in SHOPIFY_COLUMNS.items()}
        missing = [c for c in SHOPIFY_REQUIRED if c.lower() not in {h.lower() for h in header}]
        if missing:
            raise HistoryFileError(f"{path.name} is not a Shopify orders export: it lacks {', '.join(missing)}")
        return [known.get(h.lower(), "") for h in header]
    ours = GENERIC_REQUIRED + GENERIC_OPTIONAL
    unknown = [k for k in mapping if k not in ours]
    if unknown:
        raise HistoryFileError(f"cannot map {', '.join(unknown)}: the generic columns are {', '.join(ours)}")
    theirs = {v.strip().lower(): k for k, v in mapping.items()}
    names = [theirs.get(h.lower(), h.lower() if h.lower() in ours and h.lower() not in mapping else "")
             for h in header]
    missing = [c for c in GENERIC_REQUIRED if c not in names]
    if missing:
        wanted = ", ".join(f"{c} (file column '{mapping[c]}')" if c in mapping else c for c in missing)
        raise HistoryFileError(f"{path.name}: the header lacks {wanted}; required: {', '.join(GENERIC_REQUIRED)}; "
                               "map other names with --map ours=theirs")
    return names


def _column(name: str, format: str, mapping: dict[str, str] | None) -> str:
    """The file's name for one of our columns, for error messages."""
    if format == "shopify":
        return next((k for k, v in SHOPIFY_COLUMNS.items() if v == name), name)
    return (mapping or {}).get(name, name)


def _order(order_id: str, rows: list[tuple[int, dict[str, str]]], format: str, mapping, tz: ZoneInfo,
           currency: str) -> tuple[HistoryOrder | None, list[RowError]]:
    errors: list[RowError] = []

    def bad(number: int, column: str, reason: str) -> None:
        errors.append(RowError(number, _column(column, format, mapping), reason))

    fields: dict[str, tuple[int, str]] = {}
    lines = []
    extra = ("financial_status", "fulfillment_status", "cancelled_at", "total", "outstanding")
    for number, record in rows:
        for name in ORDER_FIELDS + extra:
            cell = record.get(name, "")
            if not cell:
                continue
            if name not in fields:
                fields[name] = (number, cell)
            elif fields[name][1] != cell and format == "generic":
                bad(number, name, f"'{cell}' differs from '{fields[name][1]}' on row {fields[name][0]} "
                    f"of the same order {order_id}")
        line = _line(number, record, bad)
        if line is not None:
            lines.append(line)
    value = {name: text for name, (_, text) in fields.items()}
    first = rows[0][0]
    placed_at = _when(value.get("placed_at", ""), tz, first, "placed_at", bad)
    money = {name: _amount(fields[name][1], fields[name][0], name, bad) if name in fields else 0
             for name in ("refunded", "total", "outstanding")}
    order_currency = value.get("currency", currency).upper()
    if len(order_currency) != 3 or not order_currency.isalpha():
        bad(fields.get("currency", (first,))[0], "currency", f"'{order_currency}' is not a 3-letter currency code")
    lines_total = sum(q * p for _, _, q, p in lines)
    if format == "shopify":
        status, paid = _shopify_status(value, fields, bad, money, lines_total)
        refund_date = "cancelled_at"
    else:
        status = value.get("status", OrderStatus.DELIVERED.value).lower()
        if status not in {s.value for s in OrderStatus}:
            bad(fields["status"][0], "status", f"unknown status '{status}'; use one of: "
                + ", ".join(s.value for s in OrderStatus))
        paid = 0 if status == OrderStatus.PENDING else lines_total
        refund_date = "refunded_at"
    refunded_at = placed_at
    if refund_date in fields:
        refunded_at = _when(fields[refund_date][1], tz, fields[refund_date][0], refund_date, bad)
    if money["refunded"] and money["refunded"] > paid:
        bad(fields["refunded"][0], "refunded", f"refunded {money['refunded'] / 100:.2f} is more than the "
            f"{paid / 100:.2f} paid for order {order_id}")
    if errors:
        numbers = ", ".join(str(n) for n in sorted({n for n, _ in rows} - {e.row for e in errors}))
        if numbers:
            errors.append(RowError(rows[0][0], _column("order_id", format, mapping),
                                   f"order {order_id} not imported because of its other rows; row(s) {numbers} wait"))
        return None, errors
    total = money["total"] if format == "shopify" and "total" in fields else lines_total
    buyer = value.get("buyer", "")
    return HistoryOrder(
        remote_id=order_id, placed_at=placed_at, status=status, currency=order_currency,
        buyer=buyer.lower() if "@" in buyer else buyer,  # e-mail addresses match whatever their case
        buyer_name=value.get("buyer_name", ""), total_cents=total, paid_cents=paid,
        refunded_cents=money["refunded"], refunded_at=refunded_at, lines=lines,
    ), []


def _line(number: int, record: dict[str, str], bad) -> tuple[str, str, int, int] | None:
    problems: list[str] = []

    def problem(row: int, column: str, reason: str) -> None:
        problems.append(reason)
        bad(row, column, reason)

    quantity_text = record.get("quantity", "")
    quantity = 0
    try:
        quantity = int(quantity_text)
        if quantity < 1:
            problem(number, "quantity", f"quantity must be 1 or more, not {quantity}")
        elif quantity > MAX_QUANTITY:
            problem(number, "quantity", f"quantity {shown(quantity)} is over {MAX_QUANTITY:,}; check the number")
    except ValueError:
        problem(number, "quantity", f"'{shown(quantity_text)}' is not a whole number" if quantity_text else "missing quantity")
    price = _amount(record.get("unit_price", ""), number, "unit_price", problem, required=True)
    if problems:
        return None
    return record.get("sku", ""), record.get("name", ""), quantity, price


def _amount(text: str, number: int, column: str, bad, required: bool = False) -> int:
    if not text:
        if required:
            bad(number, column, f"missing {column.replace('_', ' ')}; write it like 12.50")
        return 0
    try:
        cents = to_cents(text)
    except ValueError as exc:
        bad(number, column, str(exc))
        return 0
    if cents < 0:
        bad(number, column, f"negative amount ({shown(text)})")
        return 0
    # Past this a number is a typo, and one no database column holds would undo the file.
    if cents > MAX_AMOUNT_CENTS:
        bad(number, column, f"{shown(text)} is over {MAX_AMOUNT_CENTS // 100:,}; check the number")
        return 0
    return cents


def _when(text: str, tz: ZoneInfo, number: int, column: str, bad) -> datetime:
    if not text:
        bad(number, column, "missing date-time; write it like 2026-03-01 14:05:00+08:00")
        return datetime.min.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        bad(number, column, f"'{text}' is not a date-time; write it like 2026-03-01 14:05:00+08:00")
        return datetime.min.replace(tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)  # local time of the shop
    return moment.astimezone(UTC)


def _shopify_status(value: dict[str, str], fields, bad, money: dict[str, int], lines_total: int) -> tuple[str, int]:
    """Our status and the amount paid, from Shopify's financial and fulfilment status."""
    financial = value.get("financial_status", "").lower()
    if financial not in SHOPIFY_FINANCIAL:
        number = fields.get("financial_status", fields.get("placed_at", (0,)))[0]
        bad(number, "financial_status", f"unknown Financial Status '{financial}'; expected one of: "
            + ", ".join(sorted(SHOPIFY_FINANCIAL)))
        return OrderStatus.PENDING.value, 0
    total = money["total"] if "total" in fields else lines_total
    paid = 0 if financial in ("pending", "authorized", "voided", "expired") else max(total - money["outstanding"], 0)
    if value.get("cancelled_at") or financial in ("voided", "expired"):
        return OrderStatus.CANCELLED.value, paid
    if financial in ("pending", "authorized"):
        return OrderStatus.PENDING.value, paid
    if financial == "refunded":
        return OrderStatus.REFUNDED.value, paid
    if value.get("fulfillment_status", "").lower() in ("fulfilled", "partial"):
        return OrderStatus.SHIPPED.value, paid
    return OrderStatus.PAID.value, paid


def import_history(session: Session, path: Path, format: str = "generic", mapping: dict[str, str] | None = None,
                   marketplace: str | None = None, timezone: str = "UTC", currency: str = "USD") -> HistoryImportReport:
    """Validate an order-history CSV and store its good orders with their lines, payments,
    refunds and buyers. Orders already imported are left as they are; the caller commits."""
    orders, errors, total = read_history(path, format, mapping, timezone, currency)
    market = marketplace or ("shopify" if format == "shopify" else "history")
    report = HistoryImportReport(file=str(path), format=format, marketplace=market, rows=total, errors=errors)
    known = set(session.exec(select(Order.remote_id).where(Order.marketplace == market)))
    new = [o for o in orders if o.remote_id not in known]
    report.orders_skipped = len(orders) - len(new)
    buyers = _buyers(session, market, new, report)
    skus = sorted({line[0] for order in new for line in order.lines})
    variants = {sku: id_ for sku, id_ in
                session.exec(select(Variant.sku, Variant.id).where(col(Variant.sku).in_(skus))).all()}
    for batch_start in range(0, len(new), BATCH):
        batch = new[batch_start:batch_start + BATCH]
        records = [Order(marketplace=market, remote_id=o.remote_id, buyer_id=buyers[o.buyer].id if o.buyer else None,
                         status=o.status, currency=o.currency, total_cents=o.total_cents, paid_cents=o.paid_cents,
                         refunded_cents=o.refunded_cents, placed_at=o.placed_at, updated_at=o.placed_at)
                   for o in batch]
        session.add_all(records)
        session.flush()
        for order, record in zip(batch, records):
            _children(session, order, record, variants)
            report.lines += len(order.lines)
        report.orders_created += len(batch)
    session.flush()
    return report


def _buyers(session: Session, market: str, orders: list[HistoryOrder], report: HistoryImportReport) -> dict[str, Buyer]:
    wanted = {o.buyer: o.buyer_name for o in orders if o.buyer}
    buyers = {b.remote_id: b for b in session.exec(select(Buyer).where(Buyer.marketplace == market,
                                                                       col(Buyer.remote_id).in_(wanted)))}
    for remote_id, name in wanted.items():
        if remote_id not in buyers:
            buyers[remote_id] = Buyer(marketplace=market, remote_id=remote_id, name=name,
                                      email=remote_id if "@" in remote_id else "")
            session.add(buyers[remote_id])
            report.buyers_created += 1
    session.flush()
    return buyers


def _children(session: Session, order: HistoryOrder, record: Order, variants: dict[str, int | None]) -> None:
    assert record.id is not None, "lines and payments are added to a flushed order"
    for number, (sku, name, quantity, price) in enumerate(order.lines):
        session.add(OrderLine(order_id=record.id, variant_id=variants.get(sku), sku=sku, name=name,
                              quantity=quantity, unit_price_cents=price, remote_id=f"{order.remote_id}/{number}"))
    if order.paid_cents:
        session.add(Payment(order_id=record.id, kind="payment", amount_cents=order.paid_cents,
                            remote_id=f"{order.remote_id}/payment", created_at=order.placed_at))
    if order.refunded_cents:
        session.add(Payment(order_id=record.id, kind="refund", amount_cents=order.refunded_cents,
                            remote_id=f"{order.remote_id}/refund", created_at=order.refunded_at))
