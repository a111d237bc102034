"""Each output size through staging, encoding and the gates; labels; detail page; brand."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.tools.images.conftest import studio_photo
from tools.errors import ToolFailed
from tools.images import labels
from tools.images.brand import monogram, render_banner, render_logo
from tools.images.cutout import remove_background
from tools.images.detail_page import DetailContent, render_detail, wrap
from tools.images.fonts import find_fonts
from tools.images.formats import PROFILES, SIZES, Profile, check_file, check_placement, check_source, encode
from tools.images.staging import stage


@pytest.fixture(scope="module")
def product():
    return remove_background(studio_photo()[0]).image


@pytest.mark.parametrize("name", [n for n, s in SIZES.items() if s.height])
@pytest.mark.parametrize("profile", ["sandbox", "shopify"])
def test_each_main_size_passes_every_gate(tmp_path, product, name, profile):
    size, rules = SIZES[name], PROFILES[profile]
    staged = stage(product, size.width, size.height, ["#B5452F", "#F2C14E"], badge="NEW", fonts=find_fonts())
    assert staged.image.size == (size.width, size.height)
    assert check_placement(staged.product_box, staged.image.size) == []
    path = tmp_path / f"out{rules.suffix}"
    path.write_bytes(encode(staged.image, rules, labels.xmp_packet(labels.COMPOSITE, "test")))
    assert check_file(path, size, rules) == []
    assert labels.read_label(path)["digital_source_type"] == "composite"
    left, top, right, bottom = staged.product_box
    assert max(right - left, bottom - top) >= 0.6 * min(size.width, size.height)  # the product fills the frame


def test_gates_catch_what_they_are_for(tmp_path, product):
    assert "cropped" in check_placement((0, 100, 500, 700), (800, 800))[0]
    assert "too small" in check_placement((380, 380, 420, 420), (800, 800))[0]
    assert "at least" in check_source(Image.new("RGB", (200, 150)), 120, 560)[0]
    assert "enlargement" in check_source(Image.new("RGB", (1200, 900)), 150, 1100)[0]
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (1000, 1000, 3), dtype=np.uint8))
    with pytest.raises(ToolFailed, match="over 100 KB"):
        encode(noisy, Profile("tight", "JPEG", 100 * 1024, False, ""))
    fits = encode(noisy, Profile("roomy", "JPEG", 700 * 1024, False, ""))
    assert len(fits) <= 700 * 1024  # quality stepped down until the file fits
    # A file of the wrong size, format and colour space fails the file gate on each count.
    path = tmp_path / "bad.png"
    Image.new("RGBA", (640, 640)).save(path)
    problems = check_file(path, SIZES["1:1-800"], PROFILES["sandbox"])
    assert {p.split()[0] for p in problems} >= {"format", "mode", "no", "width", "height"}


def test_model_made_pictures_carry_metadata_and_the_visible_label(tmp_path):
    picture = Image.new("RGB", (800, 800), (200, 210, 220))
    packet = labels.xmp_packet(labels.AI_COMPOSITE, "shopagent + diffusers", producer="山茶小铺", content_id="abc")
    for profile in ("taobao", "shopify"):
        rules = PROFILES[profile]
        path = tmp_path / f"x{rules.suffix}"
        path.write_bytes(encode(labels.add_visible_label(picture, rules.ai_label_text, find_fonts()), rules, packet))
        found = labels.read_label(path)
        assert found["digital_source_type"] == "compositeWithTrainedAlgorithmicMedia"
        assert found["aigc"]["Label"] == "1" and found["aigc"]["ContentProducer"] == "山茶小铺"
    labelled = np.asarray(labels.add_visible_label(picture, "AI生成", find_fonts())).astype(int)
    changed = np.abs(labelled - np.asarray(picture)).sum(axis=2) > 30
    ys, xs = np.nonzero(changed)
    assert ys.max() < 800 * 0.15 and xs.max() < 800 * 0.3  # top-left corner only
    assert ys.max() - ys.min() >= 800 * 0.05  # text at least 5% of the short side tall
    assert "aigc" not in labels.read_label(_saved(tmp_path, labels.xmp_packet(labels.COMPOSITE, "t")))


def _saved(tmp_path, packet):
    path = tmp_path / "plain.jpg"
    Image.new("RGB", (8, 8)).save(path, "JPEG", xmp=packet)
    return path


def test_detail_page_is_750_wide_and_grows_with_its_sections(product):
    fonts = find_fonts()
    short = render_detail(product, DetailContent("Mug", specs={"material": "ceramic"}), ["#1F4E5F"], fonts)
    points = ["大容量350毫升，满足一天的咖啡需求，微波炉和洗碗机均可使用", "手工上釉，色泽温润", "A long English selling point that must wrap across lines"]
    long = render_detail(product, DetailContent("陶瓷马克杯", points=points, specs={"材质": "陶瓷", "容量": "350 ml"},
                                                shop_name="山茶小铺", language="zh-CN"), ["#B5452F"], fonts)
    assert short.width == long.width == 750
    assert long.height > short.height + 300
    font = fonts.get(28)
    lines = wrap(points[0] + points[2], font, 400)
    assert len(lines) > 2 and all(font.getlength(line) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == (points[0] + points[2]).replace(" ", "")
    # The CJK glyphs really render (a missing glyph draws the same empty box for every character).
    assert bytes(fonts.get(40).getmask("陶")) != bytes(fonts.get(40).getmask("瓷"))


def test_logo_and_banner_from_the_brand_concept():
    fonts = find_fonts()
    assert monogram("Blue Pine Home") == "BP" and monogram("山茶小铺") == "山"
    logo = render_logo("Blue Pine Home", ["#1F4E5F", "#E8B04B"], fonts)
    assert logo.size == (512, 512) and logo.mode == "RGBA"
    assert logo.getpixel((0, 0))[3] == 0 and logo.getpixel((256, 60))[3] == 255
    banner = render_banner("山茶小铺", "好物慢享", ["#B5452F", "#F2C14E"], fonts)
    assert banner.size == (1920, 600)
    assert sum(abs(a - b) for a, b in zip(banner.getpixel((40, 300)), (0xB5, 0x45, 0x2F))) < 40  # the primary colour
    with pytest.raises(ValueError):
        monogram("  ")
    buffer = io.BytesIO()
    banner.save(buffer, "JPEG")
    assert buffer.tell() > 0


@pytest.mark.parametrize("name", ["1:1-800", "3:4", "9:16"])
def test_the_product_fills_and_is_centred_in_every_frame_and_keeps_its_colour(product, name):
    from tools.images.lint import picture_lint

    size = SIZES[name]
    staged = stage(product, size.width, size.height, ["#2A7F7A", "#E8B04B"])
    alpha = np.asarray(product.getchannel("A"))
    box = (100, 100, 100 + product.width, 100 + product.height)  # well inside a larger photo
    assert picture_lint(staged, product, box, (product.width + 200, product.height + 200)) == []
    # No brand strip along the bottom edge: the last rows are backdrop, not a coloured band.
    bottom = np.asarray(staged.image, np.float32)[-3:, :, :]
    assert bottom.std(axis=(0, 1)).max() < 6 and alpha.any()


def test_the_picture_lint_finds_what_a_seller_would_not_publish(product):
    from tools.images.lint import cut_by_photo, picture_lint, placement_lint

    assert "off centre" in placement_lint((300, 1000, 780, 1500), (1080, 1920))[-1]  # a board low in a tall frame
    assert "fills 30%" in placement_lint((400, 400, 640, 560), (800, 800))[0]
    assert "fills 92%" in placement_lint((40, 60, 776, 700), (800, 800))[0]
    half = product.crop((product.width // 2, 0, product.width, product.height))  # the photo shows half the mug
    assert cut_by_photo(half, (0, 50, half.width, 50 + half.height), (half.width + 50, half.height + 100))
    assert not cut_by_photo(product, (20, 50, 20 + product.width, 50 + product.height), (product.width + 50, 700))
    staged = stage(product, 800, 800)
    tinted = Image.eval(staged.image, lambda v: min(255, v + 40))
    wrong = type(staged)(tinted, staged.product_box, staged.product_layer, staged.scale)
    assert "colour differs" in picture_lint(wrong, product, (100, 100, 200, 200), (2000, 2000))[-1]


def test_each_part_of_the_product_casts_its_own_shadow():
    # A jar and a lid lying beside it, the lid's lowest point higher than the jar's.
    item = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(item)
    draw.rectangle((0, 0, 200, 299), fill=(150, 80, 40, 255))
    draw.ellipse((230, 150, 399, 230), fill=(200, 170, 120, 255))
    staged = stage(item, 800, 800, reflection=False)
    left, top = staged.product_box[:2]
    pixels = np.asarray(staged.image, np.float32).sum(axis=2)
    row = top + round(232 * staged.scale) + 2  # just below the lid's lowest point
    below_lid = pixels[row, left + round(315 * staged.scale)]
    open_floor = pixels[row, left - 60]  # the same height, left of the jar: nothing above it
    assert below_lid < open_floor - 20


def test_banner_text_stays_clear_of_the_arcs_and_the_detail_footer_keeps_the_whole_slogan():
    from PIL import ImageChops

    from tools.images.detail_page import _footer

    fonts, colours = find_fonts(), ["#2A7F7A", "#E8B04B"]
    slogan = "Simple, well-made homeware for small kitchens and everyday tables"
    with_slogan = render_banner("Hearth & Table", slogan, colours, fonts)
    without = render_banner("Hearth & Table", "", colours, fonts)
    right_edge = ImageChops.difference(with_slogan, without).getbbox()[2]
    assert right_edge < 1920 - 600 * (0.5 + 0.22 * 5) * 0.6  # left of the outermost arc
    assert monogram("Hearth & Table") == "HT"
    short = _footer(DetailContent(name="Mug", shop_name="Hearth & Table", slogan="Made well"), (40, 120, 120), fonts)
    long = _footer(DetailContent(name="Mug", shop_name="Hearth & Table", slogan=slogan), (40, 120, 120), fonts)
    assert long.height > short.height  # a second line, not a cut
