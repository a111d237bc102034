"""Platform image sizes and profiles, encoding under a byte limit, and the quality gates.

A size says what to make (800x800 main image, the 750 px long detail page, ...). A
profile says how a marketplace wants it delivered: file format, byte limit, and whether a
model-made image must also carry a visible AI label.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms

from tools.errors import ToolFailed


@dataclass(frozen=True)
class ImageSize:
    """One output shape; `height` None means a long image whose height follows its content."""

    name: str
    width: int
    height: int | None
    kind: str  # the Asset kind it is recorded as


SIZES: dict[str, ImageSize] = {size.name: size for size in (
    ImageSize("1:1-800", 800, 800, "main_image"),
    ImageSize("1:1-1600", 1600, 1600, "main_image"),
    ImageSize("3:4", 750, 1000, "main_image"),
    ImageSize("9:16", 1080, 1920, "main_image"),
    ImageSize("detail-750", 750, None, "detail_image"),
)}
LIFESTYLE = ImageSize("lifestyle-1:1", 800, 800, "lifestyle")
LOGO = ImageSize("logo", 512, 512, "logo")
BANNER = ImageSize("banner", 1920, 600, "banner")


@dataclass(frozen=True)
class Profile:
    """How one marketplace takes its pictures."""

    name: str
    format: str  # "JPEG" or "WEBP"
    max_bytes: int
    visible_ai_label: bool  # model-made images also get a visible label
    ai_label_text: str
    max_detail_height: int = 12000

    @property
    def suffix(self) -> str:
        return ".jpg" if self.format == "JPEG" else ".webp"


PROFILES: dict[str, Profile] = {profile.name: profile for profile in (
    Profile("sandbox", "JPEG", 3 * 1024 * 1024, visible_ai_label=False, ai_label_text="AI-generated"),
    # Chinese marketplaces: 3 MB pictures, and the 2025 labelling measures ask for a visible mark.
    Profile("taobao", "JPEG", 3 * 1024 * 1024, visible_ai_label=True, ai_label_text="AI生成"),
    Profile("shopify", "WEBP", 20 * 1024 * 1024, visible_ai_label=False, ai_label_text="AI-generated"),
)}

MIN_SOURCE_SIDE = 300  # a supplier photo smaller than this cannot make an 800 px main image
MAX_UPSCALE = 3.0  # the product may be enlarged at most this much from the photo's pixels
SAFE_MARGIN = 0.02  # the product must stay this fraction of the side away from every edge
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encode(image: Image.Image, profile: Profile, xmp: bytes = b"") -> bytes:
    """The image as sRGB JPEG or WebP bytes under the profile's byte limit.

    Quality steps down from 92 until the file fits; a picture that still does not fit at
    quality 60 is an error rather than a blurry upload.
    """
    rgb = image.convert("RGB")
    for quality in (92, 86, 80, 72, 64, 60):
        buffer = io.BytesIO()
        options: dict[str, object] = {"quality": quality, "icc_profile": SRGB_ICC}
        if xmp:
            options["xmp"] = xmp
        if profile.format == "JPEG":
            options.update(optimize=True, progressive=True, subsampling="4:2:0")
        else:
            options.update(method=4)
        rgb.save(buffer, profile.format, **options)
        if buffer.tell() <= profile.max_bytes:
            return buffer.getvalue()
    raise ToolFailed(f"a {rgb.width}x{rgb.height} image stays over {profile.max_bytes // 1024} KB even at quality 60; "
                     f"choose a profile with a larger limit")


def check_file(path: Path, size: ImageSize, profile: Profile) -> list[str]:
    """Problems with a written image file: format, colour space, pixel size, byte size.

    An empty list means it passes every file gate.
    """
    problems = []
    byte_size = path.stat().st_size
    if byte_size > profile.max_bytes:
        problems.append(f"{byte_size} bytes is over the {profile.max_bytes} byte limit")
    with Image.open(path) as image:
        if image.format != profile.format:
            problems.append(f"format {image.format}, expected {profile.format}")
        if image.mode != "RGB":
            problems.append(f"mode {image.mode}, expected RGB")
        icc = image.info.get("icc_profile")
        if not icc or ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() != "sRGB built-in":
            problems.append("no sRGB colour profile")
        width, height = image.size
    if width != size.width:
        problems.append(f"width {width}, expected {size.width}")
    if size.height is not None and height != size.height:
        problems.append(f"height {height}, expected {size.height}")
    if size.height is None and not size.width <= height <= profile.max_detail_height:
        problems.append(f"detail height {height} outside {size.width}..{profile.max_detail_height}")
    return problems


def check_placement(box: tuple[int, int, int, int], canvas: tuple[int, int]) -> list[str]:
    """Problems with where the product sits: it must lie whole inside the canvas, off the edges."""
    left, top, right, bottom = box
    width, height = canvas
    margin_x, margin_y = int(width * SAFE_MARGIN), int(height * SAFE_MARGIN)
    if left < margin_x or top < margin_y or right > width - margin_x or bottom > height - margin_y:
        return [f"product box {box} reaches the edge of the {width}x{height} canvas (cropped)"]
    if right - left < width * 0.3 and bottom - top < height * 0.3:
        return [f"product box {box} is too small on the {width}x{height} canvas"]
    return []


def check_source(photo: Image.Image, product_px: int, target_px: int) -> list[str]:
    """Problems with the supplier photo as a source: too small overall, or enlarged too much.

    `product_px` is the product's longest side in the photo, `target_px` on the output.
    """
    if min(photo.size) < MIN_SOURCE_SIDE:
        return [f"the photo is {photo.width}x{photo.height}; supply one at least {MIN_SOURCE_SIDE} px on its short side"]
    if target_px > product_px * MAX_UPSCALE:
        return [f"the product is {product_px} px in the photo but must fill {target_px} px "
                f"(over {MAX_UPSCALE:g}x enlargement); supply a larger or closer photo"]
    return []
