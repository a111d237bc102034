"""The facts the retail policy decides on, read from the shop's records."""

from sqlmodel import Session, col, select

from store_data.orders import Buyer, Order, OrderLine, Payment, Shipment
from store_data.shop import Variant
from store_data.status import OrderStatus
from tools.retail_policy import LineFacts, OrderFacts, VariantFacts


def policy_facts(session: Session, order: Order) -> OrderFacts:
    """One order as the policy sees it: status, lines with their products, payments, shipment
    date, and the buyer's payment methods."""
    lines = list(session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))))
    ids = [line.variant_id for line in lines if line.variant_id is not None]
    products: dict[int | None, int] = {}
    if ids:
        products = {v.id: v.product_id for v in session.exec(select(Variant).where(col(Variant.id).in_(ids)))}
    paid = list(session.exec(select(Payment.method).where(Payment.order_id == order.id, Payment.kind == "payment")
                             .order_by(col(Payment.id))))
    shipped = list(session.exec(select(Shipment.shipped_at).where(Shipment.order_id == order.id)))
    buyer = session.get(Buyer, order.buyer_id) if order.buyer_id else None
    status = order.status
    if status == OrderStatus.CHANGE_REQUESTED:  # the buyer's open request leaves the order where it was
        status = OrderStatus.DELIVERED if shipped else OrderStatus.PAID
    return OrderFacts(
        number=order.remote_id, status=status, shipped=bool(shipped), total_cents=order.total_cents,
        refundable_cents=order.refundable_cents, payment_methods=tuple(paid),
        lines=tuple(LineFacts(sku=line.sku, product_id=products.get(line.variant_id) if line.variant_id else None,
                              quantity=line.quantity, unit_price_cents=line.unit_price_cents,
                              returned_quantity=line.returned_quantity) for line in lines),
        items_modified=order.items_modified, exchanged=order.exchanged,
        delivered_at=min(shipped) if shipped else None,
        buyer_methods=dict(buyer.payment_methods) if buyer else {})


def variant_facts(session: Session, skus: list[str]) -> dict[str, VariantFacts]:
    """The catalog's variants of these SKUs (unknown ones are left out)."""
    found = session.exec(select(Variant).where(col(Variant.sku).in_([sku.strip() for sku in skus])))
    return {v.sku: VariantFacts(sku=v.sku, product_id=v.product_id, price_cents=v.price_cents or 0,
                                stock=v.stock - v.reserved) for v in found}
