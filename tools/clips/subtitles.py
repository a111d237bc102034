"""Word-timed subtitles: cues grouped from the voice's word timings, the SRT file, and
the caption pictures (the word being spoken highlighted), drawn once per state."""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from tools.copy.facts import CJK, UNITS
from tools.drivers.voice import Speech, Timed
from tools.images.fonts import Fonts

CUE_CHARS = {"en": 26, "zh-CN": 13}  # one line of the caption band at the caption size
UNIT_WORDS = {form.lower() for unit, forms in UNITS.items() for form in forms if not CJK.search(form)} | {
    f"{form.lower()}s" for unit, forms in UNITS.items() for form in forms if form.isalpha() and not CJK.search(form)}
CJK_UNITS = tuple(form for forms in UNITS.values() for form in forms if CJK.search(form))


@dataclass
class Cue:
    words: list[Timed]
    start: float
    end: float
    joiner: str  # " " between English words, "" between Chinese characters

    @property
    def text(self) -> str:
        return self.joiner.join(w.text for w in self.words)


def make_cues(speech: Speech, language: str) -> list[Cue]:
    """Words grouped into one-line cues that never cross a line of the script; each cue
    shows from its first word until the next cue (or its line's end). A cue never ends
    between a number and its unit ("1.8" / "cm"), inside a size ("33 x" / "23") or inside a
    hyphenated pair ("lead-" / "and cadmium-free"): it breaks earlier instead."""
    joiner = "" if language == "zh-CN" else " "
    limit = CUE_CHARS.get(language, CUE_CHARS["en"])
    cues: list[Cue] = []
    for line in speech.lines:
        words = [w for w in speech.words if line.start <= w.start < line.end]
        group: list[Timed] = []
        for word in words:
            if group and len(joiner.join(w.text for w in [*group, word])) > limit:
                cut = _break_at([w.text for w in [*group, word]])
                if cut > 0:
                    cues.append(Cue(group[:cut], group[0].start, group[cut].start if cut < len(group) else word.start,
                                    joiner))
                    group = group[cut:]
            group.append(word)
        if group:
            cues.append(Cue(group, group[0].start, max(group[-1].end, line.end - 0.05), joiner))
    return cues


def _break_at(texts: list[str]) -> int:
    """Where to end a cue in `texts` (the words so far plus the one that overflows): the
    latest place that splits no pair; 0 when there is none (the cue runs long instead)."""
    for cut in range(len(texts) - 1, 0, -1):
        if not bad_break(texts[:cut], texts[cut]):
            return cut
    return 0


def bad_break(before: list[str], after: str) -> bool:
    """Whether a cue may not end after `before` with `after` starting the next one."""
    last = before[-1].strip() if before else ""
    nxt = after.strip().strip(".,;:!?。，；：！？")
    if not last or not nxt:
        return False
    if last[-1].isdigit() and (nxt.lower() in UNIT_WORDS or nxt[0] in "x×" or nxt[0].isdigit()
                               or any(nxt.startswith(u) for u in CJK_UNITS)):
        return True  # "1.8" / "cm", "33" / "x"
    if last in ("x", "×") and nxt[0].isdigit():
        return True  # "33 x" / "23"
    if last.endswith("-"):
        return True  # "lead-" / "and cadmium-free"
    return len(before) > 1 and last.lower() in ("and", "or") and before[-2].strip().endswith("-")


def _stamp(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def srt_text(cues: list[Cue]) -> str:
    """The cues as an SRT file."""
    blocks = [f"{n}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}\n" for n, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of an SRT file."""
    def seconds(stamp: str) -> float:
        hms, ms = stamp.strip().split(",")
        h, m, s = (int(v) for v in hms.split(":"))
        return h * 3600 + m * 60 + s + int(ms) / 1000

    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.strip().splitlines()
        if len(lines) >= 3 and "-->" in lines[1]:
            start, end = lines[1].split("-->")
            cues.append((seconds(start), seconds(end), "\n".join(lines[2:])))
    return cues


class Captions:
    """Draws the caption band: the cue's words, the one being spoken in the accent colour."""

    def __init__(self, cues: list[Cue], size: tuple[int, int], fonts: Fonts, accent: tuple[int, int, int],
                 backdrop: np.ndarray):
        self.cues, self.size, self.accent, self.backdrop = cues, size, accent, backdrop
        self.font = fonts.get(58, bold=True)
        self._cache: dict[tuple[int, int], np.ndarray] = {}
        self.starts = np.array([c.start for c in cues])

    def state(self, t: float) -> tuple[int, int]:
        """(cue index, word index) shown at time t; (-1, -1) when no cue is on."""
        i = int(np.searchsorted(self.starts, t, side="right")) - 1
        if i < 0 or t >= self.cues[i].end:
            return (-1, -1)
        words = self.cues[i].words
        j = max(0, sum(w.start <= t for w in words) - 1)
        return (i, j)

    def draw(self, state: tuple[int, int]) -> np.ndarray:
        """The BGR band for a state; drawn once per state and kept."""
        if state not in self._cache:
            self._cache[state] = self._render(*state)
        return self._cache[state]

    def _render(self, cue_index: int, word_index: int) -> np.ndarray:
        band = self.backdrop.copy()
        if cue_index < 0:
            return band
        cue = self.cues[cue_index]
        w, h = self.size
        image = Image.fromarray(band[:, :, ::-1])
        draw = ImageDraw.Draw(image, "RGBA")
        texts = [word.text for word in cue.words]
        widths = [draw.textlength(text + cue.joiner, font=self.font) for text in texts]
        total = sum(widths) - draw.textlength(cue.joiner, font=self.font)
        if total > w - 40:  # a long word: shrink to fit rather than overflow
            font = self.font.font_variant(size=max(24, int(self.font.size * (w - 40) / total)))
            widths = [draw.textlength(text + cue.joiner, font=font) for text in texts]
            total = sum(widths) - draw.textlength(cue.joiner, font=font)
        else:
            font = self.font
        draw.rounded_rectangle(((w - total) / 2 - 24, 8, (w + total) / 2 + 24, h - 8), radius=22, fill=(0, 0, 0, 150))
        x = (w - total) / 2
        accent = tuple(reversed(self.accent))
        for k, (text, width) in enumerate(zip(texts, widths)):
            draw.text((x, h / 2), text, font=font, anchor="lm", fill=accent if k == word_index else (255, 255, 255),
                      stroke_width=2, stroke_fill=(0, 0, 0))
            x += width
        return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
