"""`shopagent open`: from an imported catalog and a brief to a published shop.

brand -> shop profile on the marketplace -> per product: images, copy, price, publish,
promo clip -> live room -> an HTML summary. Prices come from code (pricing rules), and
publishing passes the approval policy like any other write.
"""

from sqlmodel import Session, col, select

from agent.executor import RunContext, RunPlan
from agent.workflows.stages import Stage, other_platforms, staged_plan
from store_data.shop import Product, Variant
from tools.listings import variant_looks

PER_PRODUCT = [
    ("make_product_images", "clean platform images from the supplier photo"),
    ("write_listing_copy", "title, selling points and description from the catalog facts"),
    ("price_product", "price from cost by the pricing rules"),
    ("publish_listing", "put the listing on the marketplace"),
    ("make_promo_clip", "the presenter's promo clip"),
]


def variants_that_look_different(session: Session, product_id: int | None) -> list[str]:
    """The first SKU of each look after the first (a colourway, a photo of its own)."""
    return [look[0].sku for look in variant_looks(session, product_id)[1:]]


def plan(ctx: RunContext, goal: str) -> RunPlan:
    with Session(ctx.engine) as session:
        products = session.exec(select(Product).order_by(col(Product.id))).all()
        # The first variant in catalog order is the one whose row named the product: its SKU
        # stands for the product, and the listing opens on it.
        first_sku = {p.id: session.exec(select(Variant.sku).where(Variant.product_id == p.id)
                                        .order_by(col(Variant.id))).first() for p in products}
        other_looks = {p.id: variants_that_look_different(session, p.id) for p in products}
    others = other_platforms(ctx)
    stages: list[Stage] = [
        ("create_brand", {"brief": goal}, "brand name, slogan, colours, tone and policies from the brief"),
        ("make_brand_images", {}, "logo and banner from the brand"),
        ("set_shop_profile", {}, "the shop's profile on the marketplace"),
        *[("set_shop_profile", {}, f"the shop's profile on {name}", name) for name in others],
    ]
    for product in products:
        sku = first_sku[product.id]
        for tool, why in PER_PRODUCT:
            stages.append((tool, {"sku": sku}, why))
            if tool == "make_promo_clip":  # each look gets a clip that shows it
                stages += [(tool, {"sku": other}, "the promo clip of a variant that looks different")
                           for other in other_looks[product.id]]
            if tool == "make_product_images":  # each variant with a photo of its own shows in it
                stages += [(tool, {"sku": other, "platforms": ["1:1-800"]}, "the main picture of a variant that looks different")
                           for other in other_looks[product.id]]
        # Every other platform gets copy written to its own rules, then the listing with the
        # clips made above.
        for name in others:
            stages += [("write_listing_copy", {"sku": sku}, f"title and description to {name}'s rules", name),
                       ("publish_listing", {"sku": sku}, f"put the listing on {name}", name)]
    stages += [
        ("build_live_room", {}, "the looping live room of all clips"),
        ("write_open_summary", {}, "an HTML page with links to everything made"),
    ]
    return staged_plan(ctx, stages)
