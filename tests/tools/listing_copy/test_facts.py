"""The fact check: what the copy states must be in the catalog row, in either language."""

from tools.copy.check import banned_claims
from tools.copy.facts import Facts, measures, money_mentions, unsupported
from tools.copy.profiles import get_profile

MUG = Facts(name="Glazed mug 350 ml", category="Kitchen > Mugs",
            attributes={"material": "porcelain", "size": "8 x 9.5 cm"}, options={"color": ["blue", "white"]},
            policies={"returns": "within 7 days of delivery"})


def test_numbers_and_units_trace_to_the_facts_in_both_languages():
    assert unsupported("Holds 350 ml; 8 x 9.5 cm; returns within 7 days", MUG) == []
    assert unsupported("容量350毫升，尺寸8×9.5厘米，7天退货", MUG) == []
    assert unsupported("Holds 400 ml, weighs 300 g", MUG) == ["'400 ml'", "'300 g'"]
    assert unsupported("350 cm tall", MUG) == ["'350 cm'"]  # the number is known, not with this unit
    assert unsupported("两只装", MUG) == ["'两只'"]


def test_dimensions_and_ranges_share_the_last_unit():
    assert [(v, u) for v, u, _ in measures("20 x 30 cm, 10-12 mm, 1,000 mAh")] == [
        ("20", "cm"), ("30", "cm"), ("10", "mm"), ("12", "mm"), ("1000", "mah")]


def test_materials_certifications_origins_and_claims():
    assert unsupported("A porcelain mug; 瓷器; a ceramic piece; 陶瓷", MUG) == []  # porcelain is a ceramic
    found = unsupported("Stoneware, made in Japan, FDA approved, dishwasher safe, size XL", MUG)
    assert found == ["size 'XL'", "material 'Stoneware'", "certification 'FDA'", "origin 'made in'",
                     "origin 'Japan'", "claim 'dishwasher safe'"]
    assert unsupported("日本进口 食品级", MUG) == ["certification '食品级'", "origin '进口'", "origin '日本'"]


def test_banned_terms_chinese_as_substrings_english_as_words():
    taobao = get_profile("taobao")
    assert banned_claims("全网最低价，顶级品质", taobao) == ["全网", "最", "顶级"]
    assert banned_claims("The BEST mug, #1 choice, guaranteed to cure", taobao) == ["BEST", "#1", "guaranteed", "cure"]
    assert banned_claims("bestow a secure lid", taobao) == []


def test_prices_are_never_stated():
    assert money_mentions("Only $9.99, or 68元") == ["$9.99", "68元"]
