"""The long detail image of Chinese marketplaces: 750 px wide, sections stacked top to
bottom (title, the staged product, numbered selling points, a specification table, the
shop's line), text set in a CJK-capable font."""

from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from tools.images.fonts import Fonts
from tools.images.staging import hex_rgb, mix, stage

WIDTH = 750
PAD = 40
HEADINGS = {
    "en": {"points": "Why you'll love it", "specs": "Specifications"},
    "zh-CN": {"points": "产品卖点", "specs": "规格参数"},
}


@dataclass
class DetailContent:
    """What the detail image says; every string comes from the catalog or the listing."""

    name: str
    points: list[str] = field(default_factory=list)
    specs: dict[str, str] = field(default_factory=dict)
    shop_name: str = ""
    slogan: str = ""
    language: str = "en"


def wrap(text: str, font, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`: at spaces for words, between any two
    characters for CJK runs (which have no spaces)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if font.getlength(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line.rstrip())
                line = token.lstrip()
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words with their trailing space, and CJK characters one by one."""
    tokens, word = [], ""
    for char in text:
        if ord(char) >= 0x2E80:  # CJK and fullwidth punctuation break anywhere
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
            if char == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def render_detail(product: Image.Image, content: DetailContent, colours: list[str], fonts: Fonts,
                  max_height: int = 12000) -> Image.Image:
    """The whole detail image for one product; `product` is its RGBA cut-out."""
    primary = hex_rgb(colours[0]) if colours else (47, 58, 74)
    headings = HEADINGS.get(content.language, HEADINGS["en"])
    sections = [_header(content, primary, fonts), stage(product, WIDTH, WIDTH, colours).image]
    if content.points:
        sections.append(_points(headings["points"], content.points, primary, fonts))
    if content.specs:
        sections.append(_specs(headings["specs"], content.specs, primary, fonts))
    sections.append(_footer(content, primary, fonts))
    height = min(sum(s.height for s in sections), max_height)
    page = Image.new("RGB", (WIDTH, height), "white")
    y = 0
    for section in sections:
        page.paste(section, (0, y))
        y += section.height
    return page


def _header(content: DetailContent, colour, fonts: Fonts) -> Image.Image:
    title = fonts.get(44, bold=True)
    small = fonts.get(24)
    lines = wrap(content.name, title, WIDTH - 2 * PAD)
    height = PAD * 2 + 56 * len(lines) + (40 if content.shop_name else 0)
    section = Image.new("RGB", (WIDTH, height), colour)
    draw = ImageDraw.Draw(section)
    y = PAD
    if content.shop_name:
        draw.text((PAD, y), content.shop_name, font=small, fill=mix(colour, (255, 255, 255), 0.75))
        y += 40
    for line in lines:
        draw.text((PAD, y), line, font=title, fill="white")
        y += 56
    return section


def _heading(draw: ImageDraw.ImageDraw, text: str, y: int, colour, fonts: Fonts) -> int:
    draw.text((WIDTH // 2, y), text, font=fonts.get(34, bold=True), fill=colour, anchor="mt")
    draw.line((WIDTH // 2 - 40, y + 52, WIDTH // 2 + 40, y + 52), fill=colour, width=3)
    return y + 80


def _points(heading: str, points: list[str], colour, fonts: Fonts) -> Image.Image:
    font = fonts.get(28)
    wrapped = [wrap(point, font, WIDTH - 2 * PAD - 70) for point in points]
    height = PAD + 80 + sum(40 * len(lines) + 36 for lines in wrapped) + PAD
    section = Image.new("RGB", (WIDTH, height), mix(colour, (255, 255, 255), 0.93))
    draw = ImageDraw.Draw(section)
    y = _heading(draw, heading, PAD, colour, fonts)
    for number, lines in enumerate(wrapped, start=1):
        draw.ellipse((PAD, y, PAD + 44, y + 44), fill=colour)
        draw.text((PAD + 22, y + 22), str(number), font=fonts.get(24, bold=True), fill="white", anchor="mm")
        for index, line in enumerate(lines):
            draw.text((PAD + 70, y + 4 + 40 * index), line, font=font, fill=(40, 40, 44))
        y += 40 * len(lines) + 36
    return section


def _specs(heading: str, specs: dict[str, str], colour, fonts: Fonts) -> Image.Image:
    font, bold = fonts.get(26), fonts.get(26, bold=True)
    key_width = WIDTH * 0.34
    rows = [(wrap(key, bold, key_width - 30), wrap(value, font, WIDTH - 2 * PAD - key_width - 30)) for key, value in specs.items()]
    height = PAD + 80 + sum(38 * max(len(k), len(v)) + 24 for k, v in rows) + PAD
    section = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(section)
    y = _heading(draw, heading, PAD, colour, fonts)
    for index, (keys, values) in enumerate(rows):
        row_height = 38 * max(len(keys), len(values)) + 24
        if index % 2 == 0:
            draw.rectangle((PAD, y, WIDTH - PAD, y + row_height), fill=mix(colour, (255, 255, 255), 0.92))
        for n, line in enumerate(keys):
            draw.text((PAD + 16, y + 12 + 38 * n), line, font=bold, fill=colour)
        for n, line in enumerate(values):
            draw.text((PAD + key_width, y + 12 + 38 * n), line, font=font, fill=(40, 40, 44))
        y += row_height
    return section


def _footer(content: DetailContent, colour, fonts: Fonts) -> Image.Image:
    """The shop's name and its whole slogan: wrapped onto more lines, never cut off."""
    text = " · ".join(part for part in (content.shop_name, content.slogan) if part) or content.name
    font = fonts.get(26)
    lines = wrap(text, font, WIDTH - 2 * PAD)
    step = 38
    section = Image.new("RGB", (WIDTH, max(120, 60 + step * len(lines))), colour)
    draw = ImageDraw.Draw(section)
    first = section.height / 2 - step * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        draw.text((WIDTH // 2, first + step * index), line, font=font, fill="white", anchor="mm")
    return section
