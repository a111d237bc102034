"""Publishing: a product's listing and the shop's profile on the marketplace.

The listing shows the shop's own work where it exists (main images made for the platform,
copy written for it) and falls back to the supplier's photos and text; its price comes
only from Variant.price_cents, set by price_product. Publishing looks the SKU up on the
platform first, so a retried publish edits the listing it made instead of making another.
"""

import difflib
import hashlib
import html
from pathlib import Path

from sqlmodel import Session, col, select

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.shop import ApprovedCopy, Asset, Listing, Product, Shop, Variant
from store_data.rows import MissingRow, row_id, stored
from store_data.status import ListingStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import LISTINGS, PROFILE, VIDEO, ListingDraft, ShopProfile
from tools.errors import ToolFailed, ToolRetry
from tools.images.colours import colour_option, named_colour
from tools.order_policy import marketplace
from tools.order_sync import missing_capability, require_driver

MAX_IMAGES = 8
MAX_VIDEOS = 4  # clips per listing (one per look); further looks show the first look's clip
PICTURE_KINDS = ("main_image", "lifestyle_image", "detail_image")


def _product(session: Session, sku: str) -> tuple[Product, list[Variant]]:
    variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
    if variant is None:
        raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
    product = stored(session, Product, variant.product_id)
    return product, listing_variants(session, row_id(product))


def listing_variants(session: Session, product_id: int) -> list[Variant]:
    """A product's variants in catalog order: the first is the row that gave the product its
    name, so the option a listing opens on is the one its title names."""
    return list(session.exec(select(Variant).where(Variant.product_id == product_id).order_by(col(Variant.id))))


def variant_looks(session: Session, product_id: int | None) -> list[list[Variant]]:
    """A product's variants grouped by how they look, in catalog order (the listing's first
    option leads the first group). Variants look different when they have different supplier
    photos or name different colours; variants that differ only in size or scent share a
    look. A variant without a photo of its own takes the look of the first one in its colour."""
    if product_id is None:
        raise MissingRow("a Product was used before it was saved; save (flush) it first")
    looks: dict[tuple[str | None, str | None], list[Variant]] = {}
    photo_of_colour: dict[str | None, str | None] = {}
    for variant in listing_variants(session, product_id):
        photo = session.exec(select(Asset.sha256).where(Asset.kind == "supplier_photo", Asset.variant_id == variant.id)
                             .order_by(col(Asset.id))).first()
        value = colour_option(variant.options)
        colour = (named_colour(value) or value.strip().lower()) if value else None
        if photo is None:
            photo = photo_of_colour.get(colour, next(iter(looks), (None, None))[0] if colour is None else None)
        photo_of_colour.setdefault(colour, photo)
        looks.setdefault((photo, colour), []).append(variant)
    return list(looks.values())


def look_clips(session: Session, workdir: Path, product: Product, language: str | None = None
               ) -> list[tuple[list[Variant], Asset]]:
    """Each look of the product that has a promo clip, with its newest clip (in `language`
    when there is one), in look order."""
    clips = [c for c in session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == "clip")
                                     .order_by(col(Asset.id).desc())) if (workdir / c.path).is_file()]
    clips.sort(key=lambda c: (c.provenance or {}).get("language") != language)  # stable: newest first within each
    found = []
    for index, look in enumerate(variant_looks(session, product.id)):
        ids = {v.id for v in look}
        # A clip made before clips were kept per look has no variant: it is the first look's.
        clip = next((c for c in clips if c.variant_id in ids or (index == 0 and c.variant_id is None)), None)
        if clip is not None:
            found.append((look, clip))
    return found


def look_label(look: list[Variant]) -> str:
    """What tells a look apart on a page: its colour ('Gloss Navy'), else its first options."""
    options = look[0].options if look else {}
    return colour_option(options) or ", ".join(f"{k} {v}" for k, v in options.items())


def listing_clips(session: Session, workdir: Path, product: Product, language: str | None = None
                  ) -> tuple[list[Path], dict[str, int]]:
    """The listing's promo clips, one per look that has one (the first look's first, at most
    MAX_VIDEOS), and which clip (1 = the first) each variant shows."""
    paths: list[Path] = []
    numbers: dict[str, int] = {}
    for look, clip in look_clips(session, workdir, product, language)[:MAX_VIDEOS]:
        paths.append(workdir / clip.path)
        numbers.update({v.sku: len(paths) for v in look})
    return paths, numbers


def shown_variant(variants: list[Variant]) -> Variant:
    """The option a listing opens on (the first in stock, as the storefront picks it): its
    price is the listing's headline price."""
    return next((v for v in variants if v.stock - v.reserved > 0), variants[0])


def _listing(session: Session, deps: ToolDeps, product: Product) -> Listing | None:
    return session.exec(select(Listing).where(Listing.product_id == product.id,
                                              Listing.marketplace == marketplace(deps))).first()


def listing_pictures(session: Session, product: Product, variants: list[Variant]) -> tuple[list[Asset], dict[str, int]]:
    """The listing's pictures and which one shows each variant: every variant's own square main
    image in the listing's option order (the option it opens on first), then the other
    pictures made from the first one's photo. Variants that share a photo share its picture."""
    made = session.exec(select(Asset).where(Asset.product_id == product.id, col(Asset.kind).in_(PICTURE_KINDS))
                        .order_by(col(Asset.kind), col(Asset.id))).all()
    kinds = ("main_image", "supplier_photo")
    if not made:
        made = session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == "supplier_photo")
                            .order_by(col(Asset.id))).all()
    own = {v.id: [a for a in made if a.variant_id == v.id and a.kind in kinds
                  and (a.kind == "supplier_photo" or (a.platform or "").startswith("1:1"))] for v in variants}
    chosen: list[Asset] = []
    pictures: dict[str, int] = {}
    for variant in variants:
        mains = own[variant.id] or ([] if len(variants) > 1 else
                                    [a for a in made if a.kind in kinds and (a.kind == "supplier_photo"
                                                                            or (a.platform or "").startswith("1:1"))])
        if not mains:
            continue
        paths = [a.path for a in chosen]
        if mains[0].path not in paths:
            chosen.append(mains[0])
        pictures[variant.sku] = [a.path for a in chosen].index(mains[0].path) + 1
    if not chosen:  # pictures made before they were recorded per variant: the product's first square one
        chosen = [a for a in made if a.kind in kinds and (a.kind == "supplier_photo" or (a.platform or "").startswith("1:1"))][:1]
    lead_photo = chosen[0].provenance.get("source_sha256") if chosen else None
    others = [a for a in made if a.kind not in kinds]
    chosen += [a for a in others if a.provenance.get("source_sha256") == lead_photo] or others[:2]
    chosen = chosen[:MAX_IMAGES]
    pictures = {sku: n for sku, n in pictures.items() if n <= len(chosen)}
    return chosen, pictures


def _words(listing: Listing | None, product: Product) -> tuple[str, str]:
    """The title and description HTML a publish sends: the listing's copy, else the supplier's."""
    title = listing.title if listing and listing.title else product.name
    description = (listing.description_html if listing and listing.description_html
                   else f"<p>{html.escape(product.description)}</p>" if product.description else "")
    return title, description


def copy_diff(before: ApprovedCopy | None, title: str, description: str) -> list[str]:
    """What changed in the title and description since they were last published, as unified
    diff lines (the owner reads them in the approval's preview); [] when nothing did."""
    old = [f"title: {before.title}", *before.description_html.splitlines()] if before else []
    new = [f"title: {title}", *description.splitlines()]
    if old == new:
        return []
    return list(difflib.unified_diff(old, new, "published", "to publish", lineterm="", n=1))


def preview_publish(deps: ToolDeps, sku: str) -> dict:
    """Facts: whether this is the listing's first publish, its price, and whether its title or
    description changed since it was last published (with the difference)."""
    with Session(deps.engine) as session:
        product, variants = _product(session, sku)
        listing = _listing(session, deps, product)
        first = listing is None or listing.remote_id is None or listing.published_at is None
        title, description = _words(listing, product)
        # The words the owner approves: a publish run later with other words waits again.
        copy_sha = hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()
        facts = {"first_publish": first, "sku": sku, "prices": {v.sku: v.price_cents for v in variants},
                 "copy_sha": copy_sha}
        if listing is not None and not first:
            # A listing published before this record existed has no approved copy: it counts as changed.
            diff = copy_diff(session.get(ApprovedCopy, listing.id), title, description)
            facts.update(copy_changed=bool(diff), copy_diff=diff)
        return facts


def _price(variant: Variant) -> int:
    if variant.price_cents is None:
        raise ToolRetry(f"{variant.sku} has no price; call price_product with sku '{variant.sku}' first")
    return variant.price_cents


def publish_listing(deps: ToolDeps, sku: str) -> dict:
    """Put the product of `sku` on the marketplace (or update its listing there): its images and
    copy, every variant's price and free stock. The product must be priced first (price_product)."""
    driver = require_driver(deps, LISTINGS)
    with Session(deps.engine) as session:
        product, variants = _product(session, sku)
        unpriced = [v.sku for v in variants if v.price_cents is None]
        if unpriced:
            raise ToolRetry(f"{', '.join(unpriced)} has no price; call price_product with sku '{sku}' first")
        listing = _listing(session, deps, product)
        single = len(variants) == 1
        title, description = _words(listing, product)
        pictures, variant_pictures = listing_pictures(session, product, variants)
        images = [deps.workdir / a.path for a in pictures]
        # The promo clips go with the listing when the platform takes video: one per look.
        videos, variant_videos = (listing_clips(session, deps.workdir, product, listing.language if listing else None)
                                  if VIDEO in getattr(deps.driver, "capabilities", ()) else ([], {}))
        draft = ListingDraft(
            sku=variants[0].sku if single else product.handle[:40], title=title, description_html=description,
            price_cents=_price(shown_variant(variants)),
            stock=sum(max(v.stock - v.reserved, 0) for v in variants),
            category=product.category, tags=list(listing.tags) if listing else [],
            images=images, videos=videos,
            variants=[] if single else [(v.sku, ", ".join(f"{k}={val}" for k, val in v.options.items()),
                                         _price(v), max(v.stock - v.reserved, 0)) for v in variants],
            variant_pictures={} if single else variant_pictures,
            variant_videos={} if single or len(videos) < 2 else variant_videos)
        remote_id = listing.remote_id if listing else None
    missing = [str(p) for p in draft.images if not p.exists()]
    if missing:
        raise ToolFailed(f"picture files are missing: {', '.join(missing)}; make the product images again")
    remote_id = driver.publish_listing(draft, remote_id)
    with session_scope(deps.engine) as session:
        listing = _listing(session, deps, product) or Listing(product_id=row_id(product), marketplace=marketplace(deps))
        listing.remote_id, listing.price_cents = remote_id, draft.price_cents
        if not listing.title:
            listing.title = draft.title
        if listing.status != ListingStatus.PUBLISHED:
            listing.set_status(ListingStatus.PUBLISHED)
        session.add(listing)
        session.flush()
        approved = session.get(ApprovedCopy, listing.id) or ApprovedCopy(listing_id=row_id(listing))
        approved.title, approved.description_html, approved.published_at = draft.title, draft.description_html, utcnow()
        session.add(approved)
    return {"sku": sku, "remote_id": remote_id, "listing_sku": draft.sku, "images": len(draft.images),
            "price_cents": draft.price_cents}


def set_shop_profile(deps: ToolDeps) -> dict:
    """Write the shop's name, story, policies, logo and banner (from create_brand and the
    brand images) to the marketplace's shop profile."""
    skipped = missing_capability(deps, PROFILE)
    if skipped:
        return {"note": skipped}
    driver = require_driver(deps, PROFILE)
    with Session(deps.engine) as session:
        shop = session.exec(select(Shop)).first()
    if shop is None:
        raise ToolRetry("the shop has no brand yet; call create_brand first")
    policies = shop.policies or {}
    text = (f"Ships within {policies.get('ship_within_days', deps.settings.ship_within_days)} working days. "
            f"Returns accepted within {policies.get('return_days', deps.settings.return_days)} days of delivery. "
            f"Refunds go to the {policies.get('refund_to', 'original payment method')}.")
    story = policies.get("story") or shop.slogan
    profile = ShopProfile(name=shop.name, description_html=f"<p>{html.escape(story)}</p>" if story else "",
                          policies=text,
                          logo=deps.workdir / shop.logo_path if shop.logo_path else None,
                          banner=deps.workdir / shop.banner_path if shop.banner_path else None)
    driver.set_shop_profile(profile)
    return {"name": profile.name, "policies": text, "logo": bool(profile.logo), "banner": bool(profile.banner)}
