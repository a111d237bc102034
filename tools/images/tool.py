"""The image tools the planner calls: a product's pictures per platform size, and the
shop's logo and banner. Files go under <workdir>/assets/images/; each is recorded as an
Asset with its provenance, and a re-run with the same inputs rewrites nothing."""

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image
from sqlmodel import Session, col, select

import prompts
from store_data.db import session_scope
from store_data.rows import stored
from store_data.shop import Asset, Listing, Product, Shop, Variant
from tools.copy.attributes import human_label, known_attributes
from tools.deps import ToolDeps
from tools.drivers.diffusion import DiffusionBackend
from tools.errors import ToolFailed, ToolRetry
from tools.images import labels
from tools.images.brand import render_banner, render_logo
from tools.images.detail_page import DetailContent, render_detail
from tools.images.fonts import find_fonts
from tools.images.formats import BANNER, LIFESTYLE, LOGO, PROFILES, SIZES, ImageSize, Profile, check_file, check_placement, check_source, encode
from tools.images.colours import colour_lint, colour_option
from tools.images.lifestyle import lifestyle_scene, seed_for
from tools.images.lint import picture_lint, product_colour
from tools.images.staging import stage

if TYPE_CHECKING:
    from tools.images.cutout import Cutout

RECIPE = "images-3"  # bump when the drawing code changes, so old pictures are remade
CREATOR = "shopagent compositor"
NO_MODEL_NOTE = "no image_model configured: compositor pictures only (set image_model to a diffusers folder or model id for lifestyle scenes)"


def make_product_images(deps: ToolDeps, sku: str, platforms: list[str] | None = None) -> dict:
    """Make the product pictures for the product of one SKU from its supplier photo:
    background removed and re-staged on a studio backdrop with the brand's colours.

    `platforms` picks the sizes: "1:1-800" and "1:1-1600" (square main image), "3:4",
    "9:16", "detail-750" (the long detail image with selling points); default all. When an
    image model is configured a lifestyle scene is added, marked as AI-made. Returns each
    picture's kind, size, path and whether it was made now or was already up to date.
    """
    names = list(dict.fromkeys(platforms or SIZES))
    unknown = [name for name in names if name not in SIZES]
    if unknown:
        raise ToolRetry(f"unknown platform size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    settings, profile = deps.settings, PROFILES[deps.settings.image_profile]
    with session_scope(deps.engine) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
        if variant is None:
            raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
        product = stored(session, Product, variant.product_id)
        photo = _photo_of(session, variant)
        shop = session.exec(select(Shop).order_by(col(Shop.id))).first()
        listing = session.exec(select(Listing).where(Listing.product_id == product.id).order_by(col(Listing.id))).first()
        maker = _Maker(deps, session, product, photo, shop, profile)
        results = [maker.main(SIZES[name]) if SIZES[name].kind == "main_image" else maker.detail(SIZES[name], listing) for name in names]
        if settings.image_model:
            results.append(maker.lifestyle())
        siblings = session.exec(select(Variant).where(Variant.product_id == product.id)).all()
        _check_colour(session, variant, [v for v in siblings if v.id != variant.id], results)
    made = sum(r["status"] == "made" for r in results)
    summary = {"sku": sku, "product": product.handle, "profile": profile.name,
               "backend": "compositor+diffusers" if settings.image_model else "compositor",
               "made": made, "unchanged": len(results) - made, "images": results}
    if not settings.image_model:
        summary["note"] = NO_MODEL_NOTE
    return summary


def make_brand_images(deps: ToolDeps) -> dict:
    """Draw the shop's logo (512 px square PNG) and banner (1920x600) from its brand concept:
    name, colours and slogan. Needs the shop's brand to exist. With an image model the
    banner's background is painted by the model and the banner is marked as AI-made."""
    with session_scope(deps.engine) as session:
        shop = session.exec(select(Shop).order_by(col(Shop.id))).first()
        if shop is None or not shop.name.strip():
            raise ToolRetry("the shop has no brand yet; create its brand (name, slogan, colours) first")
        fonts = find_fonts(str(deps.settings.image_font) if deps.settings.image_font else None)
        profile = PROFILES[deps.settings.image_profile]
        folder = Path("assets") / "images" / "brand"
        logo_inputs = _key(RECIPE, shop.name, shop.colors)
        logo = _write(deps, session, LOGO, folder / "logo.png", None, None, logo_inputs,
                      lambda: render_logo(shop.name, shop.colors, fonts), None, {"backend": "compositor"})
        banner = _write(deps, session, BANNER, folder / f"banner{profile.suffix}", None, None,
                        _key(logo_inputs, shop.slogan, profile.name, deps.settings.image_model),
                        *_banner_recipe(deps, shop, fonts, profile), producer=shop.name)
        shop.logo_path, shop.banner_path = logo["path"], banner["path"]
        session.add(shop)
    return {"shop": shop.name, "images": [logo, banner],
            **({} if deps.settings.image_model else {"note": NO_MODEL_NOTE})}


def _banner_recipe(deps: ToolDeps, shop: Shop, fonts,
                   profile: Profile) -> tuple[Callable[[], Image.Image], Profile, dict[str, Any], str]:
    """How to draw the banner: (draw, profile, provenance, source type) for _write."""
    settings = deps.settings
    if not settings.image_model:
        return (lambda: render_banner(shop.name, shop.slogan, shop.colors, fonts)), profile, {"backend": "compositor"}, labels.COMPOSITE
    prompt = prompts.render("image_banner", colours=", ".join(shop.colors) or "warm neutral", mood=shop.tone or "quiet and welcoming").strip()
    seed = seed_for("banner", shop.name)
    provenance: dict[str, Any] = {}

    def draw() -> Image.Image:
        side = settings.image_size
        generated = _backend(deps).text_to_image(prompt, side, max(64, side // 3 // 8 * 8), seed)
        provenance.update(generated.provenance())
        return render_banner(shop.name, shop.slogan, shop.colors, fonts, background=generated.image)
    return draw, profile, provenance, labels.AI_COMPOSITE


class _Maker:
    """Makes one product's pictures, cutting the photo out only if some picture needs it."""

    def __init__(self, deps: ToolDeps, session: Session, product: Product, photo: Asset, shop: Shop | None, profile: Profile):
        self.deps, self.session, self.product, self.photo, self.profile = deps, session, product, photo, profile
        self.colours = list(shop.colors) if shop else []
        self.shop = shop
        self.producer = shop.name if shop else ""
        self.settings = deps.settings
        self.fonts = find_fonts(str(self.settings.image_font) if self.settings.image_font else None)
        self.folder = Path("assets") / "images" / product.handle
        self._loaded: tuple[Cutout, Image.Image] | None = None

    def _photo_and_cutout(self) -> "tuple[Cutout, Image.Image]":
        """The product cut out of the supplier photo, and that photo (RGB), read once."""
        if self._loaded is None:
            # OpenCV comes with the media extra; import it only when a picture is drawn.
            from tools.images.cutout import remove_background

            path = self.deps.workdir / self.photo.path
            if not path.is_file():
                raise ToolFailed(f"the supplier photo {self.photo.path} is missing from the work directory; import the catalog again")
            with Image.open(path) as image:
                photo = image.convert("RGB")
            self._loaded = remove_background(photo), photo
        return self._loaded

    @property
    def cutout(self) -> "Cutout":
        return self._photo_and_cutout()[0]

    def _source(self) -> dict[str, Any]:
        return {"source_photo": self.photo.path, "source_sha256": self.photo.sha256}

    def main(self, size: ImageSize) -> dict:
        inputs = _key(RECIPE, self.photo.sha256, size.name, self.profile.name, self.colours, self.settings.image_badge)
        provenance: dict[str, Any] = {"backend": "compositor", **self._source()}

        if size.height is None:
            raise ToolFailed(f"the picture size {size.name} has no height; a main picture needs one (tools/images/formats.py)")
        height = size.height

        def draw() -> Image.Image:
            cutout, photo = self._photo_and_cutout()
            staged = stage(cutout.image, size.width, height, self.colours,
                           badge=self.settings.image_badge, fonts=self.fonts)
            problems = check_placement(staged.product_box, staged.image.size)
            problems += check_source(photo, cutout.longest_side, max(staged.product_box[2] - staged.product_box[0],
                                                                    staged.product_box[3] - staged.product_box[1]))
            if problems:
                raise ToolFailed(f"{self.product.handle} {size.name}: " + "; ".join(problems))
            # What a seller would not publish, kept with the picture (bench/listing_quality.py counts it).
            provenance["lint"] = picture_lint(staged, cutout.image, cutout.box, photo.size)
            provenance["colour_lab"] = product_colour(staged)
            return staged.image
        return _write(self.deps, self.session, size, self._path(size), self.product.id, self.photo.variant_id,
                      inputs, draw, self.profile, provenance, producer=self.producer)

    def detail(self, size: ImageSize, listing: Listing | None) -> dict:
        language = listing.language if listing else self.product.language
        content = DetailContent(
            name=(listing.title if listing and listing.title else self.product.name),
            points=list(listing.selling_points) if listing else [],
            specs={human_label(k, language): v for k, v in known_attributes(self.product.attributes).items()},
            language=language,
            shop_name=self.shop.name if self.shop else "", slogan=self.shop.slogan if self.shop else "")
        inputs = _key(RECIPE, self.photo.sha256, size.name, self.profile.name, self.colours, content.__dict__)

        def draw() -> Image.Image:
            return render_detail(self.cutout.image, content, self.colours, self.fonts, self.profile.max_detail_height)
        return _write(self.deps, self.session, size, self._path(size), self.product.id, self.photo.variant_id,
                      inputs, draw, self.profile, {"backend": "compositor", **self._source()}, producer=self.producer)

    def lifestyle(self) -> dict:
        settings = self.settings
        seed = seed_for("lifestyle", self.photo.sha256)
        label = settings.ai_label_text or self.profile.ai_label_text
        inputs = _key(RECIPE, self.photo.sha256, self.profile.name, self.colours, settings.image_model,
                      settings.image_steps, settings.image_size, seed, label if self.profile.visible_ai_label else "")
        provenance: dict[str, Any] = {**self._source()}

        def draw() -> Image.Image:
            scene = lifestyle_scene(_backend(self.deps), self.cutout.image, self.product.name, self.product.category,
                                    self.colours, seed, settings.image_size, LIFESTYLE.width)
            provenance.update(scene.generated.provenance())
            if self.profile.visible_ai_label:
                provenance["visible_label"] = label
                return labels.add_visible_label(scene.image, label, self.fonts)
            return scene.image
        return _write(self.deps, self.session, LIFESTYLE, self._path(LIFESTYLE), self.product.id, self.photo.variant_id,
                      inputs, draw, self.profile, provenance, source_type=labels.AI_COMPOSITE, producer=self.producer)

    def _path(self, size: ImageSize) -> Path:
        safe = size.name.replace(":", "x")
        return self.folder / f"{self.photo.sha256[:10]}-{safe}{self.profile.suffix}"


def _backend(deps: ToolDeps) -> DiffusionBackend:
    """The run's diffusion backend, loaded once and kept in the run's cache."""
    settings = deps.settings
    if settings.image_model is None:  # the callers paint only with a model set
        raise ToolFailed("no image model is set; set image_model in shopagent.toml to paint pictures")
    key = ("diffusion", settings.image_model, settings.image_device, settings.image_steps)
    if key not in deps.cache:
        deps.cache[key] = DiffusionBackend(settings.image_model, settings.image_device, settings.image_steps)
    return deps.cache[key]


def _check_colour(session: Session, variant: Variant, siblings: list[Variant], results: list[dict]) -> None:
    """Hold the variant's main pictures against the colour its option names ("Gloss White"
    showing the navy mug fails); the finding joins the picture's lint, named by SKU, and the
    tool's answer. A picture shared by variants keeps one finding per SKU."""
    value = colour_option(variant.options)
    others = [v for v in (colour_option(s.options) for s in siblings) if v and v != value]
    for result in results:
        if result["kind"] != "main_image":
            continue
        asset = session.exec(select(Asset).where(Asset.path == result["path"], Asset.kind == "main_image")).first()
        if asset is None or "colour_lab" not in asset.provenance:
            continue  # made before the colour was measured: the next remake measures it
        lab = asset.provenance["colour_lab"]
        found = [f"{variant.sku}: {p}" for p in colour_lint(tuple(lab) if lab else None, value, others)]
        kept = [p for p in asset.provenance.get("lint", []) if not p.startswith(f"{variant.sku}: ")]
        if kept + found != asset.provenance.get("lint", []):
            asset.provenance = {**asset.provenance, "lint": kept + found}
            session.add(asset)
        if found:
            result["lint"] = found


def _photo_of(session: Session, variant: Variant) -> Asset:
    """The variant's own first supplier photo, else the first one of its product."""
    for condition in (Asset.variant_id == variant.id, Asset.product_id == variant.product_id):
        photo = session.exec(select(Asset).where(Asset.kind == "supplier_photo", condition).order_by(col(Asset.id))).first()
        if photo is not None:
            return photo
    raise ToolFailed(f"SKU {variant.sku} has no supplier photo; add one in the catalog's photos column and import it again")


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()[:16]


def _write(deps: ToolDeps, session: Session, size: ImageSize, relative: Path, product_id: int | None, variant_id: int | None,
           inputs: str, draw, profile: Profile | None, provenance: dict[str, Any], source_type: str = labels.COMPOSITE,
           producer: str = "") -> dict:
    """Draw, encode, check and record one picture, unless the recorded one has the same
    inputs and its file is intact. `profile` None writes a PNG (the logo keeps transparency)."""
    target = deps.workdir / relative
    asset = session.exec(select(Asset).where(Asset.path == relative.as_posix(), Asset.kind == size.kind)).first()
    if asset and asset.provenance.get("inputs") == inputs and target.is_file() and _sha256(target.read_bytes()) == asset.sha256:
        return _summary(asset, target, "unchanged")
    image = draw()
    if profile is None:
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        data = buffer.getvalue()
    else:
        xmp = labels.xmp_packet(source_type, CREATOR if source_type == labels.COMPOSITE else f"{CREATOR} + diffusers",
                                producer=producer, content_id=inputs)
        data = encode(image, profile, xmp)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if profile is not None:
        problems = check_file(target, size, profile)
        if problems:
            raise ToolFailed(f"{relative}: failed the picture checks: {'; '.join(problems)}")
    values = dict(kind=size.kind, path=relative.as_posix(), product_id=product_id, variant_id=variant_id, platform=size.name,
                  width=image.width, height=image.height, sha256=_sha256(data),
                  provenance={**provenance, "inputs": inputs, "digital_source_type": source_type,
                              "profile": profile.name if profile else None})
    if asset is None:
        asset = Asset(**values)
    else:
        for name, value in values.items():
            setattr(asset, name, value)
    session.add(asset)
    session.flush()
    return _summary(asset, target, "made")


def _summary(asset: Asset, target: Path, status: str) -> dict:
    return {"kind": asset.kind, "platform": asset.platform, "path": asset.path, "width": asset.width, "height": asset.height,
            "bytes": target.stat().st_size, "status": status, "ai_made": asset.provenance.get("digital_source_type") in labels.MODEL_MADE}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
