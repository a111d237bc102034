"""The drawn presenter's still parts, painted once per clip: shoulders in a jacket over a
light top, a neck with the chin's shadow, and the head (hair behind and in front, ears,
a shaded face, cheeks, friendly level brows, a nose). Painted at twice the size with
Pillow and scaled down, so edges are smooth; the eyes, mouth and the gesturing arm move
and are drawn per frame by presenter.py.

Light comes from the upper left: hair, jacket, top and neck are filled with soft gradients
(lit to shaded) rather than flat colour, the fringe casts a soft shadow on the forehead,
and the jacket has a darker rim, so the figure reads as an illustrated host with depth
and stands out even on a backdrop of its own colour."""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SS = 2  # supersampling: paint at twice the size, then scale down
HEAD = (320, 360)  # the head sprite's width, height
FACE = (160, 190, 112, 142)  # centre x, centre y, half width, half height in the sprite


@dataclass(frozen=True)
class Look:
    """One presenter's look; colours are RGB."""

    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: str  # bob | short | bun
    lips: tuple[int, int, int]
    iris: tuple[int, int, int]
    top: tuple[int, int, int]  # the top under the jacket


def shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    """`colour` darker (< 1) or lighter (> 1)."""
    r, g, b = (int(c * factor) if factor <= 1 else int(c + (255 - c) * (factor - 1)) for c in colour)
    return r, g, b


def _scaled(box: tuple[float, ...]) -> tuple[int, ...]:
    return tuple(int(v * SS) for v in box)


def _ellipse(draw: ImageDraw.ImageDraw, cx: float, cy: float, rx: float, ry: float, fill) -> None:
    draw.ellipse(_scaled((cx - rx, cy - ry, cx + rx, cy + ry)), fill=fill)


def _lit(size: tuple[int, int], box: tuple[float, float, float, float], colour: tuple[int, int, int],
         light: float = 1.18, dark: float = 0.72) -> Image.Image:
    """An RGBA fill of `colour` lit from the upper left of `box` (sprite pixels, unscaled):
    `light` times lighter at that corner, `dark` times darker at the lower right, `colour`
    itself between; smooth, with no visible bands."""
    left, top, right, bottom = (v * SS for v in box)
    ys, xs = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    t = ((xs - left) / max(right - left, 1) * 0.45 + (ys - top) / max(bottom - top, 1) * 0.55).clip(0, 1)
    base = np.array(colour, np.float32)
    lit = np.array(shade(colour, light), np.float32)
    shaded = np.array(shade(colour, dark), np.float32)
    upper = (t < 0.5)[..., None]
    mix = np.where(upper, lit + (base - lit) * (t / 0.5)[..., None], base + (shaded - base) * ((t - 0.5) / 0.5)[..., None])
    rgba = np.dstack([mix.clip(0, 255).astype(np.uint8), np.full(mix.shape[:2], 255, np.uint8)])
    return Image.fromarray(rgba, "RGBA")


def _paint(target: Image.Image, mask: Image.Image, fill: Image.Image) -> None:
    """Composite `fill` onto `target` where `mask` (L) is set."""
    layer = fill.copy()
    layer.putalpha(mask)
    target.alpha_composite(layer)


def body(backdrop_rgb: np.ndarray, look: Look, jacket: tuple[int, int, int]) -> np.ndarray:
    """The box's backdrop with shoulders, jacket, top and neck on it (RGB)."""
    h, w = backdrop_rgb.shape[:2]
    canvas = Image.fromarray(backdrop_rgb).resize((w * SS, h * SS))
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx = w / 2
    # Neck, in the head's shadow at its top, with the chin's shadow across it.
    neck = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(neck).rounded_rectangle(_scaled((cx - 40, 380, cx + 40, h - 150)), radius=30 * SS, fill=255)
    _paint(layer, neck, _lit(canvas.size, (cx - 40, 380, cx + 40, h - 150), shade(look.skin, 0.9), 1.1, 0.8))
    draw = ImageDraw.Draw(layer)
    _ellipse(draw, cx, 392, 46, 22, (*shade(look.skin, 0.78), 255))
    # Shoulders: a jacket with rounded shoulders, lit from the left, with a darker rim; a
    # light top in its V, shaded under the collar; lapels.
    suit = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(suit).rounded_rectangle(_scaled((cx - 215, h - 175, cx + 215, h + 80)), radius=110 * SS, fill=255)
    rim = suit.filter(ImageFilter.MinFilter(2 * 3 * SS + 1))
    _paint(layer, suit, Image.new("RGBA", canvas.size, (*shade(jacket, 0.62), 255)))
    _paint(layer, rim, _lit(canvas.size, (cx - 215, h - 175, cx + 215, h), jacket, 1.22, 0.8))
    v_neck = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(v_neck).polygon([(int((cx - 62) * SS), int((h - 176) * SS)), (int((cx + 62) * SS), int((h - 176) * SS)),
                                    (int(cx * SS), int((h - 40) * SS))], fill=255)
    _paint(layer, v_neck, _lit(canvas.size, (cx - 62, h - 176, cx + 62, h - 40), look.top, 1.04, 0.86))
    collar = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(collar).rectangle(_scaled((cx - 70, h - 180, cx + 70, h - 150)), fill=90)
    collar = Image.fromarray(np.minimum(np.asarray(collar.filter(ImageFilter.GaussianBlur(8 * SS))), np.asarray(v_neck)))
    _paint(layer, collar, Image.new("RGBA", canvas.size, (*shade(look.top, 0.6), 255)))
    draw = ImageDraw.Draw(layer)
    edge = (*shade(jacket, 0.72), 255)
    for side in (-1, 1):
        draw.line([(int((cx + side * 62) * SS), int((h - 176) * SS)), (int((cx + side * 24) * SS), int((h - 60) * SS)),
                   (int(cx * SS), int((h - 40) * SS))], fill=edge, width=5 * SS, joint="curve")
    # Light from the left: the right shoulder a little darker.
    shadow = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(shadow).ellipse(_scaled((cx + 60, h - 190, cx + 320, h + 120)), fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(30 * SS))
    dark = Image.new("RGBA", canvas.size, (0, 0, 0, 255))
    dark.putalpha(Image.fromarray(np.minimum(np.asarray(shadow), np.asarray(layer.getchannel("A")))))
    layer.alpha_composite(dark)
    canvas = canvas.convert("RGBA")
    canvas.alpha_composite(layer)
    return np.asarray(canvas.convert("RGB").resize((w, h), Image.Resampling.LANCZOS))


def head(look: Look) -> tuple[np.ndarray, np.ndarray]:
    """The head sprite: (RGB pixels, alpha 0-1), HEAD sized."""
    w, h = HEAD
    cx, cy, rx, ry = FACE
    sprite = Image.new("RGBA", (w * SS, h * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    hair_box = (cx - rx - 30, cy - ry - 30, cx + rx + 30, cy + 95)
    # Hair behind the face, in the front hair's shadow.
    back = Image.new("L", sprite.size, 0)
    back_draw = ImageDraw.Draw(back)
    if look.hair_style == "bob":
        back_draw.rounded_rectangle(_scaled((cx - rx - 30, cy - ry - 20, cx + rx + 30, cy + 95)), radius=120 * SS, fill=255)
    elif look.hair_style == "bun":
        _ellipse(back_draw, cx + 40, cy - ry - 8, 46, 40, 255)
    _paint(sprite, back.filter(ImageFilter.GaussianBlur(0.8 * SS)), _lit(sprite.size, hair_box, shade(look.hair, 0.8), 1.3, 0.7))
    draw = ImageDraw.Draw(sprite)
    # Ears.
    for side in (-1, 1):
        _ellipse(draw, cx + side * (rx - 4), cy + 8, 20, 30, (*shade(look.skin, 0.9), 255))
    # Face: a rounded oval narrowing to the chin.
    face = Image.new("L", sprite.size, 0)
    face_draw = ImageDraw.Draw(face)
    face_draw.ellipse(_scaled((cx - rx, cy - ry, cx + rx, cy + ry * 0.55)), fill=255)
    face_draw.ellipse(_scaled((cx - rx * 0.78, cy - ry * 0.2, cx + rx * 0.78, cy + ry)), fill=255)
    face = face.filter(ImageFilter.GaussianBlur(1.5 * SS))
    skin = Image.new("RGBA", sprite.size, (*look.skin, 255))
    # Light from the left: the face's right side and jaw in soft shadow; pink cheeks.
    paint = ImageDraw.Draw(skin)
    paint.ellipse(_scaled((cx + rx * 0.35, cy - ry * 0.6, cx + rx * 1.6, cy + ry * 1.3)), fill=(*shade(look.skin, 0.86), 255))
    paint.ellipse(_scaled((cx - rx * 0.8, cy - ry * 0.75, cx - rx * 0.05, cy + ry * 0.1)), fill=(*shade(look.skin, 1.08), 255))
    paint.ellipse(_scaled((cx - rx * 0.6, cy + ry * 0.75, cx + rx * 0.6, cy + ry * 1.3)), fill=(*shade(look.skin, 0.88), 255))
    for side in (-1, 1):
        paint.ellipse(_scaled((cx + side * 62 - 26, cy + 52 - 14, cx + side * 62 + 26, cy + 52 + 14)),
                      fill=tuple((s + p) // 2 for s, p in zip(look.skin, (232, 150, 150))) + (255,))
    skin = skin.filter(ImageFilter.GaussianBlur(14 * SS))
    skin.putalpha(face)
    sprite.alpha_composite(skin)
    draw = ImageDraw.Draw(sprite)
    # Hair in front: the crown, less a rounded forehead, so the hairline curves; then the
    # style's own part (a side-swept fringe and face-framing locks, a short cut, a bun).
    top = cy - ry - 8
    crown = Image.new("L", sprite.size, 0)
    crown_draw = ImageDraw.Draw(crown)
    crown_draw.ellipse(_scaled((cx - rx - 10, top, cx + rx + 10, cy + 10)), fill=255)
    forehead = (cx - rx * 0.88, cy - ry * 0.62, cx + rx * 0.88, cy + ry * 0.5)
    if look.hair_style == "bob":  # the fringe sweeps lower on the right
        forehead = (cx - rx * 0.85, cy - ry * 0.5, cx + rx * 0.6, cy + ry * 0.5)
    crown_draw.ellipse(_scaled(forehead), fill=0)
    if look.hair_style == "bob":
        for side in (-1, 1):  # locks framing the face down to the jaw
            crown_draw.chord(_scaled((cx + side * (rx - 6) - 26, cy - 80, cx + side * (rx - 6) + 26, cy + 90)),
                             90 if side < 0 else 270, 270 if side < 0 else 450, fill=255)
    crown = crown.filter(ImageFilter.GaussianBlur(1 * SS))
    # The fringe's soft shadow on the forehead and temples, inside the face only.
    cast = Image.new("L", sprite.size, 0)
    cast.paste(crown, (3 * SS, 14 * SS))
    cast = cast.filter(ImageFilter.GaussianBlur(5 * SS))
    cast = Image.fromarray((np.minimum(np.asarray(cast), np.asarray(face)) * 0.7).astype(np.uint8))
    _paint(sprite, cast, Image.new("RGBA", sprite.size, (*shade(look.skin, 0.55), 255)))
    _paint(sprite, crown, _lit(sprite.size, hair_box, look.hair, 1.35, 0.72))
    # A few soft strands following the crown's curve, lighter on the lit side (on a layer of
    # their own: drawing a translucent colour straight onto the sprite would punch holes in it).
    strands = Image.new("RGBA", sprite.size, (0, 0, 0, 0))
    strand = (*shade(look.hair, 1.25), 140)
    for k, (x0, x1) in enumerate(((cx - rx + 4, cx + 30), (cx - rx + 30, cx + 60), (cx - 20, cx + rx - 6))):
        ImageDraw.Draw(strands).arc(_scaled((x0, top + 6 + 4 * k, x1 + 40, cy + 30)), 200 + 6 * k, 255 + 4 * k,
                                    fill=strand, width=2 * SS)
    sprite.alpha_composite(strands)
    draw = ImageDraw.Draw(sprite)
    draw.arc(_scaled((cx - rx + 18, top + 14, cx + 20, cy - 10)), 205, 260, fill=(*shade(look.hair, 1.35), 255),
             width=6 * SS)  # a highlight
    # Friendly, level brows: soft arcs, the inner ends no lower than the outer ones.
    brow = (*shade(look.hair, 0.85), 255)
    for side in (-1, 1):
        x = cx + side * 50
        draw.arc(_scaled((x - 27, cy - 60, x + 27, cy - 30)), 200, 340, fill=brow, width=6 * SS)
    # Nose: a soft shadow on its side and a little tip.
    nose = (*shade(look.skin, 0.8), 255)
    draw.arc(_scaled((cx - 14, cy + 6, cx + 14, cy + 38)), 20, 160, fill=nose, width=3 * SS)
    small = sprite.resize(HEAD, Image.Resampling.LANCZOS)
    rgba = np.asarray(small)
    return np.ascontiguousarray(rgba[:, :, :3]), rgba[:, :, 3:4].astype(np.float32) / 255
