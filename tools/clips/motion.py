"""What the presenter's face does on each video frame: mouth shapes from the phoneme
timings (visemes), blinks and idle head motion. Shared by every presenter."""

from dataclasses import dataclass

import numpy as np

from tools.drivers.voice import Speech, Timed

# Mouth shapes: (openness 0..1, width 0..1, rounding 0..1).
VISEMES: dict[str, tuple[float, float, float]] = {
    "rest": (0.0, 0.55, 0.0),
    "closed": (0.0, 0.6, 0.0),  # m b p
    "teeth": (0.15, 0.8, 0.0),  # f v: lower lip under the teeth
    "open": (1.0, 0.8, 0.0),  # a
    "wide": (0.45, 1.0, 0.0),  # i e
    "mid": (0.6, 0.75, 0.2),  # schwa, r
    "round": (0.65, 0.45, 1.0),  # o u w
    "consonant": (0.3, 0.7, 0.0),  # t d s n k l ...
}
# Piper writes IPA, espeak-ng's events use its ASCII mnemonics; both are keyed by first letter.
_BY_FIRST = {
    **dict.fromkeys("mbpɱ", "closed"), **dict.fromkeys("fv", "teeth"),
    **dict.fromkeys("aæɑʌɐAᵻ", "open"), **dict.fromkeys("ieɛɪIEjy", "wide"),
    **dict.fromkeys("əɜɚ@3ɹrR", "mid"), **dict.fromkeys("oɔuʊwOUɒ", "round"),
}
_STRESS = set("ˈˌ'")  # a stress mark's time belongs to the sound after it
_LENGTH = set("ːˑʲ,")  # a length mark's time belongs to the sound before it
LEAD_S = 0.04  # lips move a little ahead of the sound they make


def viseme_of(symbol: str) -> str | None:
    """The mouth shape of one phoneme symbol; None for a mark that takes its neighbour's."""
    if not symbol or symbol == "_":
        return "rest"
    if symbol[0] in _STRESS or symbol[0] in _LENGTH:
        return None
    return _BY_FIRST.get(symbol[0], "consonant")


def _names(phonemes: list[Timed]) -> list[str]:
    """The viseme of each phoneme, marks resolved to the sound they belong to."""
    names: list[str | None] = [viseme_of(p.text) for p in phonemes]
    following = "rest"
    for i in range(len(names) - 1, -1, -1):  # stress marks: the next sound
        name = names[i]
        if name is None and phonemes[i].text[:1] in _STRESS:
            names[i] = following
        elif name is not None:
            following = name
    previous = "rest"
    for i, name in enumerate(names):  # length marks: the previous sound
        names[i] = previous = name or previous
    return names  # type: ignore[return-value]


@dataclass
class FaceTrack:
    """Per video frame: mouth openness/width/rounding, eyelid closure, head offset."""

    mouth_open: np.ndarray
    mouth_width: np.ndarray
    mouth_round: np.ndarray
    blink: np.ndarray
    head_dx: np.ndarray
    head_dy: np.ndarray
    gesture: np.ndarray  # 0..1: a hand raised towards the product

    @property
    def frames(self) -> int:
        return len(self.mouth_open)


def _targets(phonemes: list[Timed], times: np.ndarray) -> np.ndarray:
    """The viseme shape in force at each time (the phoneme covering it)."""
    shapes = np.tile(np.array(VISEMES["rest"]), (len(times), 1))
    starts = np.array([p.start for p in phonemes]) if phonemes else np.zeros(0)
    names = _names(phonemes)
    index = np.searchsorted(starts, times, side="right") - 1
    for i, t in enumerate(times):
        j = index[i]
        if j >= 0 and t < phonemes[j].end:
            shapes[i] = VISEMES[names[j]]
    return shapes


def face_track(speech: Speech, fps: int, frames: int, seed: int = 0) -> FaceTrack:
    """The face's motion for `frames` video frames of `speech`, deterministic per seed."""
    times = (np.arange(frames) + 0.5) / fps
    # Sample several points inside each frame so short phonemes still move the mouth.
    sub = np.stack([_targets(speech.phonemes, times + LEAD_S + (k - 1) / (3 * fps)) for k in range(3)]).mean(axis=0)
    smooth = np.empty_like(sub)
    state = sub[0] if frames else np.zeros(3)
    for i in range(frames):
        # Opening is quick, closing a little slower, as lips move.
        rate = np.where(sub[i] > state, 0.7, 0.5)
        state = state + rate * (sub[i] - state)
        smooth[i] = state
    rng = np.random.default_rng(seed)
    blink = np.zeros(frames)
    at = int(fps * rng.uniform(1.0, 2.5))
    while at < frames:
        for k, closure in enumerate((0.5, 1.0, 1.0, 0.5)):
            if at + k < frames:
                blink[at + k] = closure
        at += int(fps * rng.uniform(2.2, 5.0))
    phase = rng.uniform(0, 2 * np.pi, 2)
    dx = 7 * np.sin(2 * np.pi * times / 4.1 + phase[0])
    dy = 4 * np.sin(2 * np.pi * times / 2.7 + phase[1])
    gesture = np.zeros(frames)
    for n, line in enumerate(speech.lines):
        if n in (1, 2):  # the benefits: raise a hand towards the product while starting them
            t0, t1 = line.start, min(line.end, line.start + 1.6)
            ramp = np.clip(np.minimum((times - t0) / 0.3, (t1 - times) / 0.3), 0, 1)
            gesture = np.maximum(gesture, ramp)
            dy -= 5 * np.clip(1 - np.abs(times - t0 - 0.2) / 0.25, 0, 1)  # a small nod
    return FaceTrack(smooth[:, 0], smooth[:, 1], smooth[:, 2], blink, dx, dy, gesture)
