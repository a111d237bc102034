"""Import the τ² retail records (50 products, 591 variants, 500 buyers, 1,000 orders) as a
large sample shop.

The records carry no costs, stock counts or dates. They are filled in deterministically
and said so: cost is `cost_ratio` of the price, an available variant has `stock_available`
units, and orders are spread over the `days` before `end` by a seeded generator.

The same records loaded into the sandbox (`marketplace load-tau`) make the platform side of
the same shop, so both use one set of names: SKUs `tau-<item id>`, order numbers without
τ²'s '#', buyers keyed by e-mail, payments numbered as the platform numbers them, and the
orders belong to `marketplace` (the sandbox by default), where the order tools find them.
"""

import gzip
import json
import random
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from store_data.errors import CatalogFileError
from store_data.money import to_cents
from store_data.orders import Buyer, Order, OrderLine, Payment, Shipment
from store_data.shop import Product, Variant
from store_data.status import OrderStatus

# τ² statuses to ours: "processed" orders carry tracking ids, so they have shipped.
STATUS_MAP = {
    "pending": OrderStatus.PAID,
    "processed": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "cancelled": OrderStatus.CANCELLED,
}
MARKETPLACE = "sandbox"  # the platform `marketplace load-tau` serves the same records on
# The records ship with the project (MIT; see samples/tau_retail/PROVENANCE.md).
SAMPLE_FILE = Path(__file__).resolve().parent / "samples" / "tau_retail" / "db.json.gz"


@dataclass
class TauImportReport:
    products: int = 0
    variants: int = 0
    buyers: int = 0
    orders: int = 0
    skipped_existing_orders: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def import_tau(
    session: Session,
    path: Path,
    cost_ratio: float = 0.6,
    stock_available: int = 25,
    days: int = 90,
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    seed: int = 7,
    marketplace: str = MARKETPLACE,
) -> TauImportReport:
    """Load db.json into the shop's tables; records already present are left as they are."""
    try:
        data = json.loads(read_records(Path(path)))
        products, users, orders = data["products"], data["users"], data["orders"]
    except FileNotFoundError:
        raise CatalogFileError(f"τ² records not found: {path} (give the path to tau_retail/db.json)") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CatalogFileError(f"{path} is not a τ² retail db.json ({exc.__class__.__name__}: {exc})") from None
    report = TauImportReport()
    variants = _import_products(session, products, cost_ratio, stock_available, report)
    buyers = _import_buyers(session, users, marketplace, report)
    _import_orders(session, orders, variants, buyers, days, end, seed, marketplace, report)
    return report


def read_records(path: Path) -> str:
    """The text of a db.json, gzip-compressed when its name ends in .gz."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as file:
            return file.read()
    return path.read_text(encoding="utf-8")


def _import_products(session, products: dict, cost_ratio: float, stock_available: int, report) -> dict[str, Variant]:
    existing = {v.sku: v for v in session.exec(select(Variant).where(col(Variant.sku).like("tau-%")))}
    for product_id, record in sorted(products.items()):
        handle = f"tau-{product_id}"
        product = session.exec(select(Product).where(Product.handle == handle)).first()
        if product is None:
            product = Product(handle=handle, name=record["name"], category=record["name"],
                              source="tau_retail db.json", language="en")
            session.add(product)
            session.flush()
            report.products += 1
        for item_id, variant in sorted(record["variants"].items()):
            sku = tau_sku(item_id)
            if sku in existing:
                continue
            price = to_cents(str(variant["price"]))
            existing[sku] = Variant(sku=sku, product_id=product.id, options=variant["options"],
                                    price_cents=price, cost_cents=round(price * cost_ratio),
                                    stock=stock_available if variant["available"] else 0)
            session.add(existing[sku])
            report.variants += 1
    session.flush()
    return existing


def tau_sku(item_id: str) -> str:
    """The SKU of a τ² variant, in the shop's catalog and on the sandbox alike."""
    return f"tau-{item_id}"


def order_number(order_id: str) -> str:
    """A τ² order id ('#W2611340') as the platform numbers it ('W2611340')."""
    return order_id.lstrip("#")


def shop_address(name: str, address: dict[str, str]) -> dict[str, str]:
    """A τ² address in the keys the shop's address changes use."""
    return {"name": name, "address1": address.get("address1", ""), "address2": address.get("address2", ""),
            "city": address.get("city", ""), "region": address.get("state", ""),
            "postcode": address.get("zip", ""), "country": address.get("country", "")}


def payment_methods(user: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A buyer's payment methods: id -> source, and a gift card's balance in cents."""
    methods: dict[str, dict[str, Any]] = {}
    for method_id, method in user.get("payment_methods", {}).items():
        methods[method_id] = {"source": method["source"]}
        if method["source"] == "gift_card":
            methods[method_id]["balance_cents"] = to_cents(str(method.get("balance", 0)))
    return methods


def _import_buyers(session, users: dict, marketplace: str, report) -> dict[str, Buyer]:
    """Buyers keyed by e-mail, as the order sync keys the platform's buyers; returned by τ² user id."""
    known = {b.remote_id: b for b in session.exec(select(Buyer).where(Buyer.marketplace == marketplace))}
    buyers: dict[str, Buyer] = {}
    for user_id, user in sorted(users.items()):
        email = user.get("email", "").lower()
        if email in known:
            buyers[user_id] = known[email]
            continue
        name = f"{user['name']['first_name']} {user['name']['last_name']}"
        buyers[user_id] = known[email] = Buyer(
            marketplace=marketplace, remote_id=email, name=name, email=email,
            address=shop_address(name, user.get("address", {})), payment_methods=payment_methods(user))
        session.add(buyers[user_id])
        report.buyers += 1
    session.flush()
    return buyers


def _import_orders(session, orders: dict, variants, buyers, days: int, end: datetime, seed: int, marketplace: str,
                   report) -> None:
    known = set(session.exec(select(Order.remote_id).where(Order.marketplace == marketplace)))
    rng = random.Random(seed)
    start = end - timedelta(days=days)
    for order_id, record in sorted(orders.items()):
        # Draw the date even for known orders so each order keeps the same date on re-import.
        placed_at = start + timedelta(seconds=rng.randrange(days * 86400))
        if order_number(order_id) in known:
            report.skipped_existing_orders += 1
            continue
        order = _order(record, placed_at, buyers, marketplace)
        session.add(order)
        session.flush()
        _order_children(session, order, record, variants, placed_at)
        report.orders += 1
    session.flush()


def _order(record: dict[str, Any], placed_at: datetime, buyers, marketplace: str) -> Order:
    payments = record["payment_history"]
    paid = sum(to_cents(str(p["amount"])) for p in payments if p["transaction_type"] == "payment")
    refunded = sum(to_cents(str(p["amount"])) for p in payments if p["transaction_type"] == "refund")
    buyer = buyers.get(record["user_id"])
    return Order(marketplace=marketplace, remote_id=order_number(record["order_id"]),
                 buyer_id=buyer.id if buyer else None, status=STATUS_MAP[record["status"]],
                 total_cents=sum(to_cents(str(i["price"])) for i in record["items"]),
                 paid_cents=paid, refunded_cents=min(refunded, paid),
                 address=shop_address(buyer.name if buyer else "", record["address"]),
                 placed_at=placed_at, updated_at=placed_at)


def _order_children(session, order: Order, record: dict[str, Any], variants, placed_at: datetime) -> None:
    assert order.id is not None, "lines, payments and shipments are added to a flushed order"
    # τ² lists a repeated item once per unit; the platform shows one line with its quantity.
    quantities = Counter(item["item_id"] for item in record["items"])
    seen: set[str] = set()
    for item in record["items"]:
        if item["item_id"] in seen:
            continue
        seen.add(item["item_id"])
        variant = variants.get(tau_sku(item["item_id"]))
        session.add(OrderLine(order_id=order.id, variant_id=variant.id if variant else None,
                              sku=tau_sku(item["item_id"]), name=item["name"], options=item["options"],
                              quantity=quantities[item["item_id"]], unit_price_cents=to_cents(str(item["price"])),
                              remote_id=item["item_id"]))
    number = order_number(record["order_id"])
    for position, payment in enumerate(record["payment_history"], 1):
        session.add(Payment(order_id=order.id, kind=payment["transaction_type"],
                            amount_cents=to_cents(str(payment["amount"])),
                            method=payment.get("payment_method_id", ""),
                            remote_id=f"{number}#{position}", created_at=placed_at))
    for position, fulfilment in enumerate(record.get("fulfillments", []), 1):
        for tracking in fulfilment.get("tracking_id", []):
            session.add(Shipment(order_id=order.id, carrier="USPS", tracking_number=str(tracking),
                                 remote_id=f"{number}/ship/{position}",
                                 shipped_at=placed_at + timedelta(days=1)))
