"""The clip's picture: a 1080x1920 frame per 1/30 s, streamed as YUV 4:2:0 to the encoder.

Everything that never moves (brand backdrop, header, AI mark, product name, price badge,
call to action) is drawn once and converted once. Per frame only the moving boxes are
redrawn and converted: the product shot (pan and zoom), the presenter, and the caption
band when its words change. The intro and outro cards fade over the frame.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from tools.clips.encode import VideoFormat
from tools.clips.presenter import BOX, Presenter, hex_rgb
from tools.clips.subtitles import Captions, Cue
from tools.drivers.voice import Speech
from tools.images.fonts import Fonts

PANEL = (40, 210, 1000, 800)  # x, y, width, height of the product shot
PRESENTER = (20, 1130, *BOX)
CAPTIONS = (0, 1780, 1080, 130)
ZOOM = 1.12  # the shot's stage is this much larger than the panel; pan/zoom moves inside it
INTRO_S, FADE_S, OUTRO_S = 0.7, 0.3, 1.5


@dataclass
class ClipContent:
    """What the clip shows besides the presenter."""

    shop_name: str
    product_name: str
    price_text: str | None
    shots: list[np.ndarray]  # BGR product pictures, best first
    colours: list[str]
    ai_label: str
    call_to_action: str  # the button's words: "Buy now" / "立即购买"
    slogan: str = ""
    logo: np.ndarray | None = None  # BGR, or BGRA: a logo keeps its transparent corners


def _luma(rgb: tuple[int, int, int]) -> float:
    return (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255


class Palette:
    """The brand's colours as the frame uses them: backdrop, accent, readable text."""

    def __init__(self, colours: list[str]):
        self.primary = hex_rgb(colours[0], (31, 58, 95)) if colours else (31, 58, 95)
        self.accent = hex_rgb(colours[1], (242, 193, 78)) if len(colours) > 1 else (242, 193, 78)
        self.text = (25, 25, 30) if _luma(self.primary) > 0.6 else (255, 255, 255)
        self.on_accent = (25, 25, 30) if _luma(self.accent) > 0.55 else (255, 255, 255)

    def backdrop(self, width: int, height: int) -> np.ndarray:
        """A vertical gradient from the primary colour to a darker shade, as BGR."""
        top = np.array(self.primary[::-1], np.float32)
        ramp = np.linspace(1.0, 0.55, height, dtype=np.float32)[:, None, None]
        return np.broadcast_to(top * ramp, (height, width, 3)).astype(np.uint8).copy()


def _fit_font(draw: ImageDraw.ImageDraw, fonts: Fonts, text: str, size: int, width: int, bold: bool = True):
    font = fonts.get(size, bold)
    while size > 20 and draw.textlength(text, font=font) > width:
        size -= 4
        font = fonts.get(size, bold)
    return font


def _label(draw: ImageDraw.ImageDraw, fonts: Fonts, text: str) -> None:
    """The visible AI mark: text 5% of the frame's short side, top-left, on a dark tag."""
    font = fonts.get(54)
    left, top, right, bottom = font.getbbox(text)
    draw.rounded_rectangle((28, 28, 28 + right - left + 36, 28 + bottom - top + 28), radius=16, fill=(0, 0, 0, 160))
    draw.text((46 - left, 42 - top), text, font=font, fill=(255, 255, 255))


def _stage(shot: np.ndarray) -> np.ndarray:
    """The shot contained in a box ZOOM times the panel. The space beside it continues the
    shot's own edge rows and columns, softened, so a studio gradient runs on without a
    band of another grey at its sides."""
    w, h = int(PANEL[2] * ZOOM), int(PANEL[3] * ZOOM)
    scale = min(w / shot.shape[1], h / shot.shape[0])
    fitted = cv2.resize(shot, (max(1, int(shot.shape[1] * scale)), max(1, int(shot.shape[0] * scale))),
                        interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    y, x = (h - fitted.shape[0]) // 2, (w - fitted.shape[1]) // 2
    stage = cv2.copyMakeBorder(fitted, y, h - fitted.shape[0] - y, x, w - fitted.shape[1] - x, cv2.BORDER_REPLICATE)
    if x or y:  # soften what was replicated, keep the shot itself sharp
        soft = cv2.GaussianBlur(stage, (0, 0), 25)
        stage = soft.copy()
        stage[y:y + fitted.shape[0], x:x + fitted.shape[1]] = fitted
    return stage


def _planes(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A BGR picture with even sides as its I420 planes: Y, then U and V at half size."""
    height, width = bgr.shape[:2]
    packed = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
    chroma = packed[height:].reshape(2, height // 2, width // 2)
    return packed[:height], chroma[0], chroma[1]


class Canvas:
    """A frame kept both as BGR and as packed I420, updated box by box."""

    def __init__(self, bgr: np.ndarray):
        self.bgr = bgr.copy()
        self.yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
        self.caption_state: tuple[int, int] | None = None

    def put_planes(self, box: tuple[int, int, int, int], planes: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        """Write a box's Y, U and V planes into the I420 form only: the BGR form of the box
        is then stale until the next put()."""
        x, y, w, h = box
        height, width = self.bgr.shape[:2]
        luma, u, v = planes
        self.yuv[y:y + h, x:x + w] = luma
        chroma = self.yuv[height:].reshape(2, height // 2, width // 2)
        chroma[0, y // 2:(y + h) // 2, x // 2:(x + w) // 2] = u
        chroma[1, y // 2:(y + h) // 2, x // 2:(x + w) // 2] = v

    def put(self, box: tuple[int, int, int, int], pixels: np.ndarray) -> None:
        """Write a box into both forms (box edges are even, as 4:2:0 chroma needs)."""
        x, y, w, h = box
        height, width = self.bgr.shape[:2]
        self.bgr[y:y + h, x:x + w] = pixels
        part = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_BGR2YUV_I420)
        self.yuv[y:y + h, x:x + w] = part[:h]
        chroma = self.yuv[height:].reshape(2, height // 2, width // 2)
        chroma[:, y // 2:(y + h) // 2, x // 2:(x + w) // 2] = part[h:].reshape(2, h // 2, w // 2)


class ClipRenderer:
    """Frames of one clip, in order, as packed I420 arrays (see write_mp4)."""

    def __init__(self, content: ClipContent, speech: Speech, cues: list[Cue], presenter: Presenter,
                 fonts: Fonts, fmt: VideoFormat = VideoFormat()):
        self.content, self.speech, self.presenter, self.fmt = content, speech, presenter, fmt
        self.fonts, self.palette = fonts, Palette(content.colours)
        self.frames = max(1, round(speech.duration * fmt.fps))
        self.base = self._background()
        self.canvas = Canvas(self.base)
        self.stages = [_stage(shot) for shot in content.shots] or [_stage(np.full((10, 10, 3), 235, np.uint8))]
        self.stage_planes = [_planes(stage) for stage in self.stages]
        self.intro, self.outro = Canvas(self._card(intro=True)), Canvas(self._card(intro=False))
        self.captions = Captions(cues, CAPTIONS[2:], fonts, self.palette.accent[::-1], self._box(CAPTIONS))
        self.presenter.start(speech, fmt.fps, self.frames, self._box(PRESENTER))
        self.thumbnail: np.ndarray | None = None

    def _box(self, box: tuple[int, int, int, int]) -> np.ndarray:
        x, y, w, h = box
        return self.base[y:y + h, x:x + w].copy()

    def _background(self) -> np.ndarray:
        c, p = self.content, self.palette
        width, height = self.fmt.width, self.fmt.height
        image = Image.fromarray(p.backdrop(width, height)[:, :, ::-1])
        draw = ImageDraw.Draw(image, "RGBA")
        _label(draw, self.fonts, c.ai_label)
        draw.text((width / 2, 160), c.shop_name, font=_fit_font(draw, self.fonts, c.shop_name, 60, 700), anchor="mm", fill=p.text)
        x, y, w, h = PANEL
        draw.rounded_rectangle((x - 8, y - 8, x + w + 8, y + h + 8), radius=18, fill=(255, 255, 255))
        draw.text((width / 2, 1075), c.product_name, font=_fit_font(draw, self.fonts, c.product_name, 56, 1000),
                  anchor="mm", fill=p.text)
        if c.price_text:
            draw.ellipse((640, 1140, 980, 1480), fill=p.accent)
            draw.text((810, 1310), c.price_text, font=_fit_font(draw, self.fonts, c.price_text, 84, 300), anchor="mm", fill=p.on_accent)
        draw.rounded_rectangle((590, 1540, 1030, 1660), radius=60, fill=(255, 255, 255))
        draw.text((810, 1600), c.call_to_action, font=_fit_font(draw, self.fonts, c.call_to_action, 56, 380),
                  anchor="mm", fill=p.primary)
        return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])

    def _card(self, intro: bool) -> np.ndarray:
        """The opening card (logo, name, slogan) or the closing one (name, price, button)."""
        c, p = self.content, self.palette
        width, height = self.fmt.width, self.fmt.height
        image = Image.fromarray(p.backdrop(width, height)[:, :, ::-1])
        draw = ImageDraw.Draw(image, "RGBA")
        _label(draw, self.fonts, c.ai_label)
        if intro and c.logo is not None:
            logo = cv2.resize(c.logo, (420, int(420 * c.logo.shape[0] / c.logo.shape[1])), interpolation=cv2.INTER_AREA)
            where = ((width - logo.shape[1]) // 2, 900 - logo.shape[0] // 2 - 260)
            if logo.shape[2] == 4:  # BGRA -> RGBA, pasted through its own alpha: no square behind it
                rgba = Image.fromarray(logo[:, :, [2, 1, 0, 3]], "RGBA")
                image.paste(rgba, where, rgba)
            else:
                image.paste(Image.fromarray(logo[:, :, ::-1]), where)
        draw.text((width / 2, 960), c.shop_name, font=_fit_font(draw, self.fonts, c.shop_name, 104, 960), anchor="mm", fill=p.text)
        if intro and c.slogan:
            draw.text((width / 2, 1080), c.slogan, font=_fit_font(draw, self.fonts, c.slogan, 54, 960, bold=False), anchor="mm", fill=p.text)
        if not intro:
            draw.text((width / 2, 1090), c.product_name, font=_fit_font(draw, self.fonts, c.product_name, 58, 960), anchor="mm", fill=p.text)
            if c.price_text:
                draw.text((width / 2, 1220), c.price_text, font=_fit_font(draw, self.fonts, c.price_text, 110, 900), anchor="mm", fill=p.accent)
            draw.rounded_rectangle((290, 1340, 790, 1480), radius=70, fill=p.accent)
            draw.text((width / 2, 1410), c.call_to_action, font=_fit_font(draw, self.fonts, c.call_to_action, 64, 440),
                      anchor="mm", fill=p.on_accent)
        return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])

    def _shot(self, t: float) -> np.ndarray:
        """The product panel at time t, as BGR."""
        n, matrix = self._camera(t)
        return cv2.warpAffine(self.stages[n], matrix, (PANEL[2], PANEL[3]), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)

    def _shot_planes(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The product panel at time t as I420 planes: warping the stage's own planes moves
        half the samples of a BGR warp and needs no colour conversion per frame."""
        n, matrix = self._camera(t)
        luma, u, v = self.stage_planes[n]
        half = matrix.copy()
        half[:, 2] /= 2  # the chroma planes: the same zoom, half the offset
        size, half_size = (PANEL[2], PANEL[3]), (PANEL[2] // 2, PANEL[3] // 2)

        def warp(plane: np.ndarray, affine: np.ndarray, out: tuple[int, int]) -> np.ndarray:
            return cv2.warpAffine(plane, affine, out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

        return warp(luma, matrix, size), warp(u, half, half_size), warp(v, half, half_size)

    def _camera(self, t: float) -> tuple[int, np.ndarray]:
        """Which stage is shown at time t and the affine map from the stage to the panel: one
        shot per script line, slowly zooming and panning."""
        lines = self.speech.lines
        n = max(0, sum(line.start <= t for line in lines) - 1)
        line = lines[n] if lines else None
        start, end = (line.start, line.end + 0.3) if line else (0.0, self.speech.duration)
        progress = float(np.clip((t - start) / max(end - start, 0.1), 0, 1))
        progress = progress * progress * (3 - 2 * progress)  # ease in and out
        stage = self.stages[n % len(self.stages)]
        zoom = 1 / ZOOM + (1 - 1 / ZOOM) * (progress if n % 2 == 0 else 1 - progress)
        pan = (progress - 0.5) * (1 if n % 2 == 0 else -1)
        sh, sw = stage.shape[:2]
        cx = sw / 2 + pan * (sw - PANEL[2] / zoom) / 2
        cy = sh / 2
        matrix = np.array([[zoom, 0, PANEL[2] / 2 - zoom * cx], [0, zoom, PANEL[3] / 2 - zoom * cy]], np.float32)
        return n % len(self.stages), matrix

    def _card_alpha(self, t: float) -> tuple[Canvas | None, float]:
        duration = self.frames / self.fmt.fps
        if t < INTRO_S + FADE_S:
            return self.intro, float(np.clip((INTRO_S + FADE_S - t) / FADE_S, 0, 1))
        if duration > 3 * OUTRO_S and t > duration - OUTRO_S:
            return self.outro, float(np.clip((t - (duration - OUTRO_S)) / FADE_S, 0, 1))
        return None, 0.0

    def _caption(self, canvas: Canvas, t: float) -> None:
        state = self.captions.state(t)
        if state != canvas.caption_state:  # the band changes only when a word does
            canvas.put(CAPTIONS, self.captions.draw(state))
            canvas.caption_state = state

    def __iter__(self) -> Iterator[np.ndarray]:
        fps, main = self.fmt.fps, self.canvas
        thumb_at = int(self.frames * 0.4)
        for i in range(self.frames):
            t = i / fps
            card, alpha = self._card_alpha(t)
            presenter = self.presenter.frame(i)  # asked for every frame: some presenters stream
            if card is not None and alpha >= 1:  # a card hides everything but the words
                self._caption(card, t)
                yield card.yuv
                continue
            # Only the thumbnail and the frames under a fading card read the BGR form: the
            # rest get the panel in I420 alone.
            if i == thumb_at or (card is not None and alpha > 0):
                main.put(PANEL, self._shot(t))
            else:
                main.put_planes(PANEL, self._shot_planes(t))
            main.put(PRESENTER, presenter)
            self._caption(main, t)
            if i == thumb_at:
                self.thumbnail = main.bgr.copy()
            if card is None or alpha <= 0:
                yield main.yuv
                continue
            blended = cv2.addWeighted(main.bgr, 1 - alpha, card.bgr, alpha, 0)
            x, y, w, h = CAPTIONS
            blended[y:y + h, x:x + w] = main.bgr[y:y + h, x:x + w]  # the words stay readable over the cards
            yield cv2.cvtColor(blended, cv2.COLOR_BGR2YUV_I420)
