"""The copy written by code: built from the catalog facts alone, used when the model's answer
fails the check twice (or there is no model), which is what most shops publish. A title by
platform convention, highlights and a prose description (tools/copy/prose.py), tags and a
meta description of whole sentences; within the platform's limits, nothing cut mid-phrase."""

import re

from tools.copy.attributes import human_label, norm_key
from tools.copy.check import CopyDraft
from tools.copy.facts import CJK, Facts, banned_pattern, term_groups, term_surfaces
from tools.copy.lint import sentence_split
from tools.copy.profiles import Profile, byte_count
from tools.copy.prose import Writer, first_part, phrases, sentence_case

DIGITS = "0123456789.,"
STOP_WORDS = {"a", "an", "the", "and", "for", "with", "of", "in", "on", "to", "set"}
JOINING_WORDS = {"a", "an", "the", "and", "or", "for", "with", "of", "in", "on", "to", "at", "by"}
# The attributes that may name a product apart in its title, in order of preference.
DIFFERENTIATORS = ("movement", "material", "wax", "glaze")  # a finish ("food-grade mineral oil") tells no product apart


def label(key: str, language: str) -> str:
    """An attribute name as the listing shows it ('base_diameter' -> 'Base diameter')."""
    return human_label(key, language)


def translate(value: str, language: str) -> str:
    """A catalog value that is exactly one known term (porcelain, 陶瓷, ...) in the listing's
    language; a value already in that language keeps the catalog's spelling ('Portugal')."""
    if bool(CJK.search(value)) == (language == "zh-CN"):
        return value
    for surfaces in term_surfaces():
        if value.strip().lower() in surfaces:
            wanted = [s for s in surfaces if bool(CJK.search(s)) == (language == "zh-CN")]
            if wanted and language == "en" and any(g.kind == "origin" and g.pattern.fullmatch(wanted[0])
                                                  for g in term_groups().values()):
                return wanted[0].title()  # a place: "中国" -> "China", not "china"
            return wanted[0] if wanted else value
    return value


def attribute_table(facts: Facts, language: str) -> list[list[str]]:
    """[label, value] rows of the catalog facts, product attributes then variant options."""
    rows = [[label(k, language), v] for k, v in facts.attributes.items()]
    return rows + [[label(k, language), " / ".join(values)] for k, values in facts.options.items()]


def fit(text: str, max_chars: int, max_bytes: int | None = None, encoding: str = "utf-8") -> str:
    """`text` cut to the limits, at a word boundary where the text has spaces, never ending
    on a joining word ('... Bamboo Lid and' -> '... Bamboo Lid')."""
    text = " ".join(text.split())
    cut_any = False
    while len(text) > max_chars or (max_bytes is not None and byte_count(text, encoding) > max_bytes):
        cut_any = True
        cut = text[:-1]
        if " " in cut[len(cut) // 2:]:
            cut = cut.rsplit(" ", 1)[0]
        if cut and cut[-1] in DIGITS and text[len(cut)] in DIGITS:  # "8.4 cm" must not become "8"
            cut = cut.rstrip(DIGITS)
        text = cut.rstrip(" ,;:-–/，、")
    if cut_any and " " in text:
        # End on a whole phrase: back to the last joining word ("... Lid and Silicone" -> "... Lid").
        words = text.split(" ")
        joins = [i for i, w in enumerate(words) if w.lower() in JOINING_WORDS and i > 0]
        if joins and len(" ".join(words[:joins[-1]])) >= max_chars * 0.6:
            text = " ".join(words[:joins[-1]]).rstrip(" ,;:-–/，、")
    return text


def title_of(facts: Facts, profile: Profile, language: str, clean, shop: str = "") -> str:
    """Platform convention: the product's name plus one differentiator the name lacks (its
    movement, material, wax or glaze), no number twice, never the shop's name."""
    name = sentence_case(clean(facts.name))
    if shop.strip():
        name = re.sub(rf"^\s*{re.escape(shop.strip())}\s*[-–:|]?\s*|\s*[-–|]?\s*{re.escape(shop.strip())}\s*$", "",
                      name, flags=re.I).strip() or name
    extra = _differentiator(facts, name, language, clean)
    title = f"{name} {extra}" if extra and language == "zh-CN" else f"{name} - {extra}" if extra else name
    limit, max_bytes = profile.title_limit(language), profile.title_max_bytes
    if len(title) > limit or (max_bytes is not None and byte_count(title, profile.byte_encoding) > max_bytes):
        title = name
    return fit(title, limit, max_bytes, profile.byte_encoding)


def _differentiator(facts: Facts, name: str, language: str, clean) -> str:
    zh = language == "zh-CN"
    for key in DIFFERENTIATORS:
        value = next((clean(v) for k, v in facts.attributes.items()
                      if (label(k, "zh-CN") if zh else norm_key(k)) == (label(key, "zh-CN") if zh else key)), "")
        if not value or re.search(r"\d", value) or (key == "material" and re.search(r"[,，、]", value)):
            continue
        part = first_part(translate(value, language))
        if zh:
            new = [c for c in CJK.findall(part) if c not in name]
            if new and len(new) * 2 >= len(CJK.findall(part)) and len(part) <= 8:
                return part
            continue
        words = [w for w in re.findall(r"[A-Za-z]{3,}", part) if w.lower() not in STOP_WORDS]
        new = [w for w in words if w.lower() not in name.lower()]
        if new and len(new) * 2 > len(words) and len(part) <= 32:  # mostly new words: it tells the product apart
            if key in {"glaze", "movement", "finish"} and key not in f"{part} {name}".lower() \
                    and not re.search(r"oil|wax|glaze", part):
                part = f"{part} {key}"
            return " ".join(w if w.isupper() or w in STOP_WORDS else w[:1].upper() + w[1:] for w in part.split())
    return ""


def template_copy(facts: Facts, profile: Profile, language: str, shop: str = "") -> CopyDraft:
    """A listing written by rules from the facts; banned terms in the facts are left out."""
    banned = banned_pattern(profile.banned_terms)

    def clean(text: str) -> str:
        return " ".join(banned.sub("", text).split()).strip(" ,，")

    def clean_value(text: str) -> str:
        # A Chinese banned term is a substring: cutting it out garbles the rest ("最宽处" -> "宽处"),
        # so such a value is left out instead.
        found = [m.group(0) for m in banned.finditer(text)]
        return "" if any(CJK.search(f) for f in found) else clean(text)

    zh = language == "zh-CN"
    writer = Writer(facts, language, lambda v: clean_value(translate(v, language)))
    point_max = profile.point_max_chars
    points = writer.highlights(point_max, profile.points_max)
    words = phrases(language)
    for key, values in facts.options.items():
        if len(points) < profile.points_min and len(values) > 1:
            joined = ("、" if zh else " or ").join(clean(translate(v, language)) for v in values)
            line = sentence_case(words["option"].format(label=label(key, language).lower() if not zh else label(key, language),
                                                        values=joined))
            if len(line) <= point_max:
                points.append(line)
    for key, frame in words["policy"]:
        if len(points) < profile.points_min and key in facts.policies:
            points.append(sentence_case(frame.format(v=facts.policies[key])))
    if len(points) < profile.points_min:  # a row with hardly any facts: its name and category
        points += [p for p in (clean(facts.name), clean(facts.category)) if p and p not in points]
    description = writer.description()
    return CopyDraft(
        title=title_of(facts, profile, language, clean, shop),
        selling_points=points[:profile.points_max],
        description=description,
        tags=_tags(facts, profile, language, clean),
        meta_description=_meta(description, facts, min(profile.meta_max_chars, 160), language, clean),
    )


def _meta(description: str, facts: Facts, limit: int, language: str, clean) -> str:
    """Whole sentences of the description that fit the meta limit (the name when none does)."""
    parts = re.split(r"(?<=[。！？])", description) if language == "zh-CN" else sentence_split(description)
    meta = ""
    for part in parts:
        joined = (meta + ("" if language == "zh-CN" else " ") + part).strip()
        if part and len(joined) <= limit:
            meta = joined
        else:
            break
    return meta or fit(clean(facts.name), limit)


def _tags(facts: Facts, profile: Profile, language: str, clean) -> list[str]:
    limit = min(profile.tag_max_chars, profile.gen(language).tag_max_chars)
    words = [w for w in re.split(r"[>/,|;]", facts.category)]
    # Words a buyer searches by: what it is made of, its options; a bare measure ("9.6 cm") is no search word.
    words += [first_part(translate(v, language)) for v in facts.attributes.values()]
    words += [translate(v, language) for values in facts.options.values() for v in values]
    words = [w for w in words if not re.search(r"\d", w)]
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
