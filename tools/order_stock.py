"""Stock held for orders: a paid order reserves its units; shipping takes them off the shelf;
a cancelled or refunded unshipped order gives them back.

An order holds stock while it is paid, not shipped, and not flagged as short of stock. The
flag says why an order needs a person ("no stock: ...", "backordered: ..."). A line whose SKU
is not in the shop's catalog is a product the platform sells from its own stock (it took
the order, so it had the units): it holds nothing here and never keeps its order back.
"""

from sqlmodel import Session, select

from store_data.clock import utcnow
from store_data.orders import Order, OrderLine
from store_data.shop import Variant
from store_data.status import OrderStatus

NO_STOCK = "no stock"
BACKORDERED = "backordered"
UNKNOWN_SKU = "unknown SKU"  # flags of earlier versions: a line outside the catalog no longer holds an order
SHORT_FLAGS = (NO_STOCK, BACKORDERED, UNKNOWN_SKU)


def holds_stock(order: Order, shipped: bool) -> bool:
    return (order.status in (OrderStatus.PAID, OrderStatus.REFUND_REQUESTED, OrderStatus.CHANGE_REQUESTED)
            and not shipped
            and not order.flag.startswith(SHORT_FLAGS))


def _lines(session: Session, order: Order) -> list[tuple[OrderLine, Variant | None]]:
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    return [(line, session.get(Variant, line.variant_id) if line.variant_id else None) for line in lines]


def shortage(session: Session, order: Order) -> str:
    """Why the order's lines cannot all be reserved now ('' when they can)."""
    for line, variant in _lines(session, order):
        if variant is None:  # sold from the platform's own stock: the platform took the order on it
            continue
        free = variant.stock - variant.reserved
        if free < line.quantity:
            return f"{NO_STOCK}: {line.sku} needs {line.quantity}, {max(free, 0)} free"
    return ""


def reserve(session: Session, order: Order) -> bool:
    """Hold the order's units, or flag why not. True when reserved."""
    problem = shortage(session, order)
    if problem:
        if not order.flag.startswith(BACKORDERED):
            order.flag = problem
        session.add(order)
        return False
    for line, variant in _lines(session, order):
        if variant is None:
            continue
        variant.reserved += line.quantity
        variant.updated_at = utcnow()
        session.add(variant)
    order.flag = ""
    session.add(order)
    return True


def release(session: Session, order: Order) -> None:
    """Give back the units an order held (it was cancelled or refunded before shipping)."""
    for line, variant in _lines(session, order):
        if variant is not None:
            variant.reserved = max(variant.reserved - line.quantity, 0)
            session.add(variant)


def ship_out(session: Session, order: Order, held: bool) -> None:
    """The order's units leave the shelf (and its reservation, when it held one)."""
    for line, variant in _lines(session, order):
        if variant is None:
            continue
        variant.stock = max(variant.stock - line.quantity, 0)
        if held:
            variant.reserved = max(variant.reserved - line.quantity, 0)
        variant.updated_at = utcnow()
        session.add(variant)
