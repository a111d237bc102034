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


def test_a_selling_point_about_nothing_in_the_row_is_named():
    from tools.copy.grounding import ungrounded

    bottle = Facts(name="Borosilicate Glass Water Bottle 550ml with Bamboo Lid", category="Kitchen > Bottles",
                   attributes={"material": "borosilicate glass", "lid": "bamboo with silicone seal"})
    lines = ["Bamboo lid with a silicone seal",  # the row's own words
             "Holds 550 ml",  # a number: the fact check decides
             "Great for everyday use",  # generic words only: nothing to judge
             "Fits a lunch bag, a desk or a picnic",  # usage scenes are generic too
             "Lemon-lime seltzer tablets for hydration",  # a made-up feature
             "Sturdy bottles for the morning commute"]  # plural and generic words around a product word
    assert ungrounded(lines, bottle, "", "en") == ["Lemon-lime seltzer tablets for hydration"]
    assert ungrounded(["Seltzer tablets"], bottle, "Comes with seltzer tablets.", "en") == []  # the supplier says so
    assert ungrounded(["Lemon-lime seltzer tablets"], bottle, "", "zh-CN") == []  # Chinese copy: fact check only


def test_chinese_lines_are_compared_by_two_character_pieces():
    from tools.copy.grounding import sentences, ungrounded

    candle = Facts(name="香薰蜡烛 无花果黑加仑", category="家居 > 蜡烛", attributes={"蜡": "大豆蜡", "烛芯": "棉芯"})
    lines = ["无花果，棉芯！",  # the row's own words
             "简约百搭，日常好用",  # generic words only
             "看害物贪劫",  # gibberish
             "可以吃份外唐中国"]  # about nothing in the row
    assert ungrounded(lines, candle, "", "zh-CN") == ["看害物贪劫", "可以吃份外唐中国"]
    assert ungrounded(["Fig and cassis candle"], candle, "", "en") == []  # another language than the row
    assert sentences("一句。第二句！Third one. Four") == ["一句。", "第二句！", "Third one.", "Four"]


def test_chinese_numerals_before_a_unit_are_measures():
    from tools.copy.facts import zh_number

    assert [zh_number(n) for n in ("三", "十五", "二十", "三百五十", "两百")] == [3, 15, 20, 350, 200]
    candle = Facts(name="香薰蜡烛", attributes={"燃烧时间": "45小时"}, policies={"退货": "签收后7天内"})
    assert unsupported("燃烧约四十五小时，七天无理由退货，一年四季都适用", candle) == []
    assert unsupported("燃烧约三小时", candle) == ["'三小时'"]


def test_chinese_descriptions_are_judged_clause_by_clause():
    from tools.copy.grounding import sentences

    assert sentences("天然软木，可以听说你有一只小鸟！", clauses=True) == ["天然软木，", "可以听说你有一只小鸟！"]
    assert sentences("Holds 350 ml, dishwasher safe.") == ["Holds 350 ml, dishwasher safe."]
