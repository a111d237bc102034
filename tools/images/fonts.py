"""The CJK-capable font every picture with text uses (Noto Sans CJK from fonts-noto-cjk)."""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from tools.errors import ToolFailed

SEARCH = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/System/Library/Fonts"),
)
REGULAR, BOLD = "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"
SIMPLIFIED_CHINESE_FACE = 2  # the SC face inside the Noto CJK collection


@dataclass(frozen=True)
class Fonts:
    """A regular and a bold face of one font family, loaded per size on demand."""

    regular: Path
    bold: Path
    index: int = 0
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def get(self, size: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        key = (round(size), bold)
        if key not in self._cache:
            self._cache[key] = ImageFont.truetype(str(self.bold if bold else self.regular), key[0], index=self.index)
        return self._cache[key]


@lru_cache(maxsize=4)
def find_fonts(configured: str | None = None) -> Fonts:
    """The configured font file, else Noto Sans CJK (simplified Chinese face) from the
    usual system folders. Raises ToolFailed naming the fix when none is found."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ToolFailed(f"image_font {path} does not exist; point it at a .ttf/.otf/.ttc file with CJK glyphs")
        return Fonts(path, path)
    for folder in SEARCH:
        if (folder / REGULAR).is_file():
            bold = folder / BOLD if (folder / BOLD).is_file() else folder / REGULAR
            return Fonts(folder / REGULAR, bold, SIMPLIFIED_CHINESE_FACE)
    raise ToolFailed("no CJK font found; install it (apt-get install fonts-noto-cjk) or set image_font in shopagent.toml")
