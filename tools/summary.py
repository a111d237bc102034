"""The opening summary: one HTML page in the work directory linking everything made."""

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlmodel import Session, col, func, select

from store_data.audit import Approval
from store_data.clock import utcnow
from store_data.money import format_money
from store_data.rows import row_id
from store_data.shop import Asset, Listing, Product, Shop
from store_data.status import ApprovalStatus
from tools.copy.attributes import human_label
from tools.deps import ToolDeps
from tools.listings import listing_variants, look_clips, look_label, shown_variant

_ENV = Environment(loader=PackageLoader("tools", "templates"), autoescape=select_autoescape(["html"]))
IMAGE_KINDS = ("main_image", "supplier_photo")


def _link(deps: ToolDeps, asset: Asset | None, page: Path) -> str | None:
    """A path from the summary page to the asset, relative so the folder can be moved."""
    if asset is None:
        return None
    depth = len(page.parent.relative_to(deps.workdir).parts)
    return Path(*([".."] * depth), asset.path).as_posix()


def _first(assets: list[Asset], kinds: tuple[str, ...]) -> Asset | None:
    for kind in kinds:
        for asset in assets:
            if asset.kind == kind:
                return asset
    return None


def _poster(deps: ToolDeps, clip: Asset | None, assets: list[Asset], page: Path) -> str | None:
    """The thumbnail written beside `clip` (same name, .jpg)."""
    if clip is None:
        return None
    thumbnail = str(Path(clip.path).with_suffix(".jpg").as_posix())
    return _link(deps, next((a for a in assets if a.kind == "clip_thumbnail" and a.path == thumbnail), None), page)


def write_open_summary(deps: ToolDeps) -> dict:
    """Write the shop's opening summary (brand, policies, every product with its image, copy,
    price, listing status and clip) to assets/open-summary.html and return its path."""
    page = deps.assets / "open-summary.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    currency = deps.settings.currency
    with Session(deps.engine) as session:
        shop = session.exec(select(Shop)).first()
        assets = session.exec(select(Asset)).all()
        by_product: dict[int | None, list[Asset]] = {}
        for asset in assets:
            by_product.setdefault(asset.product_id, []).append(asset)
        products = []
        for product in session.exec(select(Product).order_by(col(Product.id))):
            listing = session.exec(select(Listing).where(Listing.product_id == product.id)).first()
            variants = listing_variants(session, row_id(product))
            # The listing's headline price: the option it opens on (not the cheapest of its options).
            shown_price = shown_variant(variants).price_cents if variants else None
            prices = [shown_price] if shown_price is not None else []
            own = by_product.get(product.id, [])
            # The clip of the option the listing opens on plays; each other look's is linked.
            looks = look_clips(session, deps.workdir, product, listing.language if listing else None)
            shown = shown_variant(variants) if variants else None
            playing = next((clip for look, clip in looks if shown is not None and shown.id in {v.id for v in look}), None) \
                or _first(own, ("clip",))
            products.append({
                "name": product.name, "title": listing.title if listing else "",
                "status": listing.status if listing else "not listed",
                "remote_id": listing.remote_id if listing else None, "made_by": listing.made_by if listing else "",
                "price": format_money(min(prices), currency) if prices else "no price",
                "image": _link(deps, _first(own, IMAGE_KINDS), page),
                "clip": _link(deps, playing, page),
                # The clip's own first picture, shown until it plays (a bare <video> shows a black box).
                "poster": _poster(deps, playing, own, page),
                "other_clips": [(look_label(look), _link(deps, clip, page)) for look, clip in looks
                                if playing is None or clip.id != playing.id],
                "images": sum(1 for a in own if a.kind != "clip"),
            })
        waiting = session.exec(select(func.count()).select_from(Approval).where(
            Approval.status == ApprovalStatus.PENDING)).one()
        shop_assets = by_product.get(None, [])
        html = _ENV.get_template("open_summary.html").render(
            shop=shop, colors=(shop.colors if shop and len(shop.colors) >= 3 else ["#333333", "#999999", "#f4f4f4"]),
            policies={human_label(k): v for k, v in (shop.policies if shop else {}).items()}, products=products, waiting=waiting,
            logo=_link(deps, _first(shop_assets, ("logo",)), page), banner=_link(deps, _first(shop_assets, ("banner",)), page),
            made_at=f"{utcnow():%Y-%m-%d %H:%M} UTC",
        )
    page.write_text(html, encoding="utf-8")
    listed = sum(1 for p in products if p["status"] == "published")
    return {"path": str(page.relative_to(deps.workdir)), "products": len(products), "published": listed,
            "waiting_for_owner": waiting}
