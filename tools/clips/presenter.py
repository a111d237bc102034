"""Presenters: who talks in the clip. Each one draws a fixed-size box of the frame per
video frame, following the speech's timing.

- `DrawnAvatar`: a drawn figure in one of several looks, with visemes, blinks, idle head
  motion and a hand gesture; only the moving parts are drawn per frame.
- `PhotoTwin` (tools/clips/twin.py): the owner's photo with a landmark-driven mouth and jaw.
- `TalkingHead`: the plug for a neural talking-head backend (typically on a GPU): any
  object with `render(portrait, audio, sample_rate, fps, size)` yielding BGR frames.
"""

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from tools.clips.motion import FaceTrack, face_track
from tools.drivers.voice import Speech
from tools.errors import ToolFailed

BOX = (520, 640)  # width, height of the presenter's box in the 1080x1920 frame
MOUTH_INSIDE = (40, 30, 88)  # BGR of the open mouth; tests find the mouth by this colour


class Presenter(Protocol):
    """Draws the presenter's box for each frame after `start()`."""

    name: str

    def start(self, speech: Speech, fps: int, frames: int, backdrop: np.ndarray) -> None:
        """Prepare for a clip; `backdrop` is the frame's BGR box the presenter stands on."""

    def frame(self, index: int) -> np.ndarray:
        """The BGR box (BOX size) for video frame `index`; frames are asked for in order."""


@dataclass(frozen=True)
class Look:
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: str  # bob | short | bun
    lips: tuple[int, int, int]


LOOKS: dict[str, Look] = {
    "ava": Look(skin=(170, 200, 238), hair=(40, 70, 120), hair_style="bob", lips=(90, 90, 200)),
    "ben": Look(skin=(120, 160, 205), hair=(30, 35, 40), hair_style="short", lips=(80, 95, 165)),
    "mei": Look(skin=(175, 205, 240), hair=(20, 20, 25), hair_style="bun", lips=(85, 70, 205)),
}


def hex_rgb(colour: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    """'#1F4E5F' -> (31, 78, 95); `default` for anything that is not a hex colour."""
    text = colour.strip().lstrip("#")
    try:
        return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4)) if len(text) == 6 else default
    except ValueError:
        return default


class DrawnAvatar:
    """A drawn presenter: body and head are drawn once; eyes, mouth, arm and the head's
    position change per frame."""

    def __init__(self, look: str = "ava", shirt: str = "#3A6EA5", seed: int = 0):
        if look not in LOOKS:
            raise ToolFailed(f"unknown avatar look '{look}'; choose one of {', '.join(LOOKS)}")
        self.name, self.look, self.seed = f"avatar:{look}", LOOKS[look], seed
        self.shirt = hex_rgb(shirt, (58, 110, 165))[::-1]  # OpenCV draws in BGR
        self.track: FaceTrack | None = None

    def start(self, speech: Speech, fps: int, frames: int, backdrop: np.ndarray) -> None:
        self.track = face_track(speech, fps, frames, self.seed)
        w, h = BOX
        self.base = backdrop.copy()
        look = self.look
        # Body: shoulders and neck, fixed.
        cv2.ellipse(self.base, (w // 2, h + 40), (220, 190), 0, 180, 360, self.shirt, -1, cv2.LINE_AA)
        cv2.rectangle(self.base, (w // 2 - 38, 390), (w // 2 + 38, h - 130), look.skin, -1, cv2.LINE_AA)
        # Head sprite with its mask, drawn once and moved per frame.
        self.head = np.zeros((360, 320, 3), np.uint8)
        mask = np.zeros((360, 320), np.uint8)
        cx, cy = 160, 190
        for canvas, colour in ((self.head, None), (mask, 255)):
            if look.hair_style == "bob":
                cv2.ellipse(canvas, (cx, cy - 10), (150, 165), 0, 0, 360, colour or look.hair, -1, cv2.LINE_AA)
            elif look.hair_style == "bun":
                cv2.circle(canvas, (cx, 38), 40, colour or look.hair, -1, cv2.LINE_AA)
            cv2.ellipse(canvas, (cx, cy), (118, 150), 0, 0, 360, colour or look.skin, -1, cv2.LINE_AA)
            cv2.ellipse(canvas, (cx, cy - 60), (122, 100), 0, 180, 360, colour or look.hair, -1, cv2.LINE_AA)
        for side in (-1, 1):  # brows
            cv2.line(self.head, (cx + side * 30, cy - 52), (cx + side * 72, cy - 56), (40, 45, 60), 7, cv2.LINE_AA)
        cv2.ellipse(self.head, (cx, cy + 22), (10, 16), 0, 0, 180, tuple(int(c * 0.85) for c in look.skin), 3, cv2.LINE_AA)
        self.head_mask = mask
        self.head_at = (w // 2 - 160, 100)

    def _eyes(self, canvas: np.ndarray, cx: int, cy: int, closure: float) -> None:
        for side in (-1, 1):
            x = cx + side * 50
            lid = int(round(18 * (1 - closure)))
            if lid <= 2:
                cv2.line(canvas, (x - 18, cy), (x + 18, cy), (40, 40, 50), 4, cv2.LINE_AA)
                continue
            cv2.ellipse(canvas, (x, cy), (20, lid), 0, 0, 360, (250, 250, 250), -1, cv2.LINE_AA)
            cv2.circle(canvas, (x, cy), min(11, lid), (50, 40, 30), -1, cv2.LINE_AA)
            cv2.circle(canvas, (x + 4, cy - 4), 3, (255, 255, 255), -1, cv2.LINE_AA)

    def _mouth(self, canvas: np.ndarray, cx: int, cy: int, i: int) -> None:
        t = self.track
        opening, width, rounding = float(t.mouth_open[i]), float(t.mouth_width[i]), float(t.mouth_round[i])
        half_w = int(22 + 26 * width)
        half_h = int(3 + 26 * opening)
        cv2.ellipse(canvas, (cx, cy), (half_w + 6, half_h + 7), 0, 0, 360, self.look.lips, -1, cv2.LINE_AA)
        if opening < 0.08:
            cv2.line(canvas, (cx - half_w, cy), (cx + half_w, cy), (70, 70, 150), 3, cv2.LINE_AA)
            return
        inner_w = max(6, int(half_w * (1 - 0.35 * rounding)))
        cv2.ellipse(canvas, (cx, cy), (inner_w, half_h), 0, 0, 360, MOUTH_INSIDE, -1, cv2.LINE_AA)
        if opening > 0.2:  # upper teeth
            cv2.ellipse(canvas, (cx, cy - half_h + 3), (int(inner_w * 0.7), 5), 0, 0, 180, (235, 235, 235), -1, cv2.LINE_AA)

    def frame(self, index: int) -> np.ndarray:
        t, w = self.track, BOX[0]
        canvas = self.base.copy()
        if t.gesture[index] > 0.01:  # forearm rising towards the product above
            g = float(t.gesture[index])
            elbow = (w // 2 + 150, BOX[1] - 40)
            hand = (int(elbow[0] + 40 + 30 * g), int(elbow[1] - 40 - 170 * g))
            cv2.line(canvas, elbow, hand, self.shirt, 46, cv2.LINE_AA)
            cv2.circle(canvas, hand, 30, self.look.skin, -1, cv2.LINE_AA)
        x = self.head_at[0] + int(round(t.head_dx[index]))
        y = self.head_at[1] + int(round(t.head_dy[index]))
        hh, hw = self.head_mask.shape
        region = canvas[y:y + hh, x:x + hw]
        cv2.copyTo(self.head, self.head_mask, region)
        self._eyes(region, 160, 170, float(t.blink[index]))
        self._mouth(region, 160, 268, index)
        return canvas


class TalkingHeadBackend(Protocol):
    """A neural talking-head model: a portrait and the voice in, video frames out."""

    name: str

    def render(self, portrait: np.ndarray, audio: np.ndarray, sample_rate: int, fps: int,
               size: tuple[int, int]) -> Iterator[np.ndarray]:
        """BGR frames of `size` (width, height), one per video frame of the audio."""


class TalkingHead:
    """A presenter whose frames come from a TalkingHeadBackend."""

    def __init__(self, backend: TalkingHeadBackend, portrait: np.ndarray):
        self.backend, self.portrait = backend, portrait
        self.name = f"talking-head:{backend.name}"
        self._frames: Iterator[np.ndarray] | None = None
        self._last: np.ndarray | None = None

    def start(self, speech: Speech, fps: int, frames: int, backdrop: np.ndarray) -> None:
        self._frames = iter(self.backend.render(self.portrait, speech.samples, speech.sample_rate, fps, BOX))
        self._last = backdrop.copy()

    def frame(self, index: int) -> np.ndarray:
        made = next(self._frames, None)
        if made is not None:
            if made.shape[:2] != (BOX[1], BOX[0]):
                made = cv2.resize(made, BOX, interpolation=cv2.INTER_AREA)
            self._last = np.ascontiguousarray(made[:, :, :3])
        return self._last  # a backend that stops early holds its last frame


def load_talking_head(spec: str) -> TalkingHeadBackend:
    """The backend named `module:factory` (the factory is called with no arguments)."""
    module_name, _, attribute = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ToolFailed(f"cannot load the talking-head backend '{spec}' ({exc}); "
                         "set clip_talking_head to module:factory of an installed backend") from None
    return factory()
