"""`shopagent images make|brand` as users run it, through the console script's entry point."""

import json


def test_images_make_all_then_brand(shopagent, shop, workdir):
    shop()
    run = shopagent
    made = run("images", "make", "--all", "--platform", "1:1-800", "--workdir", str(workdir))
    assert made.returncode == 0, made.stderr
    assert "3 picture(s) made" in made.stdout and "compositor pictures only" in made.stdout
    again = json.loads(run("images", "make", "MUG-BLUE", "-p", "1:1-800", "-w", str(workdir), "--json").stdout)
    assert again[0]["images"][0]["status"] == "unchanged"
    brand = run("images", "brand", "--workdir", str(workdir))
    assert brand.returncode == 0 and "logo: assets/images/brand/logo.png (512x512, made)" in brand.stdout


def test_images_make_mistakes_are_one_line(shopagent, shop, workdir):
    shop()
    run = shopagent
    for args, message in [((), "give one SKU, or --all"), (("NOPE",), "unknown SKU 'NOPE'; see the SKUs with: shopagent catalog list"),
                          (("MUG-BLUE", "-p", "5:4"), "unknown platform size(s) 5:4")]:
        result = run("images", "make", *args, "--workdir", str(workdir))
        assert result.returncode == 1
        assert result.stderr.strip().startswith(f"Error: {message}") and len(result.stderr.strip().splitlines()) == 1
