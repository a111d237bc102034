"""Colour names against pictures: the colour a variant's option names ("Gloss White", "藏青")
and the product's dominant colour measured in its picture. The picture lint fails a picture
whose product is not the colour its option says (a "white" listing showing the navy mug).

Colours are compared in CIELAB with lightness counted at half weight: a white glaze under
studio light photographs light grey, but it never photographs blue.
"""

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
from PIL import Image

TOLERANCE = 25.0  # weighted CIELAB distance within which a picture matches its colour name
NEARER = 6.0  # how much nearer another option's colour must be to call the picture that one
LIGHTNESS_WEIGHT = 0.5


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, ...], dict[str, tuple[float, float, float]], dict[str, str]]:
    data = tomllib.loads(resources.files(__package__).joinpath("colours.toml").read_text(encoding="utf-8"))
    labs = {name: _lab_triple(rgb_to_lab(np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)]]))[0])
            for name, h in data["colours"].items()}
    return tuple(data["keys"]), labs, dict(data["names_zh"])


def _lab_triple(lab: np.ndarray) -> tuple[float, float, float]:
    """One CIELAB colour (an array of 3) as plain floats."""
    lightness, a, b = (float(v) for v in lab)
    return lightness, a, b


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB values (N x 3, 0-255) as CIELAB (D65)."""
    c = np.asarray(rgb, np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = c @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]])
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def dominant_lab(image: Image.Image, mask: np.ndarray) -> tuple[float, float, float] | None:
    """The product's dominant colour: the most common colour cell (CIELAB, 8 units a side)
    among the pixels of `mask`, refined to the median of the pixels in and around it, so a
    handle's shadow, a highlight or a lid does not pull it off the body's colour."""
    pixels = np.asarray(image.convert("RGB"))[mask]
    if len(pixels) < 50:
        return None
    if len(pixels) > 60000:  # a sample is as good as every pixel, and quicker
        pixels = pixels[np.linspace(0, len(pixels) - 1, 60000).astype(int)]
    lab = rgb_to_lab(pixels.reshape(-1, 3))
    cells = np.floor(lab / 8).astype(int)
    keys, counts = np.unique(cells, axis=0, return_counts=True)
    mode = keys[counts.argmax()]
    near = np.all(np.abs(cells - mode) <= 1, axis=1)
    return tuple(round(float(v), 1) for v in np.median(lab[near], axis=0))  # type: ignore[return-value]


def colour_option(options: dict[str, str]) -> str | None:
    """The value of a variant's colour option ('white', '藏青色'), if it has one."""
    keys = _table()[0]
    return next((value for key, value in options.items() if key.strip().lower() in keys and value.strip()), None)


def named_colour(value: str) -> str | None:
    """The table's colour for an option value: 'Gloss Navy' -> 'navy', '炭黑色' -> 'charcoal';
    None when the value names no colour the table knows."""
    _, labs, chinese = _table()
    for name in sorted(chinese, key=len, reverse=True):
        if name in value:
            return chinese[name]
    words = re.findall(r"[a-z]+", value.lower())
    known = [w for w in words if w in labs]
    return known[-1] if known else None  # the colour word, not its finish ('Matte Black')


def colour_gap(lab: tuple[float, float, float], name: str) -> float:
    """How far a measured colour is from a named one (weighted CIELAB distance)."""
    reference = _table()[1][name]
    dl, da, db = (lab[0] - reference[0]) * LIGHTNESS_WEIGHT, lab[1] - reference[1], lab[2] - reference[2]
    return float(np.sqrt(dl * dl + da * da + db * db))


def colour_lint(lab: tuple[float, float, float] | None, value: str | None, others: Sequence[str] = ()) -> list[str]:
    """Whether the product in a picture is the colour its option `value` names; `others` are
    the other options' colour values of the same product (the picture must not look more like
    one of them). [] passes, and so does a value the table does not know."""
    name = named_colour(value) if value else None
    if lab is None or name is None:
        return []
    gap = colour_gap(lab, name)
    if gap > TOLERANCE:
        return [f"the product in the picture is not {value} (colour distance {gap:.0f}, at most {TOLERANCE:.0f}); "
                f"use the photo of the {value} variant"]
    for other in others:
        other_name = named_colour(other)
        if other_name and other_name != name and colour_gap(lab, other_name) + NEARER < gap:
            return [f"the product in the picture looks {other}, not {value}; use the photo of the {value} variant"]
    return []
