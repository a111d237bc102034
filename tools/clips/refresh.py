"""`refresh_promo_clips`: the daily loop's clip stage. Code picks the products that need
a clip (new ones without a clip, and the top sellers, whose clip is remade when its
inputs such as the price changed) and returns one make_promo_clip call each, then the
live room; make_promo_clip itself makes nothing when a clip is already up to date."""

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.orders import Order, OrderLine
from store_data.shop import Asset, Listing, Product, Variant
from tools.deps import ToolDeps
from tools.listings import variant_looks


def refresh_promo_clips(deps: ToolDeps, days: int = 30, top: int = 3) -> dict:
    """Propose promo clips for listed products that have none yet and for the `top`
    best-selling products of the last `days` days (their clip is remade only if its
    inputs changed), then a rebuild of the live room. Returns the follow-up calls."""
    since = utcnow() - timedelta(days=max(1, days))
    with session_scope(deps.engine) as session:
        listed = session.exec(select(Product.id, Product.handle)
                              .join(Listing, col(Listing.product_id) == col(Product.id))
                              .order_by(col(Product.id))).all()
        # One clip per look of a product (tools/listings.py): each look's first SKU stands for it.
        look_skus = {pid: [look[0].sku for look in variant_looks(session, pid)] for pid, _ in listed}
        with_clip = set(session.exec(select(Asset.product_id).where(Asset.kind == "clip")).all())
        sold = session.exec(
            select(Variant.product_id, func.sum(OrderLine.quantity).label("units"))
            .join(Variant, col(Variant.id) == col(OrderLine.variant_id))
            .join(Order, col(Order.id) == col(OrderLine.order_id))
            .where(col(Order.placed_at) >= since).group_by(col(Variant.product_id))
            .order_by(func.sum(OrderLine.quantity).desc(), col(Variant.product_id)).limit(max(0, top))).all()
    handles = dict(listed)
    new = [pid for pid in handles if pid not in with_clip]
    best = [pid for pid, _ in sold if pid in handles]
    chosen = list(dict.fromkeys([*new, *best]))
    follow_up = [{"tool": "make_promo_clip", "arguments": {"sku": sku},
                  "why": "new product without a clip" if pid in new else "top seller: keep its clip current"}
                 for pid in chosen for sku in look_skus.get(pid, [])]
    if follow_up:
        follow_up.append({"tool": "build_live_room", "arguments": {}, "why": "the live room loops the current clips"})
    return {"new": [handles[p] for p in new], "top_sellers": [handles[p] for p in best], "follow_up": follow_up}
