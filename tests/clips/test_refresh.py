"""The daily clip stage: code proposes clips for new products and the top sellers."""

from datetime import timedelta

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.orders import Order, OrderLine
from store_data.shop import Asset, Listing, Product, Variant
from tools.clips import refresh_promo_clips
from tools.deps import ToolDeps


def test_new_products_and_top_sellers_get_clip_calls(engine, workdir):
    with session_scope(engine) as session:
        for n, handle in enumerate(["mug", "bowl", "vase", "unlisted"], 1):
            session.add(Product(id=n, handle=handle, name=handle))
            session.flush()  # the product before the rows that point at it
            session.add(Variant(id=n, sku=f"SKU-{n}", product_id=n, cost_cents=100))
            if handle != "unlisted":
                session.add(Listing(product_id=n, title=handle))
        session.add(Asset(kind="clip", path="assets/clips/mug/mug-en.mp4", product_id=1))
        session.add(Asset(kind="clip", path="assets/clips/bowl/bowl-en.mp4", product_id=2))
        recent, old = utcnow() - timedelta(days=2), utcnow() - timedelta(days=90)
        for n, (variant, units, placed) in enumerate([(2, 5, recent), (1, 2, recent), (1, 50, old)], 1):
            session.add(Order(id=n, remote_id=f"O-{n}", placed_at=placed))
            session.flush()
            session.add(OrderLine(order_id=n, variant_id=variant, sku=f"SKU-{variant}", quantity=units, unit_price_cents=500))
    result = refresh_promo_clips(ToolDeps(engine=engine, workdir=workdir, settings=None), days=30, top=1)
    assert result["new"] == ["vase"] and result["top_sellers"] == ["bowl"]
    assert [(c["tool"], c["arguments"]) for c in result["follow_up"]] == [
        ("make_promo_clip", {"sku": "SKU-3"}), ("make_promo_clip", {"sku": "SKU-2"}), ("build_live_room", {})]
