#!/usr/bin/env python3
"""Render the sample product photos of store_data/samples with POV-Ray.

Every photo is a studio shot written for this project: one .pov scene per
product next to this script, sharing the studio set in ``studio.inc`` (light
grey paper sweep, soft box key light, fill light, radiosity). POV-Ray renders
each shot headless to a temporary PNG, and Pillow turns it into the JPEG that
ships in ``store_data/samples/photos/``.

Usage (from anywhere):

    python store_data/samples/render/render_photos.py            # all shots
    python store_data/samples/render/render_photos.py mug-350-blu.jpg
    python store_data/samples/render/render_photos.py --size 400 --out /tmp/preview

Needs the ``povray`` binary (Debian package ``povray``, 3.7) and Pillow.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

RENDER_DIR = Path(__file__).resolve().parent
PHOTO_DIR = RENDER_DIR.parent / "photos"


@dataclass(frozen=True)
class Shot:
    photo: str                      # file name in photos/
    scene: str                      # .pov file in this folder
    declares: dict[str, float] = field(default_factory=dict)


# photo file -> scene. Photos named after one SKU show that SKU; photos named
# after a product handle are shared by all its variants (see PROVENANCE.md).
SHOTS: list[Shot] = [
    Shot("mug-350-wht.jpg", "mug.pov", {"Variant": 0}),
    Shot("mug-350-blu.jpg", "mug.pov", {"Variant": 1}),
    Shot("mug-350-2.jpg", "mug.pov", {"Variant": 0, "Angle": 1}),
    Shot("btl-gls-550.jpg", "bottle.pov"),
    Shot("bamboo-board.jpg", "board.pov"),
    Shot("bwl-stn-snd.jpg", "bowl.pov", {"Variant": 0}),
    Shot("bwl-stn-chr.jpg", "bowl.pov", {"Variant": 1}),
    Shot("vas-cer-20.jpg", "vase.pov"),
    Shot("lmp-tbl-lin.jpg", "lamp.pov"),
    Shot("scented-candle-jar.jpg", "candle_jar.pov"),
    Shot("tpt-cer-800.jpg", "teapot.pov", {"Angle": 0}),
    Shot("tpt-cer-800-2.jpg", "teapot.pov", {"Angle": 1}),
    Shot("cst-wal-4.jpg", "coasters.pov"),
    Shot("tmb-stl-slv.jpg", "tumbler.pov", {"Variant": 0}),
    Shot("tmb-stl-blk.jpg", "tumbler.pov", {"Variant": 1}),
    Shot("pot-ter-14.jpg", "plant_pot.pov"),
    Shot("jar-gls-1l.jpg", "glass_jar.pov"),
    Shot("spn-bch-3.jpg", "spoons.pov"),
    Shot("clk-dsk-oak.jpg", "clock.pov"),
    Shot("twl-ctn-sge.jpg", "towels.pov"),
    Shot("cnd-pil-ivr.jpg", "pillar_candle.pov"),
]


def povray_version(povray: str) -> str:
    """First line of ``povray --version`` (it prints to stderr)."""
    proc = subprocess.run([povray, "--version"], capture_output=True, text=True)
    for line in (proc.stdout + proc.stderr).splitlines():
        if line.startswith("POV-Ray"):
            return line.strip()
    return "POV-Ray (unknown version)"


def render_png(povray: str, shot: Shot, png: Path, size: int, antialias: float) -> None:
    cmd = [
        povray,
        f"+I{shot.scene}",
        f"+O{png}",
        f"+W{size}",
        f"+H{size}",
        "-D",                    # no display window: headless
        f"+A{antialias}",
        "+FN",                   # PNG output
        "-V",                    # quiet
    ]
    cmd += [f"Declare={name}={value}" for name, value in shot.declares.items()]
    # POV-Ray may only read the scene folder and write /tmp (povray.conf),
    # so run it inside this folder.
    proc = subprocess.run(cmd, cwd=RENDER_DIR, capture_output=True, text=True)
    if proc.returncode != 0 or not png.exists():
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise RuntimeError(f"povray failed for {shot.photo} ({shot.scene}):\n{tail}")


def save_jpeg(png: Path, jpg: Path, quality: int, max_bytes: int) -> int:
    """Save as JPEG, lowering the quality in steps if the file is too big."""
    image = Image.open(png).convert("RGB")
    q = quality
    while True:
        image.save(jpg, "JPEG", quality=q, optimize=True, progressive=True)
        if jpg.stat().st_size <= max_bytes or q <= 60:
            return q
        q -= 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("photos", nargs="*", help="only these photo files (default: all)")
    parser.add_argument("--out", type=Path, default=PHOTO_DIR, help="output folder (default: ../photos)")
    parser.add_argument("--size", type=int, default=1000, help="width = height in pixels (default 1000)")
    parser.add_argument("--antialias", type=float, default=0.3, help="POV-Ray +A threshold (default 0.3)")
    parser.add_argument("--quality", type=int, default=85, help="JPEG quality (default 85)")
    parser.add_argument("--max-kb", type=int, default=150, help="lower quality until under this (default 150)")
    parser.add_argument("--povray", default=shutil.which("povray") or "povray")
    parser.add_argument("--list", action="store_true", help="list the shots and exit")
    args = parser.parse_args(argv)

    shots = SHOTS
    if args.list:
        for s in shots:
            print(f"{s.photo:26s} {s.scene:18s} {s.declares or ''}")
        return 0
    if args.photos:
        wanted = set(args.photos)
        unknown = wanted - {s.photo for s in SHOTS}
        if unknown:
            parser.error(f"unknown photo(s): {', '.join(sorted(unknown))}")
        shots = [s for s in SHOTS if s.photo in wanted]

    if not shutil.which(args.povray) and not os.path.exists(args.povray):
        print("povray not found; install it (apt-get install povray)", file=sys.stderr)
        return 2
    print(povray_version(args.povray))

    args.out.mkdir(parents=True, exist_ok=True)
    total_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shopagent-render-", dir="/tmp") as tmp:
        for shot in shots:
            start = time.monotonic()
            png = Path(tmp) / (Path(shot.photo).stem + ".png")
            render_png(args.povray, shot, png, args.size, args.antialias)
            jpg = args.out / shot.photo
            q = save_jpeg(png, jpg, args.quality, args.max_kb * 1024)
            print(f"{shot.photo:26s} {time.monotonic() - start:6.1f} s  "
                  f"{jpg.stat().st_size / 1024:6.1f} KB  q={q}", flush=True)
    total = time.monotonic() - total_start
    size = sum((args.out / s.photo).stat().st_size for s in shots)
    print(f"{len(shots)} photos, {size / 1024:.0f} KB, {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
