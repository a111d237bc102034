"""Prices decided by code: cost x markup, rounded up to the shop's price ending, never
below the minimum markup. A price fixed in the catalog wins."""

from decimal import ROUND_CEILING, Decimal

from sqlmodel import Session, select

from store_data.clock import utcnow
from store_data.money import from_cents, to_cents
from store_data.shop import Variant
from tools.deps import ToolDeps
from tools.errors import ToolRetry


def rule_price(cost_cents: int, markup: Decimal, min_markup: Decimal, ending: Decimal) -> int:
    """The rule's price in cents, e.g. cost 4.20, markup 2.5, ending .99 -> 10.99."""
    raw = from_cents(cost_cents) * Decimal(markup)
    whole = raw.to_integral_value(rounding=ROUND_CEILING)
    price = whole - 1 + ending if whole - 1 + ending >= raw else whole + ending
    floor = from_cents(cost_cents) * Decimal(min_markup)
    while price < floor:
        price += 1
    return to_cents(price.quantize(Decimal("0.01")))


def _variants(session: Session, sku: str) -> list[Variant]:
    variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
    if variant is None:
        raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
    return list(session.exec(select(Variant).where(Variant.product_id == variant.product_id).order_by(Variant.sku)))


def _new_prices(deps: ToolDeps, variants: list[Variant]) -> dict[str, int]:
    s = deps.settings
    return {v.sku: v.price_cents if v.price_fixed and v.price_cents is not None
            else rule_price(v.cost_cents, s.price_markup, s.price_min_markup, s.price_ending)
            for v in variants}


def preview_price(deps: ToolDeps, sku: str) -> dict:
    """Facts for the approval policy: the largest relative change among the variants."""
    with Session(deps.engine) as session:
        variants = _variants(session, sku)
        new = _new_prices(deps, variants)
        changes = [abs(new[v.sku] - v.price_cents) * 100 / v.price_cents for v in variants if v.price_cents]
        return {"change_pct": round(max(changes, default=0), 2),
                "prices": {v.sku: {"old_cents": v.price_cents, "new_cents": new[v.sku]} for v in variants}}


def price_product(deps: ToolDeps, sku: str) -> dict:
    """Set the selling price of every variant of the SKU's product from its cost by the shop's
    pricing rules (markup, price ending, minimum margin). Returns old and new prices in cents."""
    with Session(deps.engine) as session:
        variants = _variants(session, sku)
        new = _new_prices(deps, variants)
        result = {}
        for variant in variants:
            result[variant.sku] = {"old_cents": variant.price_cents, "new_cents": new[variant.sku],
                                   "cost_cents": variant.cost_cents}
            if variant.price_cents != new[variant.sku]:
                variant.price_cents = new[variant.sku]
                variant.updated_at = utcnow()
                session.add(variant)
        session.commit()
    return {"prices": result}
