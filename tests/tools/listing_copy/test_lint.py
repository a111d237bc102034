"""The listing lint: each kind of copy a seller would not publish is found, the copy written
by code reads as prose, and a model's broken draft falls back to it."""

import pytest

from tools.copy import write_listing_copy
from tools.copy.attributes import human_label
from tools.copy.facts import Facts
from tools.copy.lint import copy_lint
from tools.copy.profiles import get_profile
from tools.copy.template import template_copy

BOARD = Facts(name="Bamboo Cutting Board with Juice Groove, Medium", category="Kitchen > Cutting Boards",
              attributes={"material": "Moso bamboo", "dimensions": "33 x 23 x 1.8 cm", "features": "juice groove, hang hole",
                          "care": "hand wash only, re-oil occasionally", "origin": "China"})
TOWELS = Facts(name="Cotton Towel Set of 3, Sage Green", category="Bath > Towels",
               attributes={"material": "cotton terry", "origin": "Portugal",
                           "sizes": "bath towel 70 x 140 cm, hand towel 50 x 90 cm, face cloth 30 x 30 cm"})
FINE = dict(title="Bamboo Cutting Board with Juice Groove, Medium", tags=["cutting board"],
            points=["Made of Moso bamboo for everyday use", "Comes with a juice groove and a hang hole for easy use",
                    "Made in China"],
            description="This bamboo cutting board is made of Moso bamboo. It measures 33 x 23 x 1.8 cm.",
            meta="A bamboo cutting board made of Moso bamboo.")


def lint(facts=BOARD, language="en", **changes):
    words = {**FINE, **changes}
    shop = words.pop("shop", "")
    return copy_lint(words["title"], words["points"], words["description"], words["tags"], words["meta"], facts,
                     language, shop)


def test_fine_copy_passes():
    assert lint() == []


@pytest.mark.parametrize("changes, finding", [
    ({"title": "Round Oak Desk Clock with Stand, 13cm - 13 cm, 4 cm, 13.6 cm on stand"}, "the title repeats '13'"),
    ({"title": "Clay & Co Bamboo Cutting Board", "shop": "Clay & Co"}, "the title names the shop ('Clay & Co')"),
    ({"points": ["]Bamboo cutting board made of laminated Moso bamboo with a l", "description", "tags: ["]},
     "remove markup and JSON pieces"),
    ({"points": ["Bamboo cutting board made of laminated Moso bamboo with a l", "Juice groove", "Hang hole"]},
     "finish each phrase; cut off: highlight 'Bamboo cutting board made of laminated M'"),
    ({"points": ["Cut on laminated Moso bam", "Juice groove", "Hang hole"]}, "finish each phrase"),
    ({"points": ["Comes with a juice groove and", "Made in China", "Moso bamboo"]}, "finish each phrase"),
    ({"points": ["Simple care: hand wash only, re-oil occasionally", "Made in China", "Handy details: juice groove"]},
     "not 'Label: value': 'Simple care: hand wash only, re-oil occa', 'Handy details: juice groove'"),
    ({"description": "The board stands on its base_diameter of 16 cm."}, "not catalog keys: 'base_diameter'"),
    ({"description": "This board is made of moso bamboo and comes from China."}, "capitalise names as the catalog does: 'Moso'"),
    ({"description": "Bamboo Cutting Board. Material: Moso bamboo, Dimensions: 33 x 23 x 1.8 cm, Origin: China."},
     "not a list of 'Label: value' pairs"),
    ({"description": "This board is made of Moso bamboo. juice groove"}, "complete sentences; not: 'This board is made of Moso bamboo. juice groove'"),
])
def test_each_fault_is_found(changes, finding):
    assert any(finding in problem for problem in lint(**changes)), lint(**changes)


def test_a_highlight_cut_inside_a_catalog_phrase_is_found():
    cut = lint(TOWELS, points=["One set gives you bath towel 70 x 140 cm, hand towel 50 x 90 cm, face", "Made in Portugal",
                               "Cotton terry"], title="Cotton Towel Set of 3, Sage Green",
               description="The cotton towel set of 3 is made of cotton terry.", meta="Cotton towels.")
    assert cut == ["finish each phrase; cut off: highlight 'One set gives you bath towel 70 x 140 cm'"]
    whole = lint(TOWELS, points=["One set gives you bath towel 70 x 140 cm, hand towel 50 x 90 cm, face cloth 30 x 30 cm",
                                 "Made in Portugal", "Cotton terry"], title="Cotton Towel Set of 3, Sage Green",
                 description="The cotton towel set of 3 is made of cotton terry.", meta="Cotton towels.")
    assert whole == []


def test_chinese_sentences_need_an_end_mark():
    zh = Facts(name="竹砧板", attributes={"材质": "楠竹"})
    assert copy_lint("竹砧板 楠竹", ["楠竹材质"], "这款竹砧板采用楠竹制作。", ["砧板"], "竹砧板。", zh, "zh-CN") == []
    assert "complete sentences" in copy_lint("竹砧板", ["楠竹材质"], "这款竹砧板采用楠竹制作，尺寸", ["砧板"], "竹砧板。",
                                             zh, "zh-CN")[0]
    assert "not 'Label: value'" in copy_lint("竹砧板 楠竹", ["日常保养：仅限手洗"], "这款竹砧板采用楠竹制作。", ["砧板"],
                                             "竹砧板。", zh, "zh-CN")[0]


def test_raw_keys_get_human_labels():
    assert [human_label(k) for k in ("base_diameter", "lamp_holder", "max_bulb", "return_days", "material")] == [
        "Base diameter", "Lamp holder", "Max. bulb", "Returns (days)", "Material"]
    assert human_label("net_weight", "zh-CN") == "净含量" and human_label("材质", "zh-CN") == "材质"


def test_code_copy_is_prose_with_a_titled_differentiator_and_no_label_dumps():
    draft = template_copy(BOARD, get_profile("sandbox"), "en", shop="Clay & Co")
    assert draft.title == "Bamboo Cutting Board with Juice Groove, Medium"  # 'Moso bamboo' is half in the name already
    assert draft.description.startswith(("Made of Moso bamboo, this bamboo cutting board", "This bamboo cutting board",
                                         "The bamboo cutting board"))
    assert "It has a juice groove and a hang hole." in draft.description
    assert not any(p.startswith(("Material:", "Origin:", "Dimensions:")) for p in draft.selling_points)
    assert 2 <= draft.description.count(". ") + 1 <= 4
    clock = Facts(name="Round Oak Desk Clock with Stand, 13cm", attributes={
        "material": "solid oak frame and stand", "movement": "silent sweep quartz", "diameter": "13 cm", "origin": "China"})
    assert template_copy(clock, get_profile("sandbox"), "en").title == \
        "Round Oak Desk Clock with Stand, 13cm - Silent Sweep Quartz Movement"
    shop_named = Facts(name="Clay & Co Stoneware Mug", attributes={"material": "stoneware"})
    assert template_copy(shop_named, get_profile("sandbox"), "en", shop="Clay & Co").title == "Stoneware Mug"


def test_a_broken_model_draft_is_rejected_and_the_code_copy_published(shop):
    broken = {"title": "Glazed mug 350 ml", "tags": ["mug"], "meta_description": "A glazed porcelain mug, 350 ml.",
              "selling_points": ["]Glazed porcelain mug that holds 350 ml with a l", "description", "tags: ["],
              "description": "A glazed porcelain mug that holds 350 ml."}
    deps = shop.with_model([broken, broken])
    result = write_listing_copy(deps, "MUG-BLUE")
    assert result["made_by"] == "template"
    assert any("remove markup and JSON pieces" in f for f in result["findings"])
    assert "]" not in "".join(result["selling_points"]) and "description" not in result["selling_points"]
