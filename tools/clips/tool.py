"""`make_promo_clip`: a product's vertical promo video, made offline.

script (model, fact-checked, or template) -> voice with word and phoneme timings ->
presenter + product shots + price + captions, streamed to H.264/AAC -> MP4, SRT and
thumbnail under <workdir>/assets/clips/<handle>/, each recorded as an Asset. One clip per
look of the product (tools/listings.py variant_looks: a colourway, a photo of its own), each
showing that look's pictures; variants that differ only in size share one. The inputs' hash
is kept in the clip's provenance, so a re-run with the same inputs makes nothing.
"""

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.rows import stored
from store_data.shop import Asset, Listing, Product, Shop, Variant
from tools.copy.attributes import known_attributes
from tools.copy.facts import CJK, Facts
from tools.copy.profiles import normalise_language, profile_or_sandbox
from tools.copy.tool import facts_of
from tools.deps import ToolDeps
from tools.drivers.marketplace import VIDEO
from tools.errors import ToolFailed, ToolRetry
from tools.images.colours import colour_option, named_colour
from tools.listings import listing_clips, variant_looks
from tools.llm import NOT_ASKED, Structured
from tools.order_sync import require_driver
from tools.settings import ToolSettings

RECIPE = "clip-4"  # bump when the drawing, voice timing or script rules change
SHOT_KINDS = ("main_image", "lifestyle", "supplier_photo")
CALL_TO_ACTION = {"en": "Buy now", "zh-CN": "立即购买"}
MAX_SHOTS = 3


def ai_label(settings: ToolSettings, language: str) -> str:
    """The visible AI mark for this platform and language ('platform:language' wins)."""
    labels = settings.clip_ai_label
    return labels.get(f"{settings.platform}:{language}") or labels.get(language) or "AI-generated"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _shots(session: Session, deps: ToolDeps, product: Product, look: list[Variant], first_look: bool) -> list[Asset]:
    """The look's pictures for the pan-and-zoom, best first: square main images, then
    other main images, lifestyle scenes, the supplier photo. A picture is the look's when it
    was made for one of its variants or from one of their photos; pictures recorded before
    they were kept per variant count for the first look."""
    rows = session.exec(select(Asset).where(Asset.product_id == product.id, col(Asset.kind).in_(SHOT_KINDS))).all()
    ids = {v.id for v in look}
    photos = {a.sha256 for a in rows if a.kind == "supplier_photo" and a.variant_id in ids}
    rows = [a for a in rows if a.variant_id in ids or (a.provenance or {}).get("source_sha256") in photos
            or (first_look and a.variant_id is None)] or (rows if first_look else [])
    rank = {"1:1-1600": 0, "1:1-800": 1}
    rows = sorted(rows, key=lambda a: (SHOT_KINDS.index(a.kind), rank.get(a.platform or "", 2), a.id))
    chosen, sources = [], set()
    for row in rows:
        # One size per picture: the 800 px main image adds nothing beside the 1600 px one.
        source = (row.provenance or {}).get("source_sha256") if row.kind == "main_image" else row.sha256
        key = (row.kind, row.platform and row.platform.split("-")[0], source)
        if key in sources or not (deps.workdir / row.path).is_file():
            continue
        sources.add(key)
        chosen.append(row)
    return chosen[:MAX_SHOTS]


def _read(path: Path, alpha: bool = False):
    """A picture as a BGR array (OpenCV, from the media extra); with `alpha`, BGRA when the
    file has transparency (the logo's corners)."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED if alpha else cv2.IMREAD_COLOR)
    if image is not None and alpha and (image.ndim == 2 or image.shape[2] not in (3, 4)):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ToolFailed(f"cannot read the picture {path}; make the product images again")
    return image


def _presenter(deps: ToolDeps, shop: Shop | None, seed: int):
    """The presenter the settings ask for."""
    settings = deps.settings
    if settings.clip_presenter == "avatar":
        from tools.clips.presenter import DrawnAvatar

        return DrawnAvatar(settings.clip_avatar_look, (shop.colors[0] if shop and shop.colors else "#3A6EA5"), seed)
    photo = settings.clip_owner_photo
    if photo is None:
        raise ToolFailed(f"clip_presenter = {settings.clip_presenter} needs the owner's portrait; set clip_owner_photo")
    photo = photo if photo.is_absolute() else deps.workdir / photo
    if not photo.is_file():
        raise ToolFailed(f"the owner's photo {photo} does not exist; fix clip_owner_photo")
    if settings.clip_presenter == "twin":
        from tools.clips.twin import PhotoTwin

        return PhotoTwin(photo, seed)
    import cv2

    from tools.clips.presenter import TalkingHead, load_talking_head

    if not settings.clip_talking_head:
        raise ToolFailed("clip_presenter = talking-head needs a backend; set clip_talking_head to module:factory")
    return TalkingHead(load_talking_head(settings.clip_talking_head), cv2.cvtColor(_read(photo), cv2.COLOR_BGR2RGB))


def _model_failed_copy(listing: Listing | None, language: str) -> bool:
    """Whether the model's listing copy for this product, in this language, was rejected by
    the fact check (or not asked for, its recent drafts having been rejected): its script
    would be checked against the same facts, so it is not asked."""
    return (listing is not None and listing.made_by == "template" and listing.language == language
            and any(f.startswith(("rejected answer:", NOT_ASKED)) for f in listing.check_findings or []))


def _inputs_key(deps: ToolDeps, facts: Facts, shop: Shop | None, cents: int | None, language: str,
                shots: list[Asset], voice: str, ask_model: bool) -> str:
    """A hash of everything the clip depends on, the model included."""
    from tools.clips.encode import VideoFormat  # the media extra, like everything that renders

    s = deps.settings
    payload = {
        "recipe": RECIPE, "facts": facts.key, "language": language, "price": cents, "currency": s.currency,
        "shop": [shop.name, shop.slogan, shop.tone, shop.colors, shop.logo_path] if shop else None,
        "shots": [a.sha256 for a in shots], "voice": voice, "presenter": s.clip_presenter,
        "look": s.clip_avatar_look, "photo": str(s.clip_owner_photo), "head": s.clip_talking_head,
        "label": ai_label(s, language), "crf": s.clip_crf, "preset": s.clip_preset,
        "x264": VideoFormat(preset=s.clip_preset).x264_params,
        "model": "none" if deps.llm is None or not ask_model else f"{s.llm_provider}:{s.llm_model or ''}",
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _record(session: Session, product: Product, look_id: int | None, first_look: bool, kind: str, path: Path,
            relative: Path, language: str, provenance: dict[str, Any], size: tuple[int, int] | None = None) -> Asset:
    """Insert or update the one Asset of this kind, product, look and language (a clip
    recorded before clips were kept per look is the first look's)."""
    rows = session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == kind)).all()
    row = next((r for r in rows if (r.provenance or {}).get("language") == language
                and (r.variant_id == look_id or (first_look and r.variant_id is None))), None) or Asset(kind=kind, path="")
    row.product_id, row.variant_id, row.path, row.sha256 = product.id, look_id, relative.as_posix(), _sha256(path)
    row.width, row.height = size or (None, None)
    row.provenance, row.created_at = {**provenance, "language": language}, utcnow()
    session.add(row)
    return row


def _can(deps: ToolDeps, capability: str) -> bool:
    return deps.driver is not None and capability in getattr(deps.driver, "capabilities", ())


def _upload(deps: ToolDeps, sku: str, language: str) -> dict:
    """Put the product's clips (one per look, this one among them) on its live listing, when
    the marketplace takes videos. A product not published yet gets its clips with the listing
    (publish_listing sends them)."""
    if not _can(deps, VIDEO):
        return {"status": "pending", "note": "this marketplace takes no listing videos; the clip stays in the work directory"}
    with Session(deps.engine) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
        if variant is None:
            raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
        listing = session.exec(select(Listing).where(Listing.product_id == variant.product_id,
                                                     Listing.marketplace == deps.settings.platform)).first()
        if listing is None or listing.remote_id is None or listing.status != "published":
            return {"status": "pending", "note": "the clip goes up with the listing when it is published"}
        videos, numbers = listing_clips(session, deps.workdir, stored(session, Product, variant.product_id), language)
    require_driver(deps, VIDEO).upload_listing_videos(listing.remote_id, videos, numbers if len(videos) > 1 else {})
    return {"status": "uploaded", "remote": listing.remote_id}


def make_promo_clip(deps: ToolDeps, sku: str, language: str | None = None) -> dict:
    """Make the 15-30 s vertical promo video (1080x1920 MP4) for the product of one SKU, in
    the SKU's look (a colourway with its own photo gets a clip of its own; sizes share one):
    a presenter speaks a short script grounded in the catalog facts (hook, benefits,
    price, call to action) over product shots, with word-timed subtitles and a visible
    AI-generated mark. `language` is "en" or "zh-CN" (default: the shop's locale).
    Also writes the SRT subtitles and a thumbnail, and uploads the clip to the listing
    when the marketplace driver supports it. Returns paths, duration and how it was made.
    """
    import cv2

    from tools.clips.compose import ClipContent, ClipRenderer
    from tools.clips.encode import VideoFormat, write_mp4
    from tools.clips.script import lines_of, offer_line, price_text, template_script, write_script
    from tools.clips.subtitles import make_cues, srt_text
    from tools.drivers.voice import load_voice
    from tools.images.fonts import find_fonts

    settings = deps.settings
    with session_scope(deps.engine) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
        if variant is None:
            raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
        product = stored(session, Product, variant.product_id)
        shop = session.exec(select(Shop).order_by(col(Shop.id))).first()
        lang = normalise_language(language or (shop.locale if shop else settings.locale))
        if lang is None:
            raise ToolRetry(f"unknown language '{language}'; use en or zh-CN")
        listing = session.exec(select(Listing).where(Listing.product_id == product.id).order_by(col(Listing.id))).first()
        variants = session.exec(select(Variant).where(Variant.product_id == product.id)).all()
        looks = variant_looks(session, product.id)
        look = next(group for group in looks if variant.id in {v.id for v in group})
        first_look, lead = look is looks[0], look[0]
        facts = facts_of(product, list(variants), settings, lang)
        if not first_look:  # the look's own row names it ("..., Gloss Navy") and states its facts
            facts = dataclasses.replace(facts, name=lead.name or product.name,
                                        attributes=_look_attributes(facts.attributes, lead, looks[0][0]))
        cents = (listing.price_cents if first_look and listing and listing.price_cents is not None
                 else lead.price_cents if lead.price_cents is not None else variant.price_cents)
        shots = _shots(session, deps, product, look, first_look)
        voice_spec = settings.clip_voice_zh if lang == "zh-CN" else settings.clip_voice_en
        ask_model = not _model_failed_copy(listing, lang)
        key = _inputs_key(deps, facts, shop, cents, lang, shots, voice_spec, ask_model)
        folder = Path("assets") / "clips" / product.handle
        # The first look's clip keeps the product's name; another look's is named by its first SKU.
        stem = product.handle if first_look else f"{product.handle}-{_slug(lead.sku)}"
        clip_rel = folder / f"{stem}-{lang}.mp4"
        done = session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == "clip")).all()
        current = next((a for a in done if (a.provenance or {}).get("key") == key and (deps.workdir / a.path).is_file()
                        and (a.variant_id == lead.id or (first_look and a.variant_id is None))), None)
        look_skus = [v.sku for v in look]
        if current is not None:
            if (current.provenance or {}).get("upload") != "uploaded" and _can(deps, VIDEO):
                upload = _upload(deps, sku, lang)  # the clip was made before the driver could take it
                current.provenance = {**current.provenance, "upload": upload["status"]}
                session.add(current)
            return {"sku": sku, "product": product.handle, "status": "unchanged", "look": look_skus, **_summary(current)}
        product_name = (listing.title if first_look and listing and listing.title else facts.name)
        shot_paths = [deps.workdir / a.path for a in shots]
    # Everything below runs outside the database session: rendering takes seconds.
    shop_name = shop.name if shop and shop.name else "our shop"
    profile = profile_or_sandbox(settings.platform)
    if ask_model:
        script = write_script(deps.llm, facts, profile, lang, shop_name, shop.tone if shop else "", product.description[:300])
    else:  # saves the model calls (seconds each on a small local model) that would fail the same check
        script = Structured(template_script(facts, lang, profile), "fallback", 0,
                            ["not asked: the model's listing copy for this product was not accepted"])
    lines = lines_of(script.value, offer_line(cents, settings.currency, lang, shop_name))
    speech = load_voice(voice_spec).speak(lines)
    label = ai_label(settings, lang)
    logo_path = deps.workdir / shop.logo_path if shop and shop.logo_path else None
    content = ClipContent(
        shop_name=shop_name, product_name=product_name,
        price_text=price_text(cents, settings.currency) if cents is not None else None,
        shots=[_read(path) for path in shot_paths], colours=list(shop.colors) if shop else [],
        ai_label=label, call_to_action=CALL_TO_ACTION[lang], slogan=shop.slogan if shop else "",
        logo=_read(logo_path, alpha=True) if logo_path and logo_path.is_file() else None)
    presenter = _presenter(deps, shop, seed=int(key[:8], 16))
    cues = make_cues(speech, lang)
    fmt = VideoFormat(preset=settings.clip_preset, crf=settings.clip_crf)
    fonts = find_fonts(str(settings.image_font) if settings.image_font else None)
    renderer = ClipRenderer(content, speech, cues, presenter, fonts, fmt)
    target = deps.workdir / clip_rel
    partial = target.with_suffix(".part.mp4")
    aigc = {"Label": "1", "ContentProducer": shop_name, "ProduceID": key[:16], "ReservedCode1": "",
            "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}
    metadata = {"title": f"{content.product_name} | {shop_name}", "artist": shop_name,
                "comment": f"{label}: AI-generated video (synthetic voice, {presenter.name} presenter), made by shopagent",
                "description": json.dumps({"AIGC": aigc}, ensure_ascii=False)}
    frames = write_mp4(partial, renderer, fmt, speech.samples, speech.sample_rate, metadata)
    os.replace(partial, target)  # a run cut off half-way leaves no half clip behind
    srt_path, thumb_path = target.with_suffix(".srt"), target.with_suffix(".jpg")
    srt_path.write_text(srt_text(cues), encoding="utf-8")
    cv2.imwrite(str(thumb_path), renderer.thumbnail if renderer.thumbnail is not None else renderer.base,
                [cv2.IMWRITE_JPEG_QUALITY, 88])
    provenance = {"key": key, "recipe": RECIPE, "voice": voice_spec, "presenter": presenter.name,
                  "script_made_by": script.made_by, "script_problems": script.problems[:6], "lines": lines,
                  "duration_s": round(frames / fmt.fps, 3), "voice_s": round(speech.duration, 3), "ai_label": label,
                  "ai_generated": True, "sku": sku, "look": look_skus, "shots": [a.path for a in shots]}
    with session_scope(deps.engine) as session:
        clip = _record(session, product, lead.id, first_look, "clip", target, clip_rel, lang,
                       {**provenance, "upload": "pending"}, (fmt.width, fmt.height))
        side = {"clip": clip_rel.as_posix(), "key": key}
        _record(session, product, lead.id, first_look, "clip_subtitles", srt_path, clip_rel.with_suffix(".srt"), lang, side)
        _record(session, product, lead.id, first_look, "clip_thumbnail", thumb_path, clip_rel.with_suffix(".jpg"), lang,
                side, (fmt.width, fmt.height))
    # Recorded first, so the upload sends this clip with the other looks' clips.
    upload = _upload(deps, sku, lang)
    with session_scope(deps.engine) as session:
        clip = stored(session, Asset, clip.id)
        clip.provenance = {**clip.provenance, "upload": upload["status"]}
        session.add(clip)
    return {"sku": sku, "product": product.handle, "status": "made", "look": look_skus, **_summary(clip), "upload": upload}


def _look_attributes(attributes: dict[str, str], lead: Variant, first: Variant) -> dict[str, str]:
    """The facts a look's clip may state: its own catalog row's attributes; for a variant
    imported before rows kept theirs, the product's less those naming the first look's colour
    ("glaze: satin reactive glaze, sand" is not the charcoal bowl's)."""
    if lead.attributes:
        return known_attributes(lead.attributes)
    colour = colour_option(first.options)
    if not colour:
        return attributes
    words = {colour.lower(), named_colour(colour) or "", colour.rstrip("色") if CJK.search(colour) else ""} - {""}
    return {k: v for k, v in attributes.items() if not any(w in v.lower() for w in words)}


def _slug(sku: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in sku.lower())


def _summary(clip: Asset) -> dict:
    p = clip.provenance or {}
    return {"path": clip.path, "subtitles": str(Path(clip.path).with_suffix(".srt").as_posix()),
            "thumbnail": str(Path(clip.path).with_suffix(".jpg").as_posix()), "language": p.get("language"),
            "duration_s": p.get("duration_s"), "voice": p.get("voice"), "presenter": p.get("presenter"),
            "script_made_by": p.get("script_made_by"), "lines": p.get("lines", []), "upload": {"status": p.get("upload", "pending")}}
