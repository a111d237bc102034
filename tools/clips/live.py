"""`build_live_room`: every product's promo clip joined into one looping MP4, with the
schedule of which product is on air when, for a live room that runs around the clock."""

import hashlib
import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, func, select

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.orders import Order, OrderLine
from store_data.shop import Asset, Listing, Product, Shop, Variant
from store_data.status import OrderStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import LIVE
from tools.errors import ToolFailed, ToolRetry

DAY_S = 24 * 3600
SALES_DAYS = 30  # the sales that rank clips when the platform cannot take them all
FOLDER = Path("assets") / "live"


def on_air(schedule: dict, seconds: float) -> dict:
    """The schedule item on air `seconds` after the loop first started."""
    at = seconds % schedule["loop_s"]
    return next((item for item in schedule["items"] if item["start_s"] <= at < item["end_s"]), schedule["items"][-1])


def _clips(deps: ToolDeps, language: str) -> list[tuple[Asset, Product, str]]:
    """One clip per product (the shop's language first, then the clip of the option its
    listing opens on, then the newest), products in catalog order."""
    with session_scope(deps.engine) as session:
        rows = session.exec(select(Asset, Product).join(Product, col(Asset.product_id) == col(Product.id))
                            .where(Asset.kind == "clip").order_by(col(Product.id), col(Asset.id))).all()
        first: dict[int | None, Variant] = {
            v.product_id: v for v in session.exec(select(Variant).order_by(col(Variant.id))).all()[::-1]}
    chosen: dict[int | None, tuple[Asset, Product, str]] = {}
    ranks: dict[int | None, tuple[bool, bool]] = {}
    for asset, product in rows:
        if not (deps.workdir / asset.path).is_file():
            continue
        lead = first.get(product.id)
        sku = (asset.provenance or {}).get("sku") or (lead.sku if lead else product.handle)
        # A clip with no variant was made before clips were kept per look: the first look's.
        rank = ((asset.provenance or {}).get("language") == language,
                asset.variant_id is None or (lead is not None and asset.variant_id == lead.id))
        if product.id not in ranks or rank >= ranks[product.id]:
            chosen[product.id], ranks[product.id] = (asset, product, sku), rank
    return list(chosen.values())


def _within(deps: ToolDeps, clips: list[tuple[Asset, Product, str]], limit: int | None):
    """The clips that fit the platform's largest live-room video together, and the SKUs of
    those left out. When not all fit, the best sellers of the last SALES_DAYS days go first
    (then catalog order); the loop keeps catalog order. Joining copies the streams, so the
    loop is about the sum of the clips; a small margin covers the container."""
    if limit is None:
        return clips, []
    sizes = [(deps.workdir / asset.path).stat().st_size for asset, _, _ in clips]
    room = limit * 0.98 - 65536
    if sum(sizes) <= room:
        return clips, []
    sold = _units_sold(deps, [product.id for _, product, _ in clips])
    order = sorted(range(len(clips)), key=lambda i: (-sold.get(clips[i][1].id, 0), i))
    kept, total = set(), 0
    for i in order:
        if total + sizes[i] <= room:
            kept.add(i)
            total += sizes[i]
    if not kept:
        raise ToolFailed(f"no promo clip fits the platform's {limit / 2**20:.0f} MB live-room limit; "
                         "make the clips smaller (a higher clip_crf) with shopagent clips make --all")
    return ([clip for i, clip in enumerate(clips) if i in kept],
            [clip[2] for i, clip in enumerate(clips) if i not in kept])


def _units_sold(deps: ToolDeps, product_ids: list[int | None]) -> dict[int | None, int]:
    """Units sold per product in the last SALES_DAYS days, cancelled orders not counted."""
    since = utcnow() - timedelta(days=SALES_DAYS)
    with session_scope(deps.engine) as session:
        rows = session.exec(select(Variant.product_id, func.sum(OrderLine.quantity))
                            .join(OrderLine, col(OrderLine.variant_id) == col(Variant.id))
                            .join(Order, col(Order.id) == col(OrderLine.order_id))
                            .where(col(Variant.product_id).in_(product_ids), col(Order.placed_at) >= since,
                                   Order.status != OrderStatus.CANCELLED)
                            .group_by(col(Variant.product_id))).all()
    return {product_id: int(units or 0) for product_id, units in rows}


def _concatenate(paths: list[Path], target: Path, comment: str) -> None:
    """Join MP4s made with the same settings without re-encoding (ffmpeg's concat demuxer)."""
    import imageio_ffmpeg  # the media extra ships an ffmpeg binary

    listing = target.with_suffix(".txt")
    listing.write_text("".join(f"file '{p.resolve().as_posix()}'\n" for p in paths), encoding="utf-8")
    partial = target.with_suffix(".part.mp4")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "concat", "-safe", "0",
               "-i", str(listing), "-c", "copy", "-movflags", "+faststart", "-metadata", f"comment={comment}",
               "-f", "mp4", str(partial)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    listing.unlink(missing_ok=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise ToolFailed(f"joining the clips failed: {done.stderr.strip()[:300]}; make the clips again with shopagent clips make --all")
    os.replace(partial, target)


def _check_same_encoding(paths: list[Path]) -> None:
    """Joining without re-encoding needs one H.264 set-up (same size and x264 settings)."""
    import av

    seen = {}
    for path in paths:
        with av.open(str(path)) as container:
            video = container.streams.video[0].codec_context
            seen[path] = (video.width, video.height, bytes(video.extradata or b""))
    if len(set(seen.values())) > 1:
        raise ToolFailed("the clips were made with different video settings (clip_preset, clip_crf or an older version); "
                         "remake them with: shopagent clips make --all")


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return container.duration / 1_000_000 if container.duration else 0.0


def build_live_room(deps: ToolDeps) -> dict:
    """Join every product's promo clip into one looping video for the shop's 24-hour live
    room (as many as the platform's size limit takes, best sellers first), with a schedule
    of which product is on air when (a JSON file beside it), and hand both to the
    marketplace's live room when the driver supports it. Make the clips first
    (make_promo_clip). Returns the loop's path, length, schedule and the SKUs left out."""
    with session_scope(deps.engine) as session:
        shop = session.exec(select(Shop).order_by(col(Shop.id))).first()
    language = shop.locale if shop else deps.settings.locale
    clips = _clips(deps, language)
    if not clips:
        raise ToolRetry("no promo clips yet; call make_promo_clip for the products first")
    limit = deps.driver.live_room_max_bytes() if deps.driver is not None and _can(deps, LIVE) else None
    clips, left_out = _within(deps, clips, limit)
    paths = [deps.workdir / asset.path for asset, _, _ in clips]
    labels = deps.settings.clip_ai_label
    comment = f"{labels.get(language) or 'AI-generated'}: AI-generated video loop (synthetic presenters and voices)"
    key = hashlib.sha256(json.dumps([[a.path, a.sha256] for a, _, _ in clips] + [comment]).encode()).hexdigest()
    target = deps.workdir / FOLDER / "live-room.mp4"
    schedule_path = target.with_name("schedule.json")
    items, at = [], 0.0
    for (asset, product, sku), path in zip(clips, paths):
        length = float((asset.provenance or {}).get("duration_s") or _duration(path))
        items.append({"sku": sku, "product": product.handle, "title": product.name, "clip": asset.path,
                      "start_s": round(at, 3), "end_s": round(at + length, 3)})
        at += length
    schedule = {"key": key, "loop_s": round(at, 3), "loops_per_day": round(DAY_S / at, 1), "items": items,
                "left_out": left_out}
    status = "unchanged"
    old = json.loads(schedule_path.read_text(encoding="utf-8")) if schedule_path.is_file() else {}
    if old.get("key") != key or not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        _check_same_encoding(paths)
        _concatenate(paths, target, comment)
        status = "made"
        schedule["upload"] = _upload(deps, target, items)
    else:
        schedule["upload"] = old.get("upload") or _upload(deps, target, items)
        if schedule["upload"].get("status") != "uploaded" and _can(deps, LIVE):
            schedule["upload"] = _upload(deps, target, items)
    schedule_path.write_text(json.dumps(schedule, indent=1, ensure_ascii=False), encoding="utf-8")
    _record(deps, target, schedule_path, key)
    return {"status": status, "path": (FOLDER / target.name).as_posix(), "schedule": (FOLDER / schedule_path.name).as_posix(),
            "loop_s": schedule["loop_s"], "loops_per_day": schedule["loops_per_day"], "bytes": target.stat().st_size,
            "items": items, "left_out": left_out, "upload": schedule["upload"]}


def _can(deps: ToolDeps, capability: str) -> bool:
    return deps.driver is not None and capability in getattr(deps.driver, "capabilities", ())


def _upload(deps: ToolDeps, video: Path, items: list[dict]) -> dict:
    """Hand the loop and its schedule to the marketplace's live room, when the driver can."""
    if deps.driver is None or not _can(deps, LIVE):
        return {"status": "pending", "note": "this marketplace has no live room; the loop stays in the work directory"}
    # The platform knows listings, not the shop's SKUs: a product with variants is listed
    # under its own code. A product not listed yet is on air without a card.
    listed = _listing_ids(deps, [i["sku"] for i in items])
    schedule = [{"listing_id": int(listed[i["sku"]]) if listed[i["sku"]].isdigit() else listed[i["sku"]],
                 "start_s": i["start_s"], "end_s": i["end_s"]} for i in items if i["sku"] in listed]
    deps.driver.set_live_room(video, schedule)
    return {"status": "uploaded", "cards": len(schedule), "without_card": [i["sku"] for i in items if i["sku"] not in listed]}


def _listing_ids(deps: ToolDeps, skus: list[str]) -> dict[str, str]:
    """SKU -> remote id of its product's published listing on this run's marketplace."""
    with session_scope(deps.engine) as session:
        rows = session.exec(select(Variant.sku, Listing.remote_id)
                            .join(Listing, col(Listing.product_id) == col(Variant.product_id))
                            .where(col(Variant.sku).in_(skus), Listing.status == "published",
                                   Listing.marketplace == deps.settings.platform,
                                   col(Listing.remote_id).is_not(None))).all()
    return {sku: str(remote) for sku, remote in rows}


def _record(deps: ToolDeps, video: Path, schedule: Path, key: str) -> None:
    """Keep one live_room Asset pointing at the current loop."""
    with session_scope(deps.engine) as session:
        row = session.exec(select(Asset).where(Asset.kind == "live_room")).first() or Asset(kind="live_room", path="")
        row.path = (FOLDER / video.name).as_posix()
        row.sha256 = hashlib.sha256(video.read_bytes()).hexdigest()
        row.width, row.height = 1080, 1920
        row.provenance = {"key": key, "schedule": (FOLDER / schedule.name).as_posix(), "ai_generated": True}
        session.add(row)
