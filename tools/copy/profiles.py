"""Platform rules for listing copy, read from profiles.toml, and how lengths are counted.

A limit in characters counts code points (a Chinese character is one). A limit in bytes
counts bytes of the profile's encoding: Taobao's 60 bytes are GB 18030 bytes, where a
Chinese character is 2 and a Latin letter 1, so 30 Chinese characters or 60 letters fit.
"""

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from tools.errors import ToolFailed

LANGUAGES = {"en": "en", "zh-cn": "zh-CN", "zh": "zh-CN", "zh_cn": "zh-CN"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Generation:
    """How much the model is asked to write in one language (token budget, not platform law)."""

    description_max_chars: int
    point_max_chars: int
    tags_max: int
    tag_max_chars: int
    meta_max_chars: int


@dataclass(frozen=True)
class Profile:
    """One platform's rules for a listing's words."""

    name: str
    title_max_chars: int
    points_min: int
    points_max: int
    point_max_chars: int
    meta_max_chars: int
    tags_max: int
    tag_max_chars: int
    banned_lists: tuple[str, ...]
    banned_terms: tuple[str, ...]
    title_max_bytes: int | None = None
    byte_encoding: str = "utf-8"
    tags_max_chars_total: int | None = None
    tags_max_bytes_total: int | None = None
    generation: dict[str, Generation] = field(default_factory=dict, hash=False, compare=False)

    def title_limit(self, language: str) -> int:
        """The most characters a title in `language` may have under both limits."""
        limit = self.title_max_chars
        if self.title_max_bytes is not None:
            widest = 2 if language == "zh-CN" else 1  # bytes a typical character costs
            limit = min(limit, self.title_max_bytes // widest)
        return limit

    def gen(self, language: str) -> Generation:
        return self.generation[language]


def char_count(text: str) -> int:
    """Characters as a platform counts them: code points, so 陶 is 1 and é is 1."""
    return len(text)


def byte_count(text: str, encoding: str = "utf-8") -> int:
    """Bytes of `text` in `encoding` (GB 18030: 2 per Chinese character, 1 per ASCII letter)."""
    return len(text.encode(encoding, errors="replace"))


def normalise_language(language: str) -> str | None:
    """'zh', 'zh_CN', 'ZH-cn' -> 'zh-CN'; 'en' -> 'en'; anything else -> None."""
    return LANGUAGES.get(language.strip().lower().replace(" ", ""))


@cache
def load_profiles() -> dict[str, Profile]:
    """Every profile in profiles.toml, by name."""
    data = tomllib.loads(resources.files(__package__).joinpath("profiles.toml").read_text(encoding="utf-8"))
    lists: dict[str, list[str]] = data["banned"]
    generation = {language: Generation(**values) for language, values in data["generation"].items()}
    profiles = {}
    for name, values in data["profiles"].items():
        values = dict(values)
        banned = tuple(values.pop("banned"))
        terms = tuple(dict.fromkeys(term for key in banned for term in lists[key]))
        profiles[name] = Profile(name=name, banned_lists=banned, banned_terms=terms, generation=generation, **values)
    return profiles


def get_profile(name: str) -> Profile | None:
    """The profile called `name` (case-insensitive), or None."""
    return load_profiles().get(name.strip().lower())


def profile_or_sandbox(name: str) -> Profile:
    """The profile called `name`, else the sandbox marketplace's, which ships with shopagent."""
    profile = get_profile(name) or get_profile("sandbox")
    if profile is None:
        raise ToolFailed("the listing profiles that ship with shopagent (tools/copy/*.toml) are missing; "
                         "reinstall shopagent")
    return profile
