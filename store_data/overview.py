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
