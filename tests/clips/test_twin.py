"""The owner's photo twin: face landmarks on a real face, a mouth and jaw that move."""

import numpy as np
import pytest
from skimage import data

from tools.clips.presenter import BOX, MOUTH_INSIDE
from tools.clips.twin import CHIN, PhotoTwin, face_landmarks
from tools.drivers.voice import load_voice
from tools.errors import ToolFailed


@pytest.fixture(scope="module")
def twin():
    return PhotoTwin(data.astronaut())


def _open_pixels(image: np.ndarray, box) -> int:
    x0, y0, x1, y1 = box
    part = image[y0:y1, x0:x1].astype(np.int16)
    return int((np.abs(part - np.array(MOUTH_INSIDE)).max(axis=2) < 20).sum())


def test_landmarks_are_found_on_a_real_face(twin):
    points = face_landmarks(data.astronaut())
    assert points.shape == (468, 2)
    # The astronaut's face sits in the upper middle of the 512 px picture.
    assert 150 < points[:, 0].mean() < 300 and 60 < points[:, 1].mean() < 220
    x0, y0, x1, y1 = twin.mouth_box
    assert 0 < x0 < x1 < BOX[0] and 0 < y0 < y1 < BOX[1]
    assert twin.landmarks[CHIN, 1] > y0  # the chin is below the mouth


def test_mouth_and_jaw_move_and_the_rest_of_the_face_stays(twin):
    closed, opened = twin.draw(0.0), twin.draw(1.0)
    assert closed.shape == opened.shape == (BOX[1], BOX[0], 3)
    assert _open_pixels(opened, twin.mouth_box) > 20 * max(1, _open_pixels(closed, twin.mouth_box))
    x0, y0, x1, y1 = twin.mouth_box
    assert np.abs(opened[y0:y1, x0:x1].astype(int) - closed[y0:y1, x0:x1]).mean() > 10
    eyes = slice(0, max(0, y0 - 40))  # above the mouth nothing moves
    assert np.array_equal(opened[eyes], closed[eyes])
    half = twin.draw(0.5)
    assert _open_pixels(closed, twin.mouth_box) < _open_pixels(half, twin.mouth_box) < _open_pixels(opened, twin.mouth_box)


def test_twin_follows_the_voice_timing(twin):
    speech = load_voice("espeak:cmn-latn-pinyin").speak(["你好。"])
    frames = round(speech.duration * 30)
    twin.start(speech, 30, frames, np.zeros((BOX[1], BOX[0], 3), np.uint8))
    opening = [_open_pixels(twin.frame(i), twin.mouth_box) for i in range(frames)]
    spoken = [i for i in range(frames) if any(w.start <= i / 30 < w.end for w in speech.words)]
    silent = [i for i in range(frames) if i / 30 < speech.words[0].start - 0.15]
    widest = max(opening[i] for i in spoken)
    assert widest > 500 and max(opening[i] for i in silent) < 0.05 * widest


def test_a_photo_without_a_face_is_refused():
    with pytest.raises(ToolFailed, match="no face"):
        PhotoTwin(np.full((300, 300, 3), 200, np.uint8))
