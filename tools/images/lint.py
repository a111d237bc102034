"""The listing lint for pictures: what a seller would not publish, found by code. The image
tool runs it on every main picture it stages and keeps the findings in the picture's
provenance; bench/listing_quality.py counts what passes.

- the product fills 55-85 % of the frame's width or height (whichever it meets first);
- it sits centred: its box's centre within 6 % of the frame's centre across, 8 % down;
- nothing is clipped: the box lies inside the frame's safe margin, and the product was not
  cut off by the supplier photo's own edge;
- its colour is the source photo's: the staged product's mean colour within a small
  distance of the same pixels in the photo (no tint, no wrong photo);
- its colour is the one its variant's option names: the product's dominant colour, measured
  here, against the colour table (tools/images/colours.py; the image tool checks it per SKU).
"""

import numpy as np
from PIL import Image

from tools.images.colours import dominant_lab
from tools.images.formats import check_placement
from tools.images.staging import Staged

FILL = (0.55, 0.85)
CENTRE_X, CENTRE_Y = 0.06, 0.08
EDGE_TOUCH = 0.12  # of a photo side covered by product pixels on the photo's border: cut off
COLOUR_DISTANCE = 18.0  # mean RGB distance, 0-441


def fill(box: tuple[int, int, int, int], size: tuple[int, int]) -> float:
    """How much of the frame the product fills: its larger share of width or height."""
    left, top, right, bottom = box
    return max((right - left) / size[0], (bottom - top) / size[1])


def placement_lint(box: tuple[int, int, int, int], size: tuple[int, int]) -> list[str]:
    width, height = size
    left, top, right, bottom = box
    problems = list(check_placement(box, size))
    share = fill(box, size)
    if not FILL[0] <= share <= FILL[1]:
        problems.append(f"the product fills {share:.0%} of the frame; it should fill {FILL[0]:.0%}-{FILL[1]:.0%}")
    dx, dy = abs((left + right) / 2 - width / 2) / width, abs((top + bottom) / 2 - height / 2) / height
    if dx > CENTRE_X or dy > CENTRE_Y:
        problems.append(f"the product is off centre by {dx:.0%} across and {dy:.0%} down")
    return problems


def cut_by_photo(cutout: Image.Image, box: tuple[int, int, int, int], photo_size: tuple[int, int]) -> bool:
    """Whether the product runs off the supplier photo's edge (so the picture shows it cut)."""
    alpha = np.asarray(cutout.getchannel("A")) > 128
    left, top, right, bottom = box
    width, height = photo_size
    edges = [(left <= 1, alpha[:, 0]), (top <= 1, alpha[0, :]), (right >= width - 1, alpha[:, -1]),
             (bottom >= height - 1, alpha[-1, :])]
    return any(at_edge and line.mean() > EDGE_TOUCH for at_edge, line in edges)


def colour_distance(staged: Staged, cutout: Image.Image) -> float:
    """Mean RGB distance between the product as staged and as photographed."""
    alpha = np.asarray(staged.product_layer.getchannel("A")) > 200
    shown = np.asarray(staged.image, np.float32)[alpha]
    source_alpha = np.asarray(cutout.getchannel("A")) > 200
    source = np.asarray(cutout.convert("RGB"), np.float32)[source_alpha]
    if not len(shown) or not len(source):
        return 0.0
    return float(np.linalg.norm(shown.mean(axis=0) - source.mean(axis=0)))


def product_colour(staged: Staged) -> list[float] | None:
    """The staged product's dominant colour (CIELAB), kept with the picture for the colour check."""
    lab = dominant_lab(staged.image, np.asarray(staged.product_layer.getchannel("A")) > 200)
    return list(lab) if lab else None


def picture_lint(staged: Staged, cutout: Image.Image, cutout_box: tuple[int, int, int, int],
                 photo_size: tuple[int, int]) -> list[str]:
    """Everything the lint finds in one staged main picture ([] passes)."""
    problems = placement_lint(staged.product_box, staged.image.size)
    if cut_by_photo(cutout, cutout_box, photo_size):
        problems.append("the product runs off the supplier photo's edge; supply a photo with the whole product")
    distance = colour_distance(staged, cutout)
    if distance > COLOUR_DISTANCE:
        problems.append(f"the product's colour differs from its photo (distance {distance:.0f})")
    return problems
