"""The owner's digital twin: their photo, with face landmarks (mediapipe face mesh, whose
model ships inside the wheel) driving a jaw drop and an open mouth on the viseme timing."""

from pathlib import Path

import cv2
import numpy as np

from tools.clips.motion import FaceTrack, face_track
from tools.clips.presenter import BOX, MOUTH_INSIDE
from tools.drivers.voice import Speech
from tools.errors import ToolFailed

# Face-mesh indices: inner lip contours (corner to corner), lip centres, chin, cheeks.
UPPER_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
LOWER_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
CHIN, LEFT_CHEEK, RIGHT_CHEEK, UPPER_LIP, LOWER_LIP, FOREHEAD = 152, 234, 454, 13, 14, 10
MARGIN = 16  # spare pixels around the box, so idle motion never shows an edge


def face_landmarks(rgb: np.ndarray) -> np.ndarray:
    """The 468 face-mesh landmarks of the one face in an RGB image, as (x, y) pixels.

    Raises ToolFailed when no face is found (the fix: a clear, front-facing photo).
    """
    try:
        import mediapipe as mp  # the twin extra; heavy, so imported only here
    except ImportError:
        raise ToolFailed("the owner's-photo presenter needs the twin extra (face landmarks): run "
                         "`make setup EXTRAS=twin`, or set clip_presenter = \"avatar\"") from None

    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1) as mesh:
        found = mesh.process(np.ascontiguousarray(rgb))
    if not found.multi_face_landmarks:
        raise ToolFailed("no face found in the owner's photo; use a clear, front-facing portrait (clip_owner_photo)")
    h, w = rgb.shape[:2]
    return np.array([(p.x * w, p.y * h) for p in found.multi_face_landmarks[0].landmark], np.float32)


class PhotoTwin:
    """A presenter made from one portrait photo."""

    def __init__(self, photo: Path | np.ndarray, seed: int = 0):
        if isinstance(photo, np.ndarray):
            rgb = photo
        else:
            image = cv2.imread(str(photo), cv2.IMREAD_COLOR)
            if image is None:
                raise ToolFailed(f"cannot read the owner's photo {photo}; set clip_owner_photo to a JPEG or PNG")
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        self.name, self.seed = "photo-twin", seed
        self._frame_portrait(rgb, face_landmarks(rgb))
        self.track: FaceTrack | None = None

    def _frame_portrait(self, rgb: np.ndarray, points: np.ndarray) -> None:
        """Crop and scale the photo so the face fills the box's upper part; keep the
        landmarks in the new pixel coordinates."""
        w, h = BOX[0] + 2 * MARGIN, BOX[1] + 2 * MARGIN
        face_w = points[RIGHT_CHEEK, 0] - points[LEFT_CHEEK, 0]
        scale = 0.62 * BOX[0] / max(face_w, 1.0)
        centre_x = points[:, 0].mean()
        top = points[FOREHEAD, 1] - 0.2 * BOX[1] / scale  # forehead a fifth of the way down
        matrix = np.array([[scale, 0, w / 2 - scale * centre_x], [0, scale, MARGIN - scale * top]], np.float32)
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        self.portrait = cv2.warpAffine(bgr, matrix, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
        self.landmarks = points @ matrix[:, :2].T + matrix[:, 2]
        self._prepare_warp()

    def _prepare_warp(self) -> None:
        """The jaw's weight field: 1 on the lower lip and chin, fading to 0 above the mouth,
        below the chin and towards the cheeks."""
        p = self.landmarks
        mouth_y = (p[UPPER_LIP, 1] + p[LOWER_LIP, 1]) / 2
        chin_y, cx = p[CHIN, 1], p[[UPPER_LIP, LOWER_LIP, CHIN], 0].mean()
        half = (p[RIGHT_CHEEK, 0] - p[LEFT_CHEEK, 0]) / 2
        self.max_open = 0.32 * (chin_y - mouth_y)
        x0, x1 = int(max(0, cx - 1.1 * half)), int(min(self.portrait.shape[1], cx + 1.1 * half))
        y0 = int(max(0, mouth_y - 0.25 * (chin_y - mouth_y)))
        y1 = int(min(self.portrait.shape[0], chin_y + 0.8 * (chin_y - mouth_y) + self.max_open))
        self.roi = (x0, y0, x1, y1)
        xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
        across = np.exp(-(((xs - cx) / (0.8 * half)) ** 4))
        below = chin_y + 0.8 * (chin_y - mouth_y)
        down = np.clip((ys - (mouth_y - 3)) / 6, 0, 1) * np.clip((below - ys) / (below - chin_y), 0, 1)
        self.weight = (across * down).astype(np.float32)
        self.grid = (xs, ys)

    @property
    def mouth_box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the mouth in the box's pixels, wide enough for any opening."""
        pts = self.landmarks[UPPER_INNER + LOWER_INNER] - MARGIN
        x0, y0 = pts.min(axis=0) - 6
        x1, y1 = pts.max(axis=0) + (6, 6 + self.max_open)
        return int(x0), int(y0), int(x1), int(y1)

    def start(self, speech: Speech, fps: int, frames: int, backdrop: np.ndarray) -> None:
        self.track = face_track(speech, fps, frames, self.seed)

    def draw(self, opening: float, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
        """The portrait with the mouth open by `opening` (0..1), shifted by (dx, dy)."""
        canvas = self.portrait.copy()
        drop = opening * self.max_open
        if drop >= 0.5:
            x0, y0, x1, y1 = self.roi
            xs, ys = self.grid
            warped = cv2.remap(self.portrait, xs, ys - drop * self.weight, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            canvas[y0:y1, x0:x1] = warped
            upper = self.landmarks[UPPER_INNER]
            lower = self.landmarks[LOWER_INNER[::-1]] + (0, drop)
            polygon = np.round(np.vstack([upper, lower]) * 4).astype(np.int32)  # 2 fractional bits
            cv2.fillPoly(canvas, [polygon], MOUTH_INSIDE, cv2.LINE_AA, shift=2)
            if drop > 4:  # a hint of the upper teeth
                teeth = np.round(np.vstack([upper, upper[::-1] + (0, min(drop * 0.3, 7))]) * 4).astype(np.int32)
                cv2.fillPoly(canvas, [teeth], (225, 228, 232), cv2.LINE_AA, shift=2)
        x, y = MARGIN + int(round(dx * 0.6)), MARGIN + int(round(dy * 0.6))
        return canvas[y:y + BOX[1], x:x + BOX[0]]

    def frame(self, index: int) -> np.ndarray:
        t = self.track
        if t is None:
            raise RuntimeError("call start() before drawing frames")
        return self.draw(float(t.mouth_open[index]), float(t.head_dx[index]), float(t.head_dy[index]))
