"""The deterministic copy: built from the catalog facts alone, used when the model's answer
fails the check twice (or there is no model). Plain, correct, within the platform's limits."""

import re

from tools.copy.check import CopyDraft
from tools.copy.facts import CJK, Facts, banned_pattern, term_surfaces
from tools.copy.profiles import Profile, byte_count

# Common catalog keys in Chinese, for the attribute table and the template's lines.
KEYS_ZH = {
    "material": "材质", "capacity": "容量", "volume": "容量", "size": "尺寸", "dimensions": "尺寸",
    "weight": "重量", "color": "颜色", "colour": "颜色", "height": "高度", "width": "宽度", "length": "长度",
    "diameter": "直径", "pack": "数量", "count": "数量", "pieces": "件数", "finish": "工艺", "origin": "产地",
    "style": "风格", "shape": "形状", "pattern": "图案", "burn time": "燃烧时间", "scent": "香味",
}
DIGITS = "0123456789.,"
STOP_WORDS = {"a", "an", "the", "and", "for", "with", "of", "in", "on", "to", "set"}


def label(key: str, language: str) -> str:
    """An attribute name as the listing shows it."""
    if language == "zh-CN":
        return KEYS_ZH.get(key.strip().lower(), key)
    return key[:1].upper() + key[1:]


def translate(value: str, language: str) -> str:
    """A catalog value that is exactly one known term (porcelain, 陶瓷, ...) in the listing's language."""
    for surfaces in term_surfaces():
        if value.strip().lower() in surfaces:
            wanted = [s for s in surfaces if bool(CJK.search(s)) == (language == "zh-CN")]
            return wanted[0] if wanted else value
    return value


def attribute_table(facts: Facts, language: str) -> list[list[str]]:
    """[label, value] rows of the catalog facts, product attributes then variant options."""
    rows = [[label(k, language), v] for k, v in facts.attributes.items()]
    return rows + [[label(k, language), " / ".join(values)] for k, values in facts.options.items()]


def fit(text: str, max_chars: int, max_bytes: int | None = None, encoding: str = "utf-8") -> str:
    """`text` cut to the limits, at a word boundary where the text has spaces."""
    text = " ".join(text.split())
    while len(text) > max_chars or (max_bytes is not None and byte_count(text, encoding) > max_bytes):
        cut = text[:-1]
        if " " in cut[len(cut) // 2:]:
            cut = cut.rsplit(" ", 1)[0]
        if cut and cut[-1] in DIGITS and text[len(cut)] in DIGITS:  # "8.4 cm" must not become "8"
            cut = cut.rstrip(DIGITS)
        text = cut.rstrip(" ,;:-–/，、")
    return text


def template_copy(facts: Facts, profile: Profile, language: str) -> CopyDraft:
    """A listing written by rules from the facts; banned terms in the facts are left out."""
    banned = banned_pattern(profile.banned_terms)

    def clean(text: str) -> str:
        return " ".join(banned.sub("", text).split())

    zh = language == "zh-CN"
    gen = profile.gen(language)
    name = clean(facts.name)
    table = [[clean(k), clean(translate(v, language))] for k, v in attribute_table(facts, language) if clean(v)]
    colon, sep = ("：", "，") if zh else (": ", ", ")
    highlights = [clean(translate(v, language)) for v in facts.attributes.values()
                  if len(v) <= 24 and " ".join(v.lower().split()) not in " ".join(name.lower().split())][:3]
    title = fit(" ".join([name, *highlights]) if zh else " - ".join([name, ", ".join(highlights)]).strip(" -"),
                profile.title_limit(language), profile.title_max_bytes, profile.byte_encoding)
    point_max = min(profile.point_max_chars, gen.point_max_chars)
    points = [f"{k}{colon}{v}" for k, v in table]
    points += [f"{label(k, language)}{colon}{v}" for k, v in facts.policies.items()]
    if facts.category:
        points.append(f"{'类目' if zh else 'Category'}{colon}{clean(facts.category)}")
    points.append(f"{'品名' if zh else 'Product'}{colon}{name}")
    points = list(dict.fromkeys(fit(p, point_max) for p in points if p))[:profile.points_max]
    facts_sentence = sep.join(f"{k}{colon}{v}" for k, v in table)
    if zh:
        description = f"{name}。" + (f"{facts_sentence}。" if facts_sentence else "")
    else:
        description = f"{name}." + (f" {facts_sentence}." if facts_sentence else "")
    return CopyDraft(
        title=title,
        selling_points=points,
        description=fit(description, gen.description_max_chars),
        tags=_tags(facts, profile, language, clean),
        meta_description=fit(description, min(profile.meta_max_chars, gen.meta_max_chars)),
    )


def _tags(facts: Facts, profile: Profile, language: str, clean) -> list[str]:
    limit = min(profile.tag_max_chars, profile.gen(language).tag_max_chars)
    words = [w for w in re.split(r"[>/,|;]", facts.category)]
    words += [v for v in facts.attributes.values()] + [v for values in facts.options.values() for v in values]
    if language == "zh-CN":
        words.append(facts.name)
    else:
        words += [w for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", facts.name) if w.lower() not in STOP_WORDS]
    tags: list[str] = []
    for word in words:
        tag = clean(word).strip()
        if tag and len(tag) <= limit and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    while tags and _too_long(tags, profile):
        tags.pop()
    return tags[:profile.tags_max] or [fit(clean(facts.name), limit) or "item"]


def _too_long(tags: list[str], profile: Profile) -> bool:
    joined = ",".join(tags[:profile.tags_max])
    if profile.tags_max_chars_total is not None and len(joined) > profile.tags_max_chars_total:
        return True
    return profile.tags_max_bytes_total is not None and byte_count(joined, profile.byte_encoding) > profile.tags_max_bytes_total
