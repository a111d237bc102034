"""Seller back-office: the shop profile (brand, policies) and the live room's settings."""

from __future__ import annotations

import json

from fastapi import APIRouter
from sqlmodel import Session, select
from starlette.datastructures import UploadFile
from starlette.requests import Request

from marketplace.catalog import sanitise
from marketplace.models import Listing, Shop
from marketplace.security import read_form
from marketplace.uploads import UploadError, is_file, remove_media, save_image, save_video
from marketplace.web import flash, redirect, render, require_seller, session_for

router = APIRouter(prefix="/seller")


def _the_shop(s: Session) -> Shop:
    """The marketplace's one shop, which the app creates when it starts."""
    shop = s.get(Shop, 1)
    if shop is None:
        raise RuntimeError("the marketplace has no shop: the app creates it when it starts")
    return shop


@router.get("/profile")
async def profile_page(request: Request):
    """The shop profile form."""
    require_seller(request)
    return render(request, "seller/profile.html", {"error": ""})


@router.post("/profile")
async def save_profile(request: Request):
    """Save name, description, policies, and a new logo or banner if one was chosen."""
    require_seller(request)
    form = await read_form(request)
    state = request.app.state
    name = str(form.get("name", "")).strip()
    if not name:
        return render(request, "seller/profile.html", {"error": "The shop needs a name."}, 400)
    with session_for(request) as s:
        shop = _the_shop(s)
        old = []
        try:
            for key in ("logo", "banner"):
                upload = form.get(key)
                if isinstance(upload, UploadFile) and is_file(upload):
                    old.append(getattr(shop, key))
                    setattr(shop, key, await save_image(upload, state.media_dir, "shop",
                                                        state.settings.max_image_bytes))
        except UploadError as exc:
            return render(request, "seller/profile.html", {"error": str(exc)}, 400)
        shop.name = name[:80]
        shop.description_html = sanitise(str(form.get("description", "")))[:20000]
        shop.policies = str(form.get("policies", ""))[:20000]
        s.add(shop)
        s.commit()
    for rel in old:
        remove_media(state.media_dir, rel)
    flash(request, "Shop profile saved.")
    return redirect("/seller/profile")


@router.get("/live")
async def live_settings(request: Request):
    """The live room's promo video and on-air schedule."""
    require_seller(request)
    with session_for(request) as s:
        schedule = json.dumps(_the_shop(s).schedule(), indent=1)
    return render(request, "seller/live.html", {"error": "", "schedule": schedule,
                                                "max_video_bytes": request.app.state.settings.max_video_bytes})


def parse_schedule(text: str, skus: dict[str, int], ids: set[int]) -> list[dict]:
    """Check a schedule: a JSON list of {sku or listing_id, start_s, end_s}."""
    try:
        items = json.loads(text or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError(f"The schedule is not valid JSON: {exc.msg} (line {exc.lineno}).") from None
    if not isinstance(items, list):
        raise ValueError("The schedule must be a JSON list.")
    result = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ValueError(f"Entry {n} must be an object.")
        listing_id = item.get("listing_id")
        if listing_id is None and "sku" in item:
            listing_id = skus.get(str(item["sku"]))
        if listing_id not in ids:
            raise ValueError(f"Entry {n} names no listing of this shop.")
        start, end = item.get("start_s"), item.get("end_s")
        if not isinstance(start, (int, float)) or not isinstance(end, (int, float)) or not 0 <= start < end:
            raise ValueError(f"Entry {n} needs numbers 0 <= start_s < end_s.")
        result.append({"listing_id": listing_id, "start_s": start, "end_s": end})
    return result


@router.post("/live")
async def save_live(request: Request):
    """Upload the looping promo video and/or the schedule (file or text)."""
    require_seller(request)
    form = await read_form(request)
    state = request.app.state
    text = str(form.get("schedule", ""))
    schedule_file = form.get("schedule_file")
    if isinstance(schedule_file, UploadFile) and is_file(schedule_file):
        text = (await schedule_file.read(200_000)).decode("utf-8", "replace")
    with session_for(request) as s:
        shop = _the_shop(s)
        listings = s.exec(select(Listing).where(Listing.status != "deleted")).all()
        skus: dict[str, int] = {}
        ids: set[int] = set()
        for x in listings:
            assert x.id is not None, "a stored listing has an id"
            skus[x.sku] = x.id
            ids.add(x.id)
        try:
            schedule = parse_schedule(text, skus, ids)
            old = None
            video = form.get("video")
            if isinstance(video, UploadFile) and is_file(video):
                old = shop.promo_video
                shop.promo_video = await save_video(video, state.media_dir, "shop",
                                                    state.settings.max_video_bytes)
        except (ValueError, UploadError) as exc:
            return render(request, "seller/live.html", {"error": str(exc), "schedule": text,
                                                        "max_video_bytes": state.settings.max_video_bytes}, 400)
        shop.live_schedule = json.dumps(schedule)
        s.add(shop)
        s.commit()
    remove_media(state.media_dir, old)
    flash(request, "Live room saved.")
    return redirect("/seller/live")
