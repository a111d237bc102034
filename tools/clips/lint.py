"""The listing lint for clips: a poster frame a page can show before the clip plays (a page
shows a black box without one), and subtitle cues that never split a number from its unit
or a hyphenated pair. bench/listing_quality.py counts what passes."""

from pathlib import Path

import numpy as np
from PIL import Image

from tools.clips.subtitles import bad_break, parse_srt

DARK = 24  # mean luminance (0-255) below which a poster reads as a black box


def poster_lint(poster: Path) -> list[str]:
    """The clip's poster frame: it exists and shows something."""
    if not poster.is_file():
        return [f"the clip has no poster frame ({poster.name}); make the clip again"]
    with Image.open(poster) as image:
        grey = np.asarray(image.convert("L"), np.float32)
    if grey.mean() < DARK or grey.std() < 4:
        return [f"the poster frame {poster.name} is blank"]
    return []


def cue_lint(cues: list[str], language: str) -> list[str]:
    """Cues that end between a number and its unit or inside a hyphenated pair."""
    problems = []
    for before, after in zip(cues, cues[1:]):
        words = list(before) if language == "zh-CN" else before.split()
        following = after[:2] if language == "zh-CN" else (after.split() or [""])[0]
        if bad_break(words, following):
            problems.append(f"subtitles split '{before.strip()[-12:].strip()}' / '{after.strip()[:12].strip()}'")
    return problems


def clip_lint(clip: Path, language: str) -> list[str]:
    """Everything the lint finds for one clip file and its .jpg poster and .srt subtitles."""
    problems = poster_lint(clip.with_suffix(".jpg"))
    subtitles = clip.with_suffix(".srt")
    if subtitles.is_file():
        problems += cue_lint([text for _, _, text in parse_srt(subtitles.read_text(encoding="utf-8"))], language)
    else:
        problems.append("the clip has no subtitles file")
    return problems
