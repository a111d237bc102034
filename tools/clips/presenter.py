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
from typing import Protocol

import cv2
import numpy as np

from tools.clips.avatar_art import FACE, HEAD, Look, body, head
from tools.clips.motion import FaceTrack, face_track
from tools.drivers.voice import Speech
from tools.errors import ToolFailed

BOX = (520, 640)  # width, height of the presenter's box in the 1080x1920 frame
NOT_STARTED = "a presenter was asked for a frame before start(); call start() with the clip's speech first"
MOUTH_INSIDE = (40, 30, 88)  # BGR of the open mouth; tests find the mouth by this colour


class Presenter(Protocol):
    """Draws the presenter's box for each frame after `start()`."""

    name: str

    def start(self, speech: Speech, fps: int, frames: int, backdrop: np.ndarray) -> None:
        """Prepare for a clip; `backdrop` is the frame's BGR box the presenter stands on."""

    def frame(self, index: int) -> np.ndarray:
        """The BGR box (BOX size) for video frame `index`; frames are asked for in order."""


# Colours in RGB. Every look has a different face, hair and hair style.
LOOKS: dict[str, Look] = {
    "ava": Look(skin=(238, 200, 172), hair=(112, 68, 40), hair_style="bob", lips=(196, 96, 100),
                iris=(92, 120, 70), top=(244, 240, 232)),
    "ben": Look(skin=(205, 160, 122), hair=(40, 35, 32), hair_style="short", lips=(168, 98, 88),
                iris=(70, 52, 40), top=(236, 238, 242)),
    "mei": Look(skin=(240, 206, 178), hair=(26, 22, 24), hair_style="bun", lips=(204, 92, 104),
                iris=(60, 44, 36), top=(250, 246, 240)),
}


def hex_rgb(colour: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    """'#1F4E5F' -> (31, 78, 95); `default` for anything that is not a hex colour."""
    text = colour.strip().lstrip("#")
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)) if len(text) == 6 else default
    except ValueError:
        return default


class DrawnAvatar:
    """A drawn presenter (tools/clips/avatar_art.py paints the still parts once): eyes,
    mouth, the gesturing arm and the head's position change per frame."""

    def __init__(self, look: str = "ava", shirt: str = "#3A6EA5", seed: int = 0):
        if look not in LOOKS:
            raise ToolFailed(f"unknown avatar look '{look}'; choose one of {', '.join(LOOKS)}")
        self.name, self.look, self.seed = f"avatar:{look}", LOOKS[look], seed
        self.jacket = hex_rgb(shirt, (58, 110, 165))
        self.track: FaceTrack | None = None

    def _track(self) -> FaceTrack:
        if self.track is None:
            raise RuntimeError(NOT_STARTED)
        return self.track

    def start(self, speech: Speech, fps: int, frames: int, backdrop: np.ndarray) -> None:
        self.track = face_track(speech, fps, frames, self.seed)
        w, h = BOX
        self.base = np.ascontiguousarray(body(backdrop[:, :, ::-1], self.look, self.jacket)[:, :, ::-1])
        rgb, self.head_alpha = head(self.look)
        self.head = rgb[:, :, ::-1].astype(np.float32)
        self.head_at = (w // 2 - HEAD[0] // 2, 70)
        self.sleeve = tuple(int(c) for c in self.jacket[::-1])
        self.skin = tuple(int(c) for c in self.look.skin[::-1])

    def _eyes(self, canvas: np.ndarray, cx: int, cy: int, closure: float) -> None:
        iris = tuple(int(c) for c in self.look.iris[::-1])
        lash = tuple(int(c * 0.5) for c in self.look.hair[::-1])
        for side in (-1, 1):
            x = cx + side * 50
            lid = int(round(15 * (1 - closure)))
            if lid <= 2:  # closed: the lid's curve
                cv2.ellipse(canvas, (x, cy - 2), (18, 6), 0, 20, 160, lash, 3, cv2.LINE_AA)
                continue
            cv2.ellipse(canvas, (x, cy), (19, lid), 0, 0, 360, (246, 248, 250), -1, cv2.LINE_AA)
            cv2.circle(canvas, (x + 1, cy + 1), min(11, lid), iris, -1, cv2.LINE_AA)
            cv2.circle(canvas, (x + 1, cy + 1), min(5, lid), (28, 24, 22), -1, cv2.LINE_AA)
            cv2.circle(canvas, (x + 4, cy - 3), 3, (255, 255, 255), -1, cv2.LINE_AA)
            cv2.ellipse(canvas, (x, cy), (20, lid + 1), 0, 195, 345, lash, 3, cv2.LINE_AA)  # upper lid and lashes

    def _mouth(self, canvas: np.ndarray, cx: int, cy: int, i: int) -> None:
        t = self._track()
        lips = tuple(int(c) for c in self.look.lips[::-1])
        opening, width, rounding = float(t.mouth_open[i]), float(t.mouth_width[i]), float(t.mouth_round[i])
        half_w = int(20 + 22 * width)
        half_h = int(3 + 20 * opening)
        if opening < 0.08:  # closed: a gentle smile
            cv2.ellipse(canvas, (cx, cy - 6), (half_w, 10), 0, 20, 160, lips, 5, cv2.LINE_AA)
            return
        cv2.ellipse(canvas, (cx, cy), (half_w + 5, half_h + 6), 0, 0, 360, lips, -1, cv2.LINE_AA)
        inner_w = max(6, int(half_w * (1 - 0.35 * rounding)))
        cv2.ellipse(canvas, (cx, cy), (inner_w, half_h), 0, 0, 360, MOUTH_INSIDE, -1, cv2.LINE_AA)
        if opening > 0.2:  # upper teeth
            cv2.ellipse(canvas, (cx, cy - half_h + 3), (int(inner_w * 0.7), 5), 0, 0, 180, (235, 235, 235), -1, cv2.LINE_AA)

    def _arm(self, canvas: np.ndarray, g: float) -> None:
        """The right arm lifting from the side into an open-handed gesture towards the product."""
        w, h = BOX
        shoulder = (w // 2 + 160, h - 110)
        elbow = (int(shoulder[0] + 50 - 10 * g), int(shoulder[1] + 60 - 120 * g))
        hand = (int(elbow[0] - 25 + 20 * g), int(elbow[1] - 20 - 115 * g))
        cv2.line(canvas, shoulder, elbow, self.sleeve, 66, cv2.LINE_AA)
        cv2.circle(canvas, elbow, 31, self.sleeve, -1, cv2.LINE_AA)
        cv2.line(canvas, elbow, hand, self.sleeve, 54, cv2.LINE_AA)
        crease = tuple(int(c * 0.85) for c in self.sleeve)
        cv2.line(canvas, (elbow[0] - 12, elbow[1] + 10), (elbow[0] + 14, elbow[1] - 6), crease, 4, cv2.LINE_AA)
        cuff = tuple(int(c * 0.8) for c in self.sleeve)
        cv2.circle(canvas, hand, 22, cuff, -1, cv2.LINE_AA)
        palm = (hand[0] + 6, hand[1] - 30)
        cv2.ellipse(canvas, palm, (22, 30), -15, 0, 360, self.skin, -1, cv2.LINE_AA)  # an open palm
        for k in range(4):  # fingers, fanned a little
            tip = (palm[0] - 15 + 10 * k, palm[1] - 46 + abs(k - 1.5) * 5)
            cv2.line(canvas, (palm[0] - 14 + 9 * k, palm[1] - 14), (int(tip[0]), int(tip[1])), self.skin, 11, cv2.LINE_AA)
        cv2.line(canvas, (palm[0] - 16, palm[1] + 6), (palm[0] - 36, palm[1] - 12), self.skin, 12, cv2.LINE_AA)  # thumb

    def frame(self, index: int) -> np.ndarray:
        t = self._track()
        canvas = self.base.copy()
        if t.gesture[index] > 0.01:
            self._arm(canvas, float(t.gesture[index]))
        x = self.head_at[0] + int(round(t.head_dx[index]))
        y = self.head_at[1] + int(round(t.head_dy[index]))
        hh, hw = self.head_alpha.shape[:2]
        region = canvas[y:y + hh, x:x + hw]
        region[:] = (region * (1 - self.head_alpha) + self.head * self.head_alpha).astype(np.uint8)
        cx, cy = FACE[0], FACE[1]
        self._eyes(region, cx, cy - 18, float(t.blink[index]))
        self._mouth(region, cx, cy + 80, index)
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
        if self._frames is None or self._last is None:
            raise RuntimeError(NOT_STARTED)
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
