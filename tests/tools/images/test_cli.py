"""`shopagent images make|brand` as users run it: the real console script in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

SHOPAGENT = Path(sys.executable).parent / "shopagent"


def run(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}
    return subprocess.run([str(SHOPAGENT), *args], capture_output=True, text=True, env=env, timeout=120)


def test_images_make_all_then_brand(shop, workdir):
    shop()
    made = run("images", "make", "--all", "--platform", "1:1-800", "--workdir", str(workdir))
    assert made.returncode == 0, made.stderr
    assert "3 picture(s) made" in made.stdout and "compositor pictures only" in made.stdout
    again = json.loads(run("images", "make", "MUG-BLUE", "-p", "1:1-800", "-w", str(workdir), "--json").stdout)
    assert again[0]["images"][0]["status"] == "unchanged"
    brand = run("images", "brand", "--workdir", str(workdir))
    assert brand.returncode == 0 and "logo: assets/images/brand/logo.png (512x512, made)" in brand.stdout


def test_images_make_mistakes_are_one_line(shop, workdir):
    shop()
    for args, message in [((), "give one SKU, or --all"), (("NOPE",), "unknown SKU 'NOPE'; see the SKUs with: shopagent catalog list"),
                          (("MUG-BLUE", "-p", "5:4"), "unknown platform size(s) 5:4")]:
        result = run("images", "make", *args, "--workdir", str(workdir))
        assert result.returncode == 1
        assert result.stderr.strip().startswith(f"Error: {message}") and len(result.stderr.strip().splitlines()) == 1
