"""The shop's logo and banner, drawn from its brand concept (name, colours, slogan)."""

from PIL import Image, ImageDraw, ImageFilter

from tools.images.detail_page import wrap
from tools.images.fonts import Fonts
from tools.images.staging import NEUTRAL, hex_rgb, mix


def monogram(name: str) -> str:
    """One CJK character, or the initials of up to two words: 'Blue Pine' -> 'BP'."""
    name = name.strip()
    if not name:
        raise ValueError("the shop has no name to draw a logo from")
    if ord(name[0]) >= 0x2E80:
        return name[0]
    words = [word for word in name.split() if word[0].isalnum()]  # 'Hearth & Table' -> 'HT', not 'H&'
    return "".join(word[0] for word in (words or name.split())[:2]).upper()


def brand_colours(colours: list[str] | None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The primary and secondary brand colours, neutral ones standing in for what is missing."""
    chosen = list(colours or [])[:2] + list(NEUTRAL)
    return hex_rgb(chosen[0]), hex_rgb(chosen[1])


def render_logo(name: str, colours: list[str] | None, fonts: Fonts, size: int = 512) -> Image.Image:
    """A square RGBA logo: the monogram on a rounded tile of the primary colour, ringed by
    the secondary colour; the corners are transparent."""
    primary, secondary = brand_colours(colours)
    logo = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    inset = size // 16
    draw.rounded_rectangle((inset, inset, size - inset, size - inset), radius=size // 5, fill=(*primary, 255))
    ring = size // 9
    draw.rounded_rectangle((ring, ring, size - ring, size - ring), radius=size // 7, outline=(*secondary, 255), width=max(2, size // 64))
    text = monogram(name)
    font_size = size * (0.46 if len(text) == 1 else 0.36)
    font = fonts.get(font_size, bold=True)
    ink = (255, 255, 255) if sum(primary) < 480 else mix(primary, (0, 0, 0), 0.8)
    draw.text((size / 2, size / 2), text, font=font, fill=(*ink, 255), anchor="mm")
    return logo


def render_banner(name: str, slogan: str, colours: list[str] | None, fonts: Fonts,
                  width: int = 1920, height: int = 600, background: Image.Image | None = None) -> Image.Image:
    """An RGB banner: the logo, the shop's name and slogan on a brand gradient, or on
    `background` (e.g. a model-made scene) dimmed on the text side for legibility."""
    primary, secondary = brand_colours(colours)
    if background is None:
        banner = Image.linear_gradient("L").rotate(90).resize((width, height))
        banner = Image.composite(Image.new("RGB", (width, height), mix(primary, secondary, 0.35)),
                                 Image.new("RGB", (width, height), primary), banner)
    else:
        banner = background.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
        shade = Image.linear_gradient("L").rotate(90).resize((width, height)).point(lambda v: 200 - v * 0.6)
        banner = Image.composite(Image.new("RGB", (width, height), mix(primary, (0, 0, 0), 0.3)), banner, shade)
    draw = ImageDraw.Draw(banner)
    arcs = [height * (0.5 + 0.22 * index) for index in range(6)]
    for index, radius in enumerate(arcs):  # faint secondary arcs on the right: the brand accent
        draw.ellipse((width - radius * 0.6, height / 2 - radius, width + radius * 1.4, height / 2 + radius),
                     outline=mix(primary, secondary, 0.5 + 0.08 * index), width=3)
    arcs_left = width - max(arcs) * 0.6  # where the outermost arc crosses the middle: text stays left of it
    banner = banner.filter(ImageFilter.SMOOTH) if background is None else banner
    logo_size = round(height * 0.5)
    logo = render_logo(name, colours, fonts, logo_size)
    margin = round(height * 0.16)
    banner.paste(logo, (margin, (height - logo_size) // 2), logo)
    text_left = margin * 2 + logo_size
    room = arcs_left - text_left - margin / 2
    draw = ImageDraw.Draw(banner)
    title_size = height * 0.16
    while fonts.get(title_size, bold=True).getlength(name) > room and title_size > height * 0.07:
        title_size *= 0.92
    draw.text((text_left, height * 0.30), name, font=fonts.get(title_size, bold=True), fill="white")
    if slogan:
        # The whole slogan, in at most two lines: the type gets smaller rather than the words fewer.
        size = height * 0.075
        lines = wrap(slogan, fonts.get(size), room)
        while len(lines) > 2 and size > height * 0.04:
            size *= 0.92
            lines = wrap(slogan, fonts.get(size), room)
        for index, line in enumerate(lines[:2]):
            draw.text((text_left, height * 0.56 + size * 1.3 * index), line, font=fonts.get(size),
                      fill=mix(secondary, (255, 255, 255), 0.55))
    return banner
