"""Re-staging a cut-out product: studio backdrop, soft shadow, floor reflection, brand
accents and an optional badge, for any canvas size."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tools.images.fonts import Fonts

NEUTRAL = ("#2F3A4A", "#C8A165")  # used when the shop has no brand colours yet


@dataclass
class Staged:
    """A staged picture and where the product landed on it."""

    image: Image.Image  # RGB
    product_box: tuple[int, int, int, int]
    product_layer: Image.Image  # RGBA, canvas-sized: the product's own pixels only
    scale: float  # how much the product was enlarged (>1) or reduced from the photo


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#RRGGBB' to an (r, g, b) tuple."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"'{colour}' is not a #RRGGBB colour")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    """The colour a fraction `t` of the way from `a` to `b`."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def backdrop(width: int, height: int, tint: tuple[int, int, int]) -> Image.Image:
    """A studio sweep: a light vertical gradient lightly tinted by the brand, with a soft
    spotlight where the product will stand. A fresh copy: callers draw on it."""
    return _backdrop(width, height, tuple(tint)).copy()


@lru_cache(maxsize=8)  # every product of a shop stands on the same few backdrops
def _backdrop(width: int, height: int, tint: tuple[int, int, int]) -> Image.Image:
    top = np.array(mix((255, 255, 255), tint, 0.10), np.float32)
    bottom = np.array(mix((255, 255, 255), tint, 0.22), np.float32)
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :, None]
    gradient = top + (bottom - top) * ys
    spot = np.exp(-((xs / 0.9) ** 2 + ((ys - 0.55) / 0.6) ** 2))
    pixels = gradient + (255.0 - gradient) * 0.55 * spot
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def stage(product: Image.Image, width: int, height: int, colours: list[str] | None = None,
          badge: str | None = None, fonts: Fonts | None = None, reflection: bool = True) -> Staged:
    """Place the RGBA `product` on a fresh backdrop of `width` x `height`.

    The product fills about 70% of the narrower side, stands on a floor line with a soft
    shadow and (optionally) a faint reflection; brand colours draw a thin accent and the
    badge text a round seal in the top corner.
    """
    primary, secondary = (hex_rgb(c) for c in ((colours or [])[:2] + list(NEUTRAL))[:2])
    canvas = backdrop(width, height, primary)
    fit_w, fit_h = width * 0.70, height * (0.62 if height > width * 1.2 else 0.66)
    scale = min(fit_w / product.width, fit_h / product.height)
    size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
    item = product.resize(size, Image.Resampling.LANCZOS)
    left = (width - size[0]) // 2
    floor = round(height * (0.80 if height > width * 1.2 else 0.84))
    top = floor - size[1]
    _accent(canvas, primary, secondary)
    _shadow(canvas, item, left, floor)
    if reflection:
        _reflection(canvas, item, left, floor)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    layer.paste(item, (left, top))
    out = canvas.convert("RGBA")
    out.alpha_composite(layer)
    if badge and fonts:
        _badge(out, badge, primary, fonts)
    return Staged(out.convert("RGB"), (left, top, left + size[0], top + size[1]), layer, scale)


def _shadow(canvas: Image.Image, item: Image.Image, left: int, floor: int) -> None:
    """A contact shadow (the silhouette squashed onto the floor) plus a wide soft ellipse."""
    width = item.width
    alpha = item.getchannel("A")
    squashed = alpha.resize((width, max(2, item.height // 12)))
    shade = Image.new("L", canvas.size, 0)
    shade.paste(squashed, (left, floor - squashed.height // 2))
    ImageDraw.Draw(shade).ellipse((left - width * 0.05, floor - width * 0.05, left + width * 1.05, floor + width * 0.06), fill=90)
    shade = shade.filter(ImageFilter.GaussianBlur(max(2, width / 28)))
    dark = Image.new("RGB", canvas.size, (40, 40, 48))
    canvas.paste(Image.composite(dark, canvas, shade.point(lambda v: v * 0.55)), (0, 0))


def _reflection(canvas: Image.Image, item: Image.Image, left: int, floor: int) -> None:
    """The product mirrored below the floor line, fading out quickly."""
    depth = max(1, min(item.height // 3, canvas.height - floor))
    mirrored = item.transpose(Image.Transpose.FLIP_TOP_BOTTOM).crop((0, 0, item.width, depth))
    fade = np.linspace(0.22, 0.0, depth, dtype=np.float32)[:, None]
    alpha = (np.asarray(mirrored.getchannel("A"), np.float32) * fade).astype(np.uint8)
    mirrored.putalpha(Image.fromarray(alpha, "L"))
    base = canvas.convert("RGBA")
    base.alpha_composite(mirrored, (left, floor))
    canvas.paste(base.convert("RGB"))


def _accent(canvas: Image.Image, primary: tuple[int, int, int], secondary: tuple[int, int, int]) -> None:
    """A thin brand band along the bottom edge with a short secondary stripe."""
    draw = ImageDraw.Draw(canvas)
    band = max(4, canvas.height // 90)
    draw.rectangle((0, canvas.height - band, canvas.width, canvas.height), fill=primary)
    draw.rectangle((0, canvas.height - band, canvas.width // 4, canvas.height), fill=secondary)


def _badge(canvas: Image.Image, text: str, colour: tuple[int, int, int], fonts: Fonts) -> None:
    """A round seal in the top-right corner carrying a short word such as 'NEW'."""
    radius = min(canvas.size) // 11
    cx, cy = canvas.width - radius - canvas.width // 20, radius + canvas.height // 30
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*colour, 235))
    draw.ellipse((cx - radius * 0.86, cy - radius * 0.86, cx + radius * 0.86, cy + radius * 0.86), outline=(255, 255, 255, 220), width=max(1, radius // 18))
    size = radius * 0.62
    font = fonts.get(size, bold=True)
    while font.getlength(text) > radius * 1.5 and size > 8:
        size *= 0.9
        font = fonts.get(size, bold=True)
    draw.text((cx, cy), text, fill=(255, 255, 255, 255), font=font, anchor="mm")
