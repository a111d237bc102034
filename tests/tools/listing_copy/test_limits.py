"""Platform limits counted the platform's way: characters, and bytes where a platform counts them."""

from tools.copy.check import CopyDraft, draft_schema, limit_problems
from tools.copy.profiles import byte_count, char_count, get_profile

TAOBAO, SHOPIFY, AMAZON = get_profile("taobao"), get_profile("shopify"), get_profile("amazon")


def draft(title="Glazed mug", points=("a one", "b two", "c three"), tags=("mug",), meta="A glazed mug."):
    return CopyDraft(title=title, selling_points=list(points), description="x" * 30, tags=list(tags), meta_description=meta)


def test_counting_characters_and_bytes():
    assert (char_count("陶瓷马克杯"), byte_count("陶瓷马克杯", "gb18030"), byte_count("陶瓷马克杯")) == (5, 10, 15)
    assert (char_count("mug 350 ml"), byte_count("mug 350 ml", "gb18030")) == (10, 10)
    assert char_count("café") == 4 and byte_count("café") == 5


def test_taobao_title_is_30_chinese_characters_or_60_bytes():
    assert limit_problems(draft(title="瓷" * 30), TAOBAO) == []  # 60 GB 18030 bytes (90 in UTF-8)
    assert limit_problems(draft(title="瓷" * 31), TAOBAO) == [
        "the title is 62 bytes; taobao allows 60 (a Chinese character counts 2)"]
    assert limit_problems(draft(title="m" * 60), TAOBAO) == []
    assert limit_problems(draft(title="m" * 61), TAOBAO) == [
        "the title has 61 characters; taobao allows 60", "the title is 61 bytes; taobao allows 60 (a Chinese character counts 2)"]
    mixed = "陶瓷马克杯 350ml 釉面" + "x" * 40  # 7 Chinese (14 bytes) + 47 one-byte characters = 61 bytes
    assert byte_count(mixed, "gb18030") == 61 and char_count(mixed) == 54
    assert any("61 bytes" in p for p in limit_problems(draft(title=mixed), TAOBAO))


def test_shopify_counts_characters_whatever_the_language():
    assert limit_problems(draft(title="瓷" * 70), SHOPIFY) == []
    assert limit_problems(draft(title="m" * 71), SHOPIFY) == ["the title has 71 characters; shopify allows 70"]
    assert limit_problems(draft(meta="m" * 161), SHOPIFY) == ["the meta description has 161 characters; the limit is 160"]


def test_amazon_five_bullets_and_search_terms_in_utf8_bytes():
    assert limit_problems(draft(), AMAZON) == ["give 5-5 selling points, not 3"]
    five = [f"point {i}" for i in range(5)]
    assert limit_problems(draft(points=five, tags=["杯" * 40] * 2), AMAZON) == []  # 80 characters, 241 bytes
    assert limit_problems(draft(points=five, tags=["杯" * 40] * 3), AMAZON) == [
        "the tags are 362 bytes in all; the limit is 249"]


def test_schema_bounds_follow_the_platform_and_the_language():
    zh = draft_schema(TAOBAO, "zh-CN").model_json_schema()["properties"]
    en = draft_schema(TAOBAO, "en").model_json_schema()["properties"]
    assert (zh["title"]["maxLength"], en["title"]["maxLength"]) == (30, 60)
    assert draft_schema(AMAZON, "en").model_json_schema()["properties"]["selling_points"]["minItems"] == 5


def test_a_title_must_say_what_the_product_is():
    from tools.copy.check import title_problems
    from tools.copy.facts import Facts

    mug = Facts(name="Stoneware Mug 350ml, Gloss White", category="Kitchen > Mugs")

    def draft(title):
        return CopyDraft(title=title, selling_points=[], description="", tags=[], meta_description="")

    assert title_problems(draft("Glossy mugs for slow mornings"), mug, "en") == []  # plural and case
    assert title_problems(draft("Kitchen favourite, 350 ml"), mug, "en") == []  # the category names it too
    assert title_problems(draft("Sellable Sandbox"), mug, "en") == [
        "the title must say what the product is; use words from its name: 'Stoneware Mug 350ml, Gloss White'"]
    board = Facts(name="竹砧板", category="厨房 > 砧板")
    assert title_problems(draft("楠竹砧板 厨房好帮手"), board, "zh-CN") == []
    assert title_problems(draft("好用又好看"), board, "zh-CN") != []


def test_the_shop_name_alone_does_not_name_the_product():
    from tools.copy.check import title_problems
    from tools.copy.facts import Facts

    lamp = Facts(name="Ceramic Table Lamp with Linen Shade", category="Lighting > Table Lamps")

    def draft(title):
        return CopyDraft(title=title, selling_points=[], description="", tags=[], meta_description="")

    assert title_problems(draft("Hearth & Table"), lamp, "en", shop="Hearth & Table") != []
    assert title_problems(draft("Linen lamp by Hearth & Table"), lamp, "en", shop="Hearth & Table") == []


def test_selling_points_must_say_something_and_numbers_use_plain_digits():
    from tools.copy.check import empty_items
    from tools.copy.facts import Facts

    lamp = Facts(name="Ceramic Table Lamp", attributes={"cable": "1.8 m fabric cable"})
    draft = CopyDraft(title="Ceramic table lamp", selling_points=["EB (SZ)", "Fabric cable, ¼ inch", "Linen shade"],
                      description="", tags=["lamp"], meta_description="")
    assert empty_items(draft, lamp, "en") == ["say something in each selling point, not 'EB (SZ)'",
                                               "write numbers with plain digits, not '¼'"]
    towel = Facts(name="Cotton towel", attributes={"weight": "500 g/m²"})
    assert empty_items(CopyDraft(title="Towel", selling_points=["Dense 500 g/m² terry"], description="", tags=[],
                                 meta_description=""), towel, "en") == []


def test_a_title_may_not_start_like_a_spreadsheet_formula():
    for title in ("=HYPERLINK(1) mug", "+1 mug", "-mug", "@mug"):
        assert limit_problems(draft(title=title), SHOPIFY) == [
            "the title may not start with '=', '+', '-' or '@' (spreadsheets read it as a formula)"]
    assert limit_problems(draft(title="Mug = 2 cups"), SHOPIFY) == []
