"""Subtitle cues never split a number from its unit, a size, or a hyphenated pair; the clip
lint finds a split and a missing or blank poster."""

import numpy as np
from PIL import Image

from tools.clips.lint import cue_lint, poster_lint
from tools.clips.subtitles import make_cues
from tools.drivers.voice import Speech, Timed


def speech_of(text: str) -> Speech:
    words = [Timed(word, i * 0.3, i * 0.3 + 0.25) for i, word in enumerate(text.split())]
    return Speech(np.zeros(100, np.float32), 22050, "test", lines=[Timed(text, 0.0, len(words) * 0.3)], words=words)


def test_cues_keep_numbers_with_units_and_hyphenated_pairs_together():
    for text in ("It measures 33 x 23 x 1.8 cm. Made in China.",
                 "Glazed in gloss, lead- and cadmium-free.",
                 "A board that measures 38 x 26 x 1.8 cm."):
        cues = [cue.text for cue in make_cues(speech_of(text), "en")]
        assert " ".join(cues) == text
        assert cue_lint(cues, "en") == [], cues
    # The split the old cues made is what the lint finds.
    assert cue_lint(["It measures 33 x 23 x 1.8", "cm. Made in China."], "en") == [
        "subtitles split '3 x 23 x 1.8' / 'cm. Made in'"]
    assert cue_lint(["Glazed in gloss, lead-", "and cadmium-free."], "en")
    assert cue_lint(["容量350", "毫升"], "zh-CN")


def test_a_poster_must_exist_and_show_something(tmp_path):
    assert "no poster frame" in poster_lint(tmp_path / "clip.jpg")[0]
    Image.new("RGB", (108, 192), (0, 0, 0)).save(tmp_path / "clip.jpg")
    assert "blank" in poster_lint(tmp_path / "clip.jpg")[0]
    frame = np.random.default_rng(1).integers(40, 220, (192, 108, 3), dtype=np.uint8)
    Image.fromarray(frame).save(tmp_path / "clip.jpg")
    assert poster_lint(tmp_path / "clip.jpg") == []


def test_the_logo_keeps_its_transparent_corners_on_the_opening_card():
    from tools.clips.compose import ClipContent, ClipRenderer
    from tools.clips.presenter import DrawnAvatar
    from tools.images.brand import render_logo
    from tools.images.fonts import find_fonts

    fonts = find_fonts()
    rgba = np.asarray(render_logo("Hearth & Table", ["#B5452F", "#F2C14E"], fonts, 512))  # red on a teal card
    bgra = np.ascontiguousarray(rgba[:, :, [2, 1, 0, 3]])
    speech = Speech(np.zeros(22050, np.float32), 22050, "test", lines=[Timed("Hi.", 0.0, 1.0)], words=[Timed("Hi.", 0.0, 0.5)])
    content = ClipContent("Hearth & Table", "Mug", "$9.99", [], ["#2A7F7A", "#E8B04B"], "AI-generated", "Buy now",
                          "Simple things", logo=bgra)
    def card(logo):
        content.logo = logo
        return ClipRenderer(content, speech, [], DrawnAvatar("ben", "#2A7F7A"), fonts)._card(intro=True).astype(int)

    with_logo, without = card(bgra), card(None)
    # The logo is 420 px square, its top-left corner at (330, 430): its corner shows the card, its middle the logo.
    corner, middle = (430 + 6, 330 + 6), (430 + 210, 540)
    assert np.abs(with_logo[corner] - without[corner]).max() <= 3
    assert np.abs(with_logo[middle] - without[middle]).max() > 30
