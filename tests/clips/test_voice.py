"""The offline voices and their timings: Piper (English) and espeak-ng (Mandarin)."""

import numpy as np
import pytest

from tools.drivers.voice import load_voice, spread_words
from tools.errors import ToolFailed


def _ordered(items, duration):
    return all(0 <= a.start < a.end <= duration + 1e-6 for a in items) and all(
        a.start <= b.start for a, b in zip(items, items[1:]))


def test_piper_gives_word_and_phoneme_timings_for_each_line():
    lines = ["Meet the bamboo board.", "It is light and easy to clean."]
    speech = load_voice("piper:joe").speak(lines)
    assert speech.sample_rate == 22050 and speech.samples.dtype == np.float32
    assert [line.text for line in speech.lines] == lines
    assert [w.text for w in speech.words] == " ".join(lines).split()
    assert _ordered(speech.words, speech.duration) and _ordered(speech.phonemes, speech.duration)
    assert speech.lines[0].end < speech.lines[1].start  # a pause between the lines
    # The voice is loud where the words are and quiet in the lead-in.
    rate = speech.sample_rate
    word = speech.words[2]
    assert np.abs(speech.samples[int(word.start * rate):int(word.end * rate)]).max() > 0.2
    assert np.abs(speech.samples[:int(0.3 * rate)]).max() < 0.01


def test_espeak_mandarin_times_each_character():
    speech = load_voice("espeak:cmn-latn-pinyin").speak(["你好，这是竹砧板。"])
    assert "".join(w.text for w in speech.words).startswith("你好")
    assert len(speech.words) >= 6 and _ordered(speech.words, speech.duration)
    assert any(p.text != "_" for p in speech.phonemes)
    assert 1.0 < speech.duration < 6.0


def test_written_words_share_time_when_the_voice_says_more_words():
    words = spread_words("Only $19.99 today", [(1.0, 1.2), (1.2, 1.5), (1.5, 1.7), (1.7, 2.0), (2.0, 2.4)], 1.0, 2.4)
    assert [w.text for w in words] == ["Only", "$19.99", "today"]
    assert words[0].start == 1.0 and abs(words[-1].end - 2.4) < 1e-9
    assert all(a.end == pytest.approx(b.start) for a, b in zip(words, words[1:]))


def test_unknown_voice_names_its_fix():
    with pytest.raises(ToolFailed, match="piper:joe"):
        load_voice("festival:kal")
    with pytest.raises(ToolFailed, match="not found"):
        load_voice("piper:/nowhere/voice.onnx")


def test_chinese_word_timings_cover_each_line_once_in_order():
    """espeak reports some words twice, or at text position 0, around a Chinese clause's
    comma: the timed words still spell each line exactly once, in order."""
    lines = ["高硼硅玻璃3.3材质，日常使用。", "容量550毫升，日常刚好。", "配竹盖，硅胶密封圈。"]
    speech = load_voice("espeak:cmn-latn-pinyin").speak(lines)
    for line in speech.lines:
        words = [w for w in speech.words if line.start <= w.start < line.end]
        assert "".join(w.text for w in words) == line.text.replace(" ", "")
        assert all(a.start <= b.start for a, b in zip(words, words[1:]))
