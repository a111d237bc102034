"""A short picture of the shop's state, for the planner and the owner."""

from typing import Any

from sqlmodel import Session, col, func, select

from store_data.audit import Approval
from store_data.orders import BuyerMessage, Order
from store_data.shop import Listing, Product, Shop, Variant
from store_data.status import ApprovalStatus


def shop_overview(session: Session) -> dict[str, Any]:
    """Counts that describe the shop now: products, listings and orders by status, work waiting."""
    shop = session.exec(select(Shop)).first()

    def by_status(model) -> dict[str, int]:
        return dict(session.exec(select(model.status, func.count()).group_by(model.status)).all())

    return {
        "shop": shop.name if shop else None,
        "products": session.exec(select(func.count()).select_from(Product)).one(),
        "skus_out_of_stock": session.exec(select(func.count()).select_from(Variant).where(Variant.stock == 0)).one(),
        "listings": by_status(Listing),
        "orders": by_status(Order),
        "unanswered_messages": session.exec(select(func.count()).select_from(BuyerMessage).where(
            BuyerMessage.direction == "in", col(BuyerMessage.handled).is_(False))).one(),
        "approvals_pending": session.exec(select(func.count()).select_from(Approval).where(
            Approval.status == ApprovalStatus.PENDING)).one(),
    }


def platforms_overview(session: Session) -> list[dict[str, Any]]:
    """Per platform the shop sells on, its published listings, orders and orders waiting to
    ship, then the total (platform "total"); empty while everything is on one platform."""
    listings = dict(session.exec(select(Listing.marketplace, func.count())
                                 .where(Listing.status == "published").group_by(Listing.marketplace)).all())
    orders: dict[str, dict[str, int]] = {}
    for market, status, count in session.exec(select(Order.marketplace, Order.status, func.count())
                                              .group_by(Order.marketplace, Order.status)).all():
        orders.setdefault(market, {})[status] = count
    names = sorted(set(listings) | set(orders))
    if len(names) < 2:
        return []
    rows: list[dict[str, Any]] = [
        {"platform": name, "listings": listings.get(name, 0), "orders": sum(orders.get(name, {}).values()),
         "to_ship": orders.get(name, {}).get("paid", 0), "by_status": orders.get(name, {})} for name in names]
    total_status: dict[str, int] = {}
    for counts in orders.values():
        for status, count in counts.items():
            total_status[status] = total_status.get(status, 0) + count
    return [*rows, {"platform": "total", "listings": sum(r["listings"] for r in rows),
                    "orders": sum(r["orders"] for r in rows), "to_ship": sum(r["to_ship"] for r in rows),
                    "by_status": total_status}]
