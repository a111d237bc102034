"""Presenters other than the rendered clip's: every avatar look, and the talking-head plug."""

import numpy as np
import pytest

from agent.settings import Settings
from tools.clips.presenter import BOX, LOOKS, MOUTH_INSIDE, DrawnAvatar, TalkingHead, load_talking_head
from tools.clips.tool import _presenter
from tools.deps import ToolDeps
from tools.drivers.voice import Speech, Timed
from tools.errors import ToolFailed

SPEECH = Speech(np.zeros(22050, np.float32), 22050, "test", lines=[Timed("a", 0.1, 0.9)],
                phonemes=[Timed("_", 0.0, 0.3), Timed("a", 0.3, 0.7), Timed("_", 0.7, 1.0)])


def _open_pixels(box: np.ndarray) -> int:
    return int((np.abs(box.astype(np.int16) - np.array(MOUTH_INSIDE)).max(axis=2) < 8).sum())


@pytest.mark.parametrize("look", sorted(LOOKS))
def test_each_look_opens_its_mouth_on_the_vowel(look):
    avatar = DrawnAvatar(look, "#1F4E5F")
    avatar.start(SPEECH, 30, 30, np.full((BOX[1], BOX[0], 3), 90, np.uint8))
    frames = [avatar.frame(i) for i in range(30)]
    assert frames[0].shape == (BOX[1], BOX[0], 3)
    assert _open_pixels(frames[15]) > 500 and _open_pixels(frames[3]) == 0


class EnergyHead:
    """A minimal talking-head backend: a grey portrait whose dark mouth grows with the
    audio's loudness (a neural backend plugs in the same way)."""

    name = "energy"

    def render(self, portrait, audio, sample_rate, fps, size):
        step = sample_rate // fps
        for at in range(0, len(audio) - step // 2, step):
            frame = np.full((size[1] // 2, size[0] // 2, 3), 128, np.uint8)  # half size: the plug rescales
            loud = float(np.abs(audio[at:at + step]).mean())
            frame[100:100 + int(100 * loud), 50:150] = 0
            yield frame


def test_talking_head_frames_are_sized_to_the_box_and_follow_the_audio():
    audio = np.zeros(22050, np.float32)
    audio[11025:] = 0.5
    speech = Speech(audio, 22050, "test")
    head = TalkingHead(EnergyHead(), np.zeros((64, 64, 3), np.uint8))
    head.start(speech, 30, 32, np.zeros((BOX[1], BOX[0], 3), np.uint8))
    frames = [head.frame(i) for i in range(32)]  # two more than the backend gives: the last one holds
    assert all(f.shape == (BOX[1], BOX[0], 3) for f in frames)
    dark = [int((f == 0).all(axis=2).sum()) for f in frames]
    assert dark[5] == 0 and dark[25] > 1000 and dark[31] == dark[29]
    assert head.name == "talking-head:energy"


def test_presenter_settings_name_their_fix(tmp_path):
    def deps(**values):
        return ToolDeps(engine=None, workdir=tmp_path, settings=Settings.load(tmp_path, **values))

    with pytest.raises(ToolFailed, match="set clip_owner_photo"):
        _presenter(deps(clip_presenter="twin"), None, 0)
    with pytest.raises(ToolFailed, match="does not exist"):
        _presenter(deps(clip_presenter="twin", clip_owner_photo=tmp_path / "me.jpg"), None, 0)
    with pytest.raises(ToolFailed, match="module:factory"):
        load_talking_head("no_such_module:make")
    assert _presenter(deps(clip_avatar_look="mei"), None, 0).name == "avatar:mei"


@pytest.mark.parametrize("look", sorted(LOOKS))
def test_each_look_has_level_friendly_brows_and_its_own_face(look):
    from tools.clips.avatar_art import FACE, head, shade

    rgb, alpha = head(LOOKS[look])
    cx, cy = FACE[0], FACE[1]
    brow = np.array(shade(LOOKS[look].hair, 0.85))
    for side in (-1, 1):  # each brow's inner end sits no lower than its outer end (not a cross look)
        def row(offset, side=side):  # the brow's middle row in the column `offset` px out from the face's centre
            column = np.abs(rgb[cy - 62:cy - 26, cx + side * offset].astype(int) - brow).max(axis=1)
            return np.nonzero(column < 8)[0].mean()
        assert row(32) <= row(68) + 1.5  # two columns symmetric about the brow's middle, 50 px out
    others = [head(LOOKS[other])[0] for other in LOOKS if other != look]
    assert all(np.abs(rgb.astype(int) - o).mean() > 5 for o in others)
    assert alpha.max() == 1.0 and alpha[0, 0] == 0.0  # a sprite with transparent corners


def test_a_presenter_asked_for_a_frame_before_start_says_so():
    for presenter in (DrawnAvatar("ava", "#1F4E5F"), TalkingHead(EnergyHead(), np.zeros((64, 64, 3), np.uint8))):
        with pytest.raises(RuntimeError, match=r"before start\(\); call start\(\)"):
            presenter.frame(0)


@pytest.mark.parametrize("look", sorted(LOOKS))
def test_each_look_is_shaded_and_stands_out_on_a_backdrop_of_its_jacket_colour(look):
    from tools.clips.avatar_art import body, head

    jacket = (42, 127, 122)
    backdrop = np.full((BOX[1], BOX[0], 3), jacket, np.uint8)
    shoulders = body(backdrop, LOOKS[look], jacket)[BOX[1] - 175:, :BOX[0] // 3].astype(int)
    # The lit jacket and its rim set the far shoulder apart (flat art left it invisible).
    assert (np.abs(shoulders - np.array(jacket)).max(axis=2) > 15).mean() > 0.15
    rgb, alpha = head(LOOKS[look])
    crown = rgb[20:100][alpha[20:100, :, 0] > 0.99].mean(axis=1)
    # Hair lit from the upper left: a soft range of tones, not one flat colour.
    assert np.percentile(crown, 95) - np.percentile(crown, 5) > 30
