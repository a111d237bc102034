"""Promo clip render speed at 1080x1920, 30 fps.

Prints, for one clip of a ~20 s English script (Piper voice, drawn avatar or photo twin):
  render/duration   full render (drawing + H.264/AAC encoding, streamed) / clip duration
  encode-only       encoding the very same frames, already in memory, / clip duration
  full/encode       full render time / encode-only time
  clips per hour    at the full render rate, voice synthesis included
and the load average beside them, since the machine may be shared. Each figure is given
as wall time and as CPU time (user + system, all threads): on a busy shared machine the
wall times are inflated by other people's work, the CPU times are not.

    .venv/bin/python bench/clips.py [--presenter avatar|twin] [--preset ultrafast]
"""

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where another benchmark's file
# name could shadow a standard library module of that name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from skimage import data  # noqa: E402

from tools.clips.compose import ClipContent, ClipRenderer  # noqa: E402
from tools.clips.encode import VideoFormat, write_mp4  # noqa: E402
from tools.clips.presenter import DrawnAvatar, Presenter  # noqa: E402
from tools.clips.subtitles import make_cues  # noqa: E402
from tools.drivers.voice import load_voice  # noqa: E402
from tools.images.fonts import find_fonts  # noqa: E402

SCRIPT = [
    "Tired of cutting boards that warp after a month?",
    "This one is solid bamboo, 30 cm long and 20 cm wide.",
    "It is light, easy to clean, and kind to your knives.",
    "Today it is just $24.99.",
    "Tap buy now and give your kitchen an upgrade!",
]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count() or 0} cores"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(work):
    """(result, wall seconds, CPU seconds) of calling work()."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def renderer(speech, presenter_kind: str, fmt: VideoFormat) -> ClipRenderer:
    shots = [cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR), cv2.cvtColor(data.chelsea(), cv2.COLOR_RGB2BGR)]
    content = ClipContent("Leaf & Grain", "Bamboo cutting board", "$24.99", shots, ["#2E5E4E", "#F2C14E"],
                          "AI-generated", "Buy now", "Good wood, good food")
    presenter: Presenter
    if presenter_kind == "twin":
        from tools.clips.twin import PhotoTwin

        presenter = PhotoTwin(data.astronaut())
    else:
        presenter = DrawnAvatar("ava", "#2E5E4E")
    return ClipRenderer(content, speech, make_cues(speech, "en"), presenter, find_fonts(), fmt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presenter", choices=["avatar", "twin"], default="avatar")
    parser.add_argument("--preset", default="ultrafast")
    parser.add_argument("--crf", type=int, default=26)
    args = parser.parse_args()
    fmt = VideoFormat(preset=args.preset, crf=args.crf)
    print(f"start: {load()}")

    started = time.perf_counter()
    voice = load_voice("piper:joe")
    loaded = time.perf_counter()
    speech = voice.speak(SCRIPT)
    voiced = time.perf_counter()
    duration = speech.duration
    print(f"voice: {duration:.2f} s of speech in {voiced - loaded:.2f} s (voice load {loaded - started:.2f} s)")

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        # 1. Full render, streamed: drawing on one thread, encoding on the other.
        frames, full, full_cpu = timed(lambda: write_mp4(out / "full.mp4", renderer(speech, args.presenter, fmt), fmt,
                                                         speech.samples, speech.sample_rate))
        load_full = load()
        size_kb = (out / "full.mp4").stat().st_size // 1024
        # 2. Drawing alone: the same frames, thrown away.
        _, drawing, drawing_cpu = timed(lambda: sum(1 for _ in renderer(speech, args.presenter, fmt)))
        # 3. Encode-only: the same frames, drawn into memory beforehand, and the same audio.
        kept = [np.array(planes) for planes in renderer(speech, args.presenter, fmt)]
        _, encode_only, encode_cpu = timed(lambda frames=kept: write_mp4(out / "encode_only.mp4", frames, fmt,
                                                                         speech.samples, speech.sample_rate,
                                                                         prefetch=False))
        del kept

    per_clip = full + (voiced - loaded)
    print(f"clip: {frames} frames, {duration:.2f} s, 1080x1920 @ {fmt.fps} fps, libx264 {fmt.preset} {fmt.x264_params} crf {fmt.crf}, {size_kb} KB")
    print("                 wall s  wall/duration   CPU s  CPU/duration")
    for name, wall, cpu in (("full render", full, full_cpu), ("drawing only", drawing, drawing_cpu),
                            ("encode only", encode_only, encode_cpu)):
        print(f"{name:14s} {wall:8.2f} {wall / duration:13.3f} {cpu:8.2f} {cpu / duration:12.3f}")
    print(f"render/duration = {full / duration:.3f} wall (target <= 0.5 on 2 cores)   [{load_full}]")
    print(f"full / encode-only = {full / encode_only:.3f} wall, {full_cpu / encode_cpu:.3f} CPU (target <= 1.5)")
    print(f"clips per hour  {3600 / per_clip:7.1f}   (voice + render wall, {per_clip:.1f} s per clip)")
    print(f"end: {load()}")


if __name__ == "__main__":
    main()
