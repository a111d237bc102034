"""A real short clip, rendered at 1080x1920 and probed: streams, size, duration, AI
marking, subtitles inside the clip, and a mouth that moves with the voice."""

import av
import numpy as np
import pytest
from skimage import data

from tools.clips.compose import CAPTIONS, FADE_S, INTRO_S, OUTRO_S, PRESENTER, ClipContent, ClipRenderer
from tools.clips.encode import VideoFormat, write_mp4
from tools.clips.presenter import MOUTH_INSIDE, DrawnAvatar
from tools.clips.subtitles import make_cues, parse_srt, srt_text
from tools.drivers.voice import load_voice
from tools.images.fonts import find_fonts

LINES = ["Meet the bamboo board.", "It is light and easy to clean.", "Tap buy now!"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    speech = load_voice("piper:joe").speak(LINES)
    shot = np.ascontiguousarray(data.coffee()[:, :, ::-1])
    content = ClipContent("Blue Pine Home", "Bamboo cutting board", "$24.99", [shot], ["#1F4E5F", "#E8B04B"],
                          "AI-generated", "Buy now", "Quiet things for busy kitchens")
    cues = make_cues(speech, "en")
    renderer = ClipRenderer(content, speech, cues, DrawnAvatar("ben", "#1F4E5F"), find_fonts(), VideoFormat())
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    frames = write_mp4(path, renderer, VideoFormat(), speech.samples, speech.sample_rate,
                       {"comment": "AI-generated video", "description": '{"AIGC": {"Label": "1"}}'})
    return {"path": path, "speech": speech, "srt": srt_text(cues), "frames": frames, "renderer": renderer}


def _decoded(path):
    """Per video frame: the mouth's open-colour pixel count in the presenter box; and the audio."""
    x, y, w, h = PRESENTER
    target = np.array(MOUTH_INSIDE, np.int16)
    mouth, audio = [], []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            box = frame.to_ndarray(format="bgr24")[y:y + h, x:x + w].astype(np.int16)
            mouth.append(int((np.abs(box - target).max(axis=2) < 24).sum()))
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            audio.append(frame.to_ndarray()[0])
        rate = container.streams.audio[0].rate
    return np.array(mouth, float), np.concatenate(audio), rate


def test_streams_size_duration_and_ai_metadata(clip):
    with av.open(str(clip["path"])) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264" and audio.codec_context.name == "aac"
        assert (video.codec_context.width, video.codec_context.height) == (1080, 1920)
        assert video.average_rate == 30
        duration = container.duration / 1_000_000
        assert "AI-generated" in container.metadata["comment"]
        assert "AIGC" in container.metadata["description"]
    assert abs(duration - clip["speech"].duration) <= 0.1
    assert abs(clip["frames"] / 30 - clip["speech"].duration) <= 1 / 30


def test_subtitles_follow_the_words_inside_the_clip(clip):
    cues = parse_srt(clip["srt"])
    duration = clip["speech"].duration
    assert " ".join(text for _, _, text in cues) == " ".join(LINES)
    assert all(0 <= start < end <= duration for start, end, _ in cues)
    assert all(a[1] <= b[0] + 1e-3 for a, b in zip(cues, cues[1:]))
    # The caption band is drawn where the words are spoken, and empty before the first word.
    captions = clip["renderer"].captions
    first = clip["speech"].words[0]
    assert captions.state(first.start - 0.2) == (-1, -1)
    assert captions.state(first.start + 0.01) == (0, 0)
    assert CAPTIONS[1] + CAPTIONS[3] <= 1920


def test_mouth_opens_with_the_voice(clip):
    mouth, audio, rate = _decoded(clip["path"])
    per_frame = rate // 30
    energy = np.array([np.sqrt(np.mean(audio[i * per_frame:(i + 1) * per_frame] ** 2)) for i in range(len(mouth))])
    # The intro and outro cards hide the presenter.
    visible = slice(int((INTRO_S + FADE_S) * 30) + 1, int((len(mouth) / 30 - OUTRO_S) * 30))
    m, e = mouth[visible], energy[visible]
    assert m.max() > 300 and m.max() > 8 * m.min()  # the mouth both opens wide and closes
    correlation = max(np.corrcoef(m[lag:], e[:len(e) - lag])[0, 1] for lag in range(3))
    assert correlation > 0.5, correlation
    print(f"mouth-energy correlation {correlation:.2f}")


def test_the_panel_warped_in_i420_matches_the_bgr_warp(clip):
    """Most frames get the product panel from the stage's I420 planes; it must be the same
    picture as the BGR warp the thumbnail and fades use (up to rounding)."""
    from tools.clips.compose import _planes

    renderer = clip["renderer"]
    for t in (0.5, clip["speech"].duration / 2, clip["speech"].duration - 0.2):
        for reference, fast in zip(_planes(renderer._shot(t)), renderer._shot_planes(t)):
            assert reference.shape == fast.shape
            error = ((reference.astype(np.float64) - fast.astype(np.float64)) ** 2).mean()
            assert 10 * np.log10(255**2 / max(error, 1e-9)) > 45  # dB; chroma edges differ by rounding
