"""Load the τ² retail records (tau2-bench, MIT) as a large shop with 1,000 orders.

τ² has no dates, so orders get deterministic dates spread over the 90 days before the
load. τ²'s ``processed`` (tracking assigned, left the warehouse) becomes ``shipped``.
SKUs are the ones the shop's own import gives the same records (``tau-<product id>`` for a
listing, ``tau-<item id>`` for a variant), so the shop's sync finds every line in its catalog.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from marketplace import db
from marketplace.models import Buyer, Listing, Order, OrderItem, Payment, Shipment, Shop, Variant

STATUS = {"pending": "pending", "processed": "shipped", "delivered": "delivered", "cancelled": "cancelled"}
SPREAD_DAYS = 90
STOCK_IF_AVAILABLE = 20


class TauError(Exception):
    """The file cannot be loaded (missing, wrong shape, or the shop already has orders)."""


def sku(record_id: str) -> str:
    """The SKU of a τ² product or item, the same as the shop's import gives it."""
    return f"tau-{record_id}"


def _cents(amount: float) -> int:
    return round(amount * 100)


def load_tau(data_dir: Path, file: Path, now: datetime | None = None) -> dict:
    """Import products, variants, users and orders; return counts of what was created."""
    try:
        file = Path(file)
        text = gzip.decompress(file.read_bytes()).decode() if file.suffix == ".gz" else file.read_text()
        records = json.loads(text)
        products, users, orders = records["products"], records["users"], records["orders"]
    except (OSError, ValueError, KeyError) as exc:
        raise TauError(f"{file} is not a τ² retail db.json ({exc}).") from None
    now = now or datetime.now(UTC).replace(tzinfo=None)
    engine = db.make_engine(Path(data_dir))
    rng = random.Random(2)  # fixed: the same file always gets the same dates
    with db.session(engine) as s:
        if s.exec(select(Order)).first():
            raise TauError(f"The shop in {data_dir} already has orders; load τ² into an empty data folder.")
        if not s.get(Shop, 1):
            s.add(Shop(id=1, name="τ² Retail", policies="Returns and exchanges of delivered orders only."))
        listings: dict[str, Listing] = {}
        variants: dict[str, Variant] = {}
        for product in products.values():
            vs = list(product["variants"].values())
            listing = Listing(
                sku=sku(product["product_id"]), title=product["name"], category=product["name"],
                description_html=_description(product["name"], vs),
                price_cents=min(_cents(v["price"]) for v in vs),
                stock=sum(STOCK_IF_AVAILABLE for v in vs if v["available"]),
                status="active", created_at=now - timedelta(days=SPREAD_DAYS + 30), updated_at=now)
            s.add(listing)
            listings[product["product_id"]] = listing
        s.flush()
        for product in products.values():
            listing_id = listings[product["product_id"]].id
            assert listing_id is not None, "the flush gave the listing its id"
            for v in product["variants"].values():
                variant = Variant(listing_id=listing_id, sku=sku(v["item_id"]),
                                  options=json.dumps(v["options"]), price_cents=_cents(v["price"]),
                                  stock=STOCK_IF_AVAILABLE if v["available"] else 0)
                s.add(variant)
                variants[v["item_id"]] = variant
        buyers: dict[str, Buyer] = {}
        for user in users.values():
            buyer = Buyer(email=user["email"].lower(), created_at=now - timedelta(days=SPREAD_DAYS + 30),
                          name=f'{user["name"]["first_name"]} {user["name"]["last_name"]}')
            s.add(buyer)
            buyers[user["user_id"]] = buyer
        s.flush()
        statuses: Counter = Counter()
        for record in orders.values():
            created = now - timedelta(seconds=rng.uniform(0, SPREAD_DAYS * 86400))
            order = _order(record, buyers[record["user_id"]], created, rng)
            s.add(order)
            s.flush()
            _order_rows(s, order, record, listings, variants, created)
            statuses[order.status] += 1
        s.commit()
    engine.dispose()  # closes the connections, which checkpoints the WAL into the file
    return {"listings": len(listings), "variants": len(variants), "buyers": len(buyers),
            "orders": sum(statuses.values()), "by_status": dict(statuses)}


def _description(name: str, variants: list[dict]) -> str:
    options: dict[str, set] = {}
    for v in variants:
        for key, value in v["options"].items():
            options.setdefault(key, set()).add(str(value))
    items = "".join(f"<li>{key}: {', '.join(sorted(values))}</li>" for key, values in options.items())
    return f"<p>{name}, in {len(variants)} variants.</p><ul>{items}</ul>"


def _order(record: dict, buyer: Buyer, created: datetime, rng: random.Random) -> Order:
    address = record["address"]
    history = record["payment_history"]
    paid = sum(_cents(p["amount"]) for p in history if p["transaction_type"] == "payment")
    refunded = sum(_cents(p["amount"]) for p in history if p["transaction_type"] == "refund")
    total = sum(_cents(item["price"]) for item in record["items"])
    assert buyer.id is not None, "the flush gave the buyer its id"
    return Order(number=record["order_id"].lstrip("#"), access_key=f"tau{rng.getrandbits(64):016x}",
                 buyer_id=buyer.id, status=STATUS[record["status"]], created_at=created, updated_at=created,
                 ship_name=buyer.name, address1=address["address1"], address2=address.get("address2", ""),
                 city=address["city"], region=address.get("state", ""), postcode=address["zip"],
                 country=address["country"], total_cents=total, paid_cents=paid, refunded_cents=refunded,
                 payment_method=history[0]["payment_method_id"] if history else "")


def _order_rows(s, order: Order, record: dict, listings: dict, variants: dict, created: datetime) -> None:
    assert order.id is not None, "the flush gave the order its id"
    quantities = Counter(item["item_id"] for item in record["items"])
    seen = set()
    for item in record["items"]:
        if item["item_id"] in seen:
            continue  # τ² lists a repeated item once per unit
        seen.add(item["item_id"])
        listing, variant = listings.get(item["product_id"]), variants.get(item["item_id"])
        s.add(OrderItem(order_id=order.id, listing_id=listing.id if listing else None,
                        variant_id=variant.id if variant else None, sku=sku(item["item_id"]), title=item["name"],
                        options=", ".join(f"{k}: {v}" for k, v in item["options"].items()),
                        unit_cents=_cents(item["price"]), qty=quantities[item["item_id"]]))
    for n, p in enumerate(record["payment_history"]):
        s.add(Payment(order_id=order.id, kind=p["transaction_type"], amount_cents=_cents(p["amount"]),
                      method=p["payment_method_id"], at=created + timedelta(hours=n * 24)))
    for fulfilment in record.get("fulfillments", []):
        for tracking in fulfilment["tracking_id"]:
            s.add(Shipment(order_id=order.id, carrier="USPS", tracking=tracking,
                           at=created + timedelta(days=1)))
