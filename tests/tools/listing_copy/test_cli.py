"""`shopagent listings draft|list` as users run them (the console script's entry point), a scripted model."""

import json
from pathlib import Path

import pytest

from tests.tools.listing_copy.conftest import CATALOG
from tests.tools.listing_copy.test_write_copy import GOOD

VASE = {"title": "Celadon vase, ceramic, 24 cm", "selling_points": ["Ceramic", "24 cm tall", "Celadon glaze"],
        "description": "A celadon vase in ceramic, 24 cm tall.", "tags": ["vase"], "meta_description": "A ceramic vase, 24 cm."}
CUP = {"title": "Stoneware mug, 350 ml", "selling_points": ["Stoneware", "Holds 350 ml", "In green"],
       "description": "A glazed stoneware mug that holds 350 ml.", "tags": ["mug"], "meta_description": "A stoneware mug, 350 ml."}


@pytest.fixture
def run(shopagent):
    def in_shop(workdir: Path, *args: str):
        return shopagent(*args, "--workdir", workdir, env={"SHOPAGENT_LLM_PROVIDER": "scripted",
                                                           "SHOPAGENT_LLM_SCRIPT": str(workdir / "script.json")})
    return in_shop


def test_draft_all_then_again_from_the_cache_then_list(run, workdir):
    (workdir / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    (workdir / "script.json").write_text(json.dumps([GOOD, CUP, VASE]), encoding="utf-8")
    assert run(workdir, "catalog", "import", str(workdir / "catalog.csv")).returncode == 0
    first = run(workdir, "listings", "draft", "--all", "--json")
    assert first.returncode == 0, first.stderr
    drafted = json.loads(first.stdout)
    assert [(d["sku"], d["made_by"], d["model_calls"], d["cached"]) for d in drafted] == [
        ("MUG-BLUE", "model", 1, False), ("CUP-1", "model", 1, False), ("VASE-1", "model", 1, False)]
    (workdir / "script.json").write_text("[]", encoding="utf-8")  # a second run may not ask the model at all
    again = run(workdir, "listings", "draft", "--all")
    assert again.returncode == 0, again.stderr
    assert "3 listing(s) drafted" in again.stdout and again.stdout.count("(cached)") == 3
    listed = json.loads(run(workdir, "listings", "list", "--json").stdout)
    assert sorted((row["product"], row["title"], row["made_by"]) for row in listed) == [
        ("cup", CUP["title"], "model"), ("mug", GOOD["title"], "model"), ("vase", VASE["title"], "model")]


def test_draft_needs_one_sku_or_all(run, workdir):
    result = run(workdir, "listings", "draft")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: give one SKU, or --all for the whole catalog (see: shopagent catalog list)"
    (workdir / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    run(workdir, "catalog", "import", str(workdir / "catalog.csv"))
    bad = run(workdir, "listings", "draft", "MUG-BLUE", "--platform", "ebay")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "Error: unknown platform 'ebay'; use one of: amazon, oscar, sandbox, shopify, taobao, vendure"
