"""Seller back-office: listings (create, edit, publish, pause, delete, media)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import Session, col, func, select
from starlette.requests import Request

from marketplace.catalog import ListingError, ListingForm, move_listing
from marketplace.models import Listing, Media, Variant
from marketplace.security import read_form
from marketplace.uploads import UploadError, is_file, remove_media, save_image, save_video
from marketplace.web import flash, now, redirect, render, require_seller, session_for

router = APIRouter(prefix="/seller/listings")
BLANK_VARIANT_ROWS = 3


@router.get("")
async def listing_list(request: Request, status: str = ""):
    """All listings except deleted ones, optionally by status."""
    require_seller(request)
    query = select(Listing).where(Listing.status != "deleted")
    if status:
        query = query.where(Listing.status == status)
    with session_for(request) as s:
        rows = s.exec(query.order_by(col(Listing.updated_at).desc())).all()
        images = dict(s.exec(select(Media.listing_id, func.count()).where(Media.kind == "image")
                             .group_by(col(Media.listing_id))).all())
    return render(request, "seller/listings.html", {"rows": rows, "status": status, "images": images})


def _form_page(request: Request, listing: Listing | None, s: Session, error: str = "",
               values: dict | None = None, status: int = 200):
    variants = s.exec(select(Variant).where(Variant.listing_id == listing.id)).all() if listing and listing.id else []
    media = s.exec(select(Media).where(Media.listing_id == listing.id).order_by(col(Media.position))).all() \
        if listing and listing.id else []
    return render(request, "seller/listing_form.html", {
        "listing": listing, "variants": variants, "blank_rows": BLANK_VARIANT_ROWS,
        "images": [m for m in media if m.kind == "image"],
        "videos": [m for m in media if m.kind == "video"],
        "error": error, "values": values or {},
    }, status)


@router.get("/new")
async def new_listing(request: Request):
    """An empty listing form."""
    require_seller(request)
    with session_for(request) as s:
        return _form_page(request, None, s)


@router.get("/{listing_id}")
async def edit_listing(request: Request, listing_id: int):
    """The form for one listing."""
    require_seller(request)
    with session_for(request) as s:
        listing = s.get(Listing, listing_id)
        if listing is None or listing.status == "deleted":
            return render(request, "error.html", {"title": "No such listing", "text": ""}, 404)
        return _form_page(request, listing, s)


@router.post("/new")
async def create_listing(request: Request):
    """Create a listing (a draft, or live at once with the Publish button)."""
    return await _save(request, None)


@router.post("/{listing_id}")
async def update_listing(request: Request, listing_id: int):
    """Save changes to a listing."""
    return await _save(request, listing_id)


async def _save(request: Request, listing_id: int | None):
    require_seller(request)
    form = await read_form(request)
    settings = request.app.state.settings
    media_dir = request.app.state.media_dir
    at = now(request)
    saved: list[str] = []
    with session_for(request) as s:
        listing = s.get(Listing, listing_id) if listing_id else None
        if listing_id and (listing is None or listing.status == "deleted"):
            return render(request, "error.html", {"title": "No such listing", "text": ""}, 404)
        try:
            data = ListingForm.parse(form)
            clash = s.exec(select(Listing).where(Listing.sku == data.sku)).first()
            if clash and clash.id != listing_id:
                raise ListingError(f"SKU {data.sku} is already used by another listing.")
            if listing is None:
                listing = Listing(sku=data.sku, title=data.title, price_cents=data.price_cents,
                                  created_at=at, updated_at=at)
            for key in ("title", "sku", "description_html", "price_cents", "stock", "category", "tags"):
                setattr(listing, key, getattr(data, key))
            listing.updated_at = at
            if form.get("action") == "publish" and listing.status != "active":
                move_listing(listing, "active")
            s.add(listing)
            s.flush()
            _save_variants(s, listing, data)
            dropped = await _save_media(s, listing, form, media_dir, settings, saved)
        except (ListingError, UploadError) as exc:
            s.rollback()
            for rel in saved:
                remove_media(media_dir, rel)
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            return _form_page(request, s.get(Listing, listing_id) if listing_id else None, s,
                              str(exc), values, 400)
        s.commit()
        for rel in dropped:  # only once the rows are gone for good
            remove_media(media_dir, rel)
        flash(request, f"Listing {listing.sku} saved ({listing.status}).")
        return redirect(f"/seller/listings/{listing.id}")


def _save_variants(s: Session, listing: Listing, data: ListingForm) -> None:
    for row in data.variants:
        variant = s.get(Variant, row.id) if row.id else None
        if variant is not None and variant.listing_id != listing.id:
            raise ListingError("That variant belongs to another listing.")
        if row.delete:
            if variant is not None:
                s.delete(variant)
            continue
        clash = s.exec(select(Variant).where(Variant.sku == row.sku)).first()
        if clash and (variant is None or clash.id != variant.id):
            raise ListingError(f"Variant SKU {row.sku} is already used.")
        variant = variant or Variant(listing_id=listing.saved_id, sku=row.sku, price_cents=row.price_cents)
        variant.sku, variant.options = row.sku, row.options
        variant.price_cents, variant.stock, variant.picture = row.price_cents, row.stock, row.picture
        variant.video = row.video
        s.add(variant)


async def _save_media(s: Session, listing: Listing, form, media_dir, settings,
                      saved: list[str]) -> list[str]:
    """Apply image/video removals and uploads; return the replaced files to delete. Videos
    uploaded together replace the listing's videos (one per look of the product)."""
    dropped = []
    removed = {int(v) for v in form.getlist("remove_image") if str(v).isdigit()}
    media = s.exec(select(Media).where(Media.listing_id == listing.id)).all()
    images = [m for m in media if m.kind == "image"]
    for m in media:
        if (m.kind == "image" and m.id in removed) or (m.kind == "video" and form.get("remove_video")):
            dropped.append(m.path)
            s.delete(m)
    kept = len([m for m in images if m.id not in removed])
    uploads = [f for f in form.getlist("images") if is_file(f)]
    if kept + len(uploads) > settings.max_images_per_listing:
        raise ListingError(f"A listing can have at most {settings.max_images_per_listing} images.")
    position = max((m.position for m in images), default=0)
    for upload in uploads:
        rel = await save_image(upload, media_dir, f"listings/{listing.id}", settings.max_image_bytes)
        saved.append(rel)
        position += 1
        s.add(Media(listing_id=listing.saved_id, kind="image", path=rel, position=position))
    videos = [f for f in form.getlist("video") if is_file(f)]
    if len(videos) > settings.max_videos_per_listing:
        raise ListingError(f"A listing can have at most {settings.max_videos_per_listing} videos.")
    if videos:
        for m in media:
            if m.kind == "video" and not form.get("remove_video"):
                dropped.append(m.path)
                s.delete(m)
    for position, video in enumerate(videos, 1):
        rel = await save_video(video, media_dir, f"listings/{listing.id}", settings.max_video_bytes)
        saved.append(rel)
        s.add(Media(listing_id=listing.saved_id, kind="video", path=rel, position=position))
    return dropped


@router.post("/{listing_id}/{move}")
async def move(request: Request, listing_id: int, move: str):
    """Publish, pause or delete a listing."""
    require_seller(request)
    await read_form(request)
    target = {"publish": "active", "pause": "paused", "delete": "deleted"}.get(move)
    with session_for(request) as s:
        listing = s.get(Listing, listing_id)
        if listing is None or target is None:
            return render(request, "error.html", {"title": "No such listing or action", "text": ""}, 404)
        try:
            move_listing(listing, target)
        except ListingError as exc:
            return _form_page(request, listing, s, str(exc), status=409) if listing.status != "deleted" \
                else render(request, "error.html", {"title": "Listing deleted", "text": str(exc)}, 409)
        listing.updated_at = now(request)
        s.add(listing)
        s.commit()
    flash(request, f"Listing {listing.sku} is now {listing.status}.")
    return redirect("/seller/listings" if target == "deleted" else f"/seller/listings/{listing_id}")
