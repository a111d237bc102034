"""Re-staging a cut-out product: studio backdrop, soft shadow, floor reflection, brand
accents and an optional badge, for any canvas size."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tools.images.fonts import Fonts

NEUTRAL = ("#2F3A4A", "#C8A165")  # used when the shop has no brand colours yet
FILL = 0.72  # of the frame's width or height: inside the 55-85 % a listing picture wants


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
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    """The colour a fraction `t` of the way from `a` to `b`."""
    red, green, blue = (round(x + (y - x) * t) for x, y in zip(a, b))
    return red, green, blue


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

    The product fills FILL of the frame's width or height (whichever it meets first) and
    sits centred in both directions, so a tall frame is not left empty above a wide product.
    Every part of it casts its own contact shadow (and, optionally, a faint reflection)
    where that part meets the floor: a lid lying beside a jar rests on the floor too. The
    badge text draws a round seal in the top corner.
    """
    primary = hex_rgb(((colours or [])[:1] + list(NEUTRAL))[0])
    canvas = backdrop(width, height, primary)
    scale = min(width * FILL / product.width, height * FILL / product.height)
    size = (max(1, round(product.width * scale)), max(1, round(product.height * scale)))
    item = product.resize(size, Image.Resampling.LANCZOS)
    left = (width - size[0]) // 2
    # Centred, nudged up a little so the shadow below does not make it look low.
    top = max(0, (height - size[1]) // 2 - round(height * 0.02))
    _shadow(canvas, item, left, top)
    if reflection:
        _reflection(canvas, item, left, top)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    layer.paste(item, (left, top))
    out = canvas.convert("RGBA")
    out.alpha_composite(layer)
    if badge and fonts:
        _badge(out, badge, primary, fonts)
    return Staged(out.convert("RGB"), (left, top, left + size[0], top + size[1]), layer, scale)


def _bottoms(alpha: np.ndarray) -> np.ndarray:
    """For each column of an alpha mask, the row of its lowest opaque pixel (-1: none)."""
    opaque = alpha > 128
    last = alpha.shape[0] - 1 - np.argmax(opaque[::-1], axis=0)
    return np.where(opaque.any(axis=0), last, -1)


def _shadow(canvas: Image.Image, item: Image.Image, left: int, top: int) -> None:
    """A contact shadow under each part of the product, where that part meets the floor,
    plus a faint wide one under the whole: nothing looks as if it floats."""
    alpha = np.asarray(item.getchannel("A"))
    bottoms = _bottoms(alpha)
    columns = np.nonzero(bottoms >= 0)[0]
    shade = np.zeros((canvas.height, canvas.width), np.float32)
    if columns.size:
        thick = max(3, item.height // 28)
        for dy in range(-thick, thick + 1):
            rows = np.clip(top + bottoms[columns] + dy // 2, 0, canvas.height - 1)
            cols = np.clip(left + columns, 0, canvas.width - 1)
            shade[rows, cols] = np.maximum(shade[rows, cols], 210 * (1 - abs(dy) / (thick + 1)))
        floor = top + int(bottoms.max())
        wide = Image.new("L", canvas.size, 0)
        ImageDraw.Draw(wide).ellipse((left, floor - item.width * 0.03, left + item.width, floor + item.width * 0.045), fill=60)
        shade = np.maximum(shade, np.asarray(wide, np.float32))
    mask = Image.fromarray(shade.astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(max(2, item.width / 40)))
    dark = Image.new("RGB", canvas.size, (40, 40, 48))
    canvas.paste(Image.composite(dark, canvas, mask.point(lambda v: v * 0.55)), (0, 0))


def _reflection(canvas: Image.Image, item: Image.Image, left: int, top: int) -> None:
    """Each column of the product mirrored below its own lowest point, fading out quickly."""
    pixels = np.asarray(item.convert("RGBA"))
    bottoms = _bottoms(pixels[:, :, 3])
    depth = max(1, item.height // 4)
    out = np.zeros((item.height + depth, item.width, 4), np.uint8)
    fade = np.linspace(0.22, 0.0, depth, dtype=np.float32)
    for k in range(depth):
        source = bottoms - k
        valid = (bottoms >= 0) & (source >= 0)
        cols = np.nonzero(valid)[0]
        rows = bottoms[cols] + 1 + k
        out[rows, cols, :3] = pixels[source[cols], cols, :3]
        out[rows, cols, 3] = (pixels[source[cols], cols, 3] * fade[k]).astype(np.uint8)
    base = canvas.convert("RGBA")
    base.alpha_composite(Image.fromarray(out, "RGBA"), (left, top))
    canvas.paste(base.convert("RGB"))


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
