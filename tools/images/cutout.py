"""Background removal for studio product photos: GrabCut seeded from the backdrop colour,
then alpha refinement (small specks dropped, pinholes filled, edges feathered by a guided
filter that follows the photo's own edges)."""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from tools.errors import ToolFailed

WORK_SIDE = 640  # GrabCut runs at this size; the mask is refined at full size
BORDER = 0.02  # the frame's outer strip is taken as backdrop
MIN_COVERAGE, MAX_COVERAGE = 0.01, 0.85


@dataclass
class Cutout:
    """The product lifted off its backdrop."""

    image: Image.Image  # RGBA, cropped to the product's box
    box: tuple[int, int, int, int]  # where that box lies in the photo
    coverage: float  # the fraction of the photo's pixels that are product
    backdrop: tuple[int, int, int]  # the backdrop colour found

    @property
    def longest_side(self) -> int:
        return max(self.image.size)


def remove_background(photo: Image.Image) -> Cutout:
    """Cut the product out of a photo taken on a plain, light or uniform backdrop.

    Raises ToolFailed when nothing plausible is found (an empty frame, or a product that
    fills the frame so no backdrop is left to learn from).
    """
    rgb = np.asarray(photo.convert("RGB"))
    height, width = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    backdrop = _backdrop_colour(small)
    hard = _grabcut(small, backdrop)
    hard = cv2.resize(hard, (width, height), interpolation=cv2.INTER_LINEAR)
    alpha = _refine(rgb, hard)
    coverage = float((alpha > 127).mean())
    if not MIN_COVERAGE <= coverage <= MAX_COVERAGE:
        raise ToolFailed(f"background removal found {coverage:.0%} of the photo to be product; "
                         "use a photo of the product alone on a plain backdrop with some space around it")
    ys, xs = np.nonzero(alpha > 8)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    rgba = np.dstack([rgb, alpha])[box[1]:box[3], box[0]:box[2]]
    return Cutout(Image.fromarray(rgba, "RGBA"), box, coverage, (int(backdrop[0]), int(backdrop[1]), int(backdrop[2])))


def _backdrop_colour(rgb: np.ndarray) -> np.ndarray:
    strip = max(2, int(min(rgb.shape[:2]) * BORDER))
    border = np.concatenate([rgb[:strip].reshape(-1, 3), rgb[-strip:].reshape(-1, 3),
                             rgb[:, :strip].reshape(-1, 3), rgb[:, -strip:].reshape(-1, 3)])
    return np.median(border, axis=0)


def _distance(rgb: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Colour distance from the backdrop in Lab, with lightness counted at half weight so a
    soft shadow on the backdrop reads as backdrop sooner than a coloured edge does."""
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    ref = cv2.cvtColor(backdrop.reshape(1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)[0, 0]
    delta = lab - ref
    return np.sqrt((0.5 * delta[..., 0]) ** 2 + delta[..., 1] ** 2 + delta[..., 2] ** 2)


def _grabcut(rgb: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """A 0/255 product mask at the working size."""
    distance = _distance(rgb, backdrop)
    # Edges matter for pale products on pale backdrops, where colour alone is weak.
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.dilate(cv2.Canny(gray, 20, 60), np.ones((5, 5), np.uint8))
    likely = ((distance > 6) | (edges > 0)).astype(np.uint8)
    silhouette = _fill_outline(likely)
    mask = np.full(distance.shape, cv2.GC_BGD, np.uint8)
    near = cv2.dilate(silhouette, np.ones((15, 15), np.uint8)) > 0
    mask[near] = cv2.GC_PR_BGD
    mask[silhouette > 0] = cv2.GC_PR_FGD
    sure = cv2.erode(((distance > 18) * 255).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    mask[sure] = cv2.GC_FGD
    strip = max(2, int(min(mask.shape) * BORDER))
    for edge in (np.s_[:strip], np.s_[-strip:], np.s_[:, :strip], np.s_[:, -strip:]):
        mask[edge] = cv2.GC_BGD
    if not (mask == cv2.GC_PR_FGD).any() and not (mask == cv2.GC_FGD).any():
        raise ToolFailed("no product found in the photo: it looks like an empty backdrop")
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # OpenCV takes no rectangle (None) with GC_INIT_WITH_MASK; its stubs require one.
    cv2.grabCut(np.ascontiguousarray(rgb[..., ::-1]), mask, None, bgd, fgd, 4,  # type: ignore[call-overload]
                cv2.GC_INIT_WITH_MASK)
    return np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)


def _fill_outline(likely: np.ndarray) -> np.ndarray:
    """Close gaps in the product's outline and fill it, so a pale product whose inside
    matches the backdrop is still seeded as product as a whole."""
    side = max(3, int(min(likely.shape) * 0.015) | 1)
    closed = cv2.morphologyEx(likely, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
    padded = cv2.copyMakeBorder(closed, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    outside = padded.copy()
    flood = np.zeros((padded.shape[0] + 2, padded.shape[1] + 2), np.uint8)
    cv2.floodFill(outside, flood, (0, 0), 1)
    # OpenCV's stubs type every result as integer-or-float; these masks are uint8.
    filled = closed | (1 - outside[1:-1, 1:-1])  # type: ignore[operator]
    return filled.astype(np.uint8)


def _refine(rgb: np.ndarray, hard: np.ndarray) -> np.ndarray:
    """Drop specks, fill pinholes, and feather the edge along the photo's own edges."""
    binary = (hard > 127).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count > 1:
        areas = stats[1:, cv2.CC_STAT_AREA]
        keep = np.flatnonzero(areas >= areas.max() * 0.05) + 1
        binary = np.isin(labels, keep).astype(np.uint8)
    # Fill holes smaller than 0.2% of the frame (glints, print); keep big ones (a mug's handle).
    holes = 1 - binary
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=4)
    limit = binary.size * 0.002
    for index in range(1, count):
        x, y, w, h, area = stats[index]
        touches_edge = x == 0 or y == 0 or x + w == binary.shape[1] or y + h == binary.shape[0]
        if area < limit and not touches_edge:
            binary[labels == index] = 1
    radius = max(2, round(max(binary.shape) / 400))
    alpha = cv2.ximgproc.guidedFilter(rgb, (binary * 255).astype(np.uint8), radius, 2e-3 * 255 * 255)
    # The filter leaves faint tails far from the edge; snap them to clear or solid.
    alpha = np.where(alpha < 12, 0, np.where(alpha > 243, 255, alpha))
    return np.clip(alpha, 0, 255).astype(np.uint8)
