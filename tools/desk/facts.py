"""The facts a reply to one buyer thread may state, read from the shop's own records: the
thread's own order (status, lines, shipments and when they left), the products it is about
(attributes, variants and stock) and the shop's policy. Nothing of other buyers."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from store_data.clock import utcnow
from store_data.orders import Order, OrderLine, Shipment
from store_data.rows import stored
from store_data.shop import Product, Shop, Variant
from tools.copy.attributes import known_attributes
from tools.settings import ToolSettings


@dataclass
class ProductFacts:
    name: str
    attributes: dict[str, str]
    # One per variant: its option values ("size=M"), whether it can be bought now, its list
    # price and cost (cents; for the price floor, never shown to the buyer as such).
    variants: list[dict] = field(default_factory=list)


@dataclass
class ThreadFacts:
    shop_name: str
    ship_within_days: int
    return_days: int
    carrier: str
    currency: str = "USD"
    floor_pct: Decimal = Decimal("100")  # price_floor_pct
    min_markup: Decimal = Decimal("1.3")  # price_min_markup
    order: dict | None = None  # number, status, placed_at, shipments [{carrier, tracking, shipped_at}]
    now: datetime = field(default_factory=utcnow)
    products: list[ProductFacts] = field(default_factory=list)

    def ship_by(self, order: dict) -> datetime:
        """The date the unshipped `order` leaves by the shop's policy (working days: Mon-Fri)."""
        day, left = order["placed_at"], self.ship_within_days
        while left > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day


def _product(session: Session, product: Product) -> ProductFacts:
    variants = session.exec(select(Variant).where(Variant.product_id == product.id).order_by(col(Variant.id))).all()
    return ProductFacts(product.name, known_attributes(product.attributes or {}), [
        {"sku": v.sku, "options": dict(v.options or {}), "available": max(v.stock - v.reserved, 0) > 0,
         "price_cents": v.price_cents, "cost_cents": v.cost_cents}
        for v in variants])


def _named_products(session: Session, text: str) -> list[Product]:
    """Products the buyer's text names: by SKU, or by all the words of the product's name
    but one (buyers shorten names: "the coffee mug")."""
    words = set(re.findall(r"\w+", text.lower()))
    found = []
    for product in session.exec(select(Product).order_by(col(Product.id))).all():
        skus = {s.lower() for s in session.exec(select(Variant.sku).where(Variant.product_id == product.id))}
        name_words = set(re.findall(r"\w+", product.name.lower()))
        if skus & words or any(sku in text.lower() for sku in skus) or \
                (name_words and len(name_words & words) >= max(len(name_words) - 1, 1)) or product.name in text:
            found.append(product)
    return found


def thread_facts(engine, settings: ToolSettings, order_id: int | None, text: str) -> ThreadFacts:
    """The facts for a thread about the shop's order `order_id` (None: no order), whose buyer
    wrote `text` (used only to find the products it names)."""
    with Session(engine) as session:
        shop = session.exec(select(Shop)).first()
        facts = ThreadFacts(shop.name if shop else "our shop", settings.ship_within_days, settings.return_days,
                            settings.shipping_carrier, settings.currency, Decimal(settings.price_floor_pct),
                            Decimal(settings.price_min_markup))
        products: list[Product] = []
        if order_id is not None:
            order = stored(session, Order, order_id)
            lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
            shipments = session.exec(select(Shipment).where(Shipment.order_id == order.id)
                                     .order_by(col(Shipment.shipped_at))).all()
            facts.order = {"number": order.remote_id, "status": str(order.status), "placed_at": order.placed_at,
                           "lines": [{"sku": li.sku, "name": li.name, "quantity": li.quantity} for li in lines],
                           "shipments": [{"carrier": s.carrier, "tracking": s.tracking_number,
                                          "shipped_at": s.shipped_at} for s in shipments]}
            for line in lines:
                variant = session.exec(select(Variant).where(Variant.sku == line.sku)).first()
                product = session.get(Product, variant.product_id) if variant else None
                if product is not None and product not in products:
                    products.append(product)
        for product in _named_products(session, text):
            if product not in products:
                products.append(product)
        facts.products = [_product(session, p) for p in products]
    return facts
