"""Background removal on synthetic studio photos with known masks and on the sample photos."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.tools.images.conftest import studio_photo
from tools.errors import ToolFailed
from tools.images.cutout import MAX_COVERAGE, MIN_COVERAGE, remove_background

SAMPLES = Path(__file__).resolve().parents[3] / "store_data" / "samples" / "photos"


def _iou(cutout, truth: np.ndarray) -> float:
    found = np.zeros(truth.shape, bool)
    left, top, right, bottom = cutout.box
    found[top:bottom, left:right] = np.asarray(cutout.image)[..., 3] > 127
    wanted = truth > 127
    return (found & wanted).sum() / (found | wanted).sum()


@pytest.mark.parametrize(("colour", "least_iou"), [((30, 50, 140), 0.97), ((170, 30, 25), 0.97), ((232, 230, 224), 0.85)])
def test_product_is_lifted_off_a_light_studio_backdrop(colour, least_iou):
    photo, truth = studio_photo(colour)
    cutout = remove_background(photo)
    assert _iou(cutout, truth) >= least_iou
    assert cutout.image.mode == "RGBA"
    assert min(cutout.backdrop) > 200  # the paper, not the product
    alpha = np.asarray(cutout.image)[..., 3]
    edge = ((alpha > 0) & (alpha < 255)).sum()
    assert 0 < edge < 0.15 * (alpha == 255).sum()  # a feathered edge, not a hard one nor a haze


def test_an_empty_backdrop_is_refused_with_the_fix():
    photo = Image.new("RGB", (640, 480), (240, 240, 238))
    with pytest.raises(ToolFailed, match="plain backdrop|empty backdrop"):
        remove_background(photo)


def test_sample_photos_give_masks_of_plausible_size():
    photos = sorted(SAMPLES.glob("*.jpg"))[:4]
    assert photos, f"the sample photos are missing from {SAMPLES}"
    for path in photos:
        with Image.open(path) as photo:
            cutout = remove_background(photo)
        # A studio shot frames the product with room around it: a few % to about two thirds.
        assert max(MIN_COVERAGE, 0.04) <= cutout.coverage <= min(MAX_COVERAGE, 0.7), path.name
        left, top, right, bottom = cutout.box
        assert left > 0 and top > 0 and right < photo.width and bottom < photo.height, path.name
