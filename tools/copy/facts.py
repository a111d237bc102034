"""The fact check: every number, unit, size, material, certification, origin and safety
claim in the copy must trace to the catalog row, in either language.

The catalog row (name, category, attributes, variant options) plus the shop's policy
numbers are the ground truth; the supplier's free text is not (it is untrusted data).
"""

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from tools.copy.attributes import norm_key

# Surface forms of each unit, by canonical unit; both languages map to the same one.
UNITS: dict[str, list[str]] = {
    "ml": ["ml", "millilitre", "milliliter", "毫升"],
    "cl": ["cl"],
    "l": ["l", "litre", "liter", "升"],
    "oz": ["fl oz", "fl. oz", "oz", "ounce", "盎司"],
    "mm": ["mm", "millimetre", "millimeter", "毫米"],
    "cm": ["cm", "centimetre", "centimeter", "厘米", "公分"],
    "m": ["m", "metre", "meter", "米"],
    "in": ["in", "inch", "inches", '"', "英寸"],
    "ft": ["ft", "foot", "feet", "英尺"],
    "g": ["g", "gram", "gramme", "克"],
    "kg": ["kg", "kilogram", "公斤", "千克"],
    "lb": ["lb", "lbs", "pound"],
    "w": ["w", "watt", "瓦"],
    "v": ["v", "volt", "伏"],
    "mah": ["mah", "毫安时"],
    "h": ["h", "hr", "hrs", "hour", "小时"],
    "min": ["min", "minute", "分钟"],
    "day": ["day", "天", "日"],
    "year": ["year", "yr", "年"],
    "°c": ["°c", "℃", "摄氏度", "度"],
    "%": ["%", "percent"],
    "pcs": ["pcs", "pc", "piece", "pack", "set", "count", "件", "个", "只", "套", "片", "支", "包", "瓶", "盒", "层", "双", "对"],
}
COUNTING = {"pcs"}  # a count may stand against a bare number in the facts ("pack=4")
NUMBER = r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?"
# "20 x 30 cm", "10-12 cm", "10 to 12 cm"; a spaced dash ("Set of 4 - 10 cm") separates instead.
JOINERS = re.compile(r"^(?:\s*[x×*]\s*|[-–~]|\s*(?:to|至|到)\s*)$", re.I)
ZH_DIGITS = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
ZH_COUNT = re.compile(r"([二两三四五六七八九十])[件个只套片支包瓶盒层双对]")
# "约三小时", "二十五厘米": Chinese numerals before a unit state a measure too. 一 is left out
# ("一年四季", "一天到晚" are idioms, not facts).
ZH_NUMERAL = "二两三四五六七八九十百"
LETTER_SIZE = re.compile(r"(?<![A-Za-z0-9])(XXS|XS|XL|XXL|XXXL|[2-5]XL)(?![A-Za-z])|(?:size|尺码|码)\s*[:：]?\s*([SML])(?![A-Za-z])", re.I)
MONEY = re.compile(r"[$¥￥€£]\s*\d+(?:[.,]\d+)*|\d+(?:\.\d+)?\s*(?:元|块钱|dollars?\b|usd\b|rmb\b|cny\b|eur\b)", re.I)
CJK = re.compile(r"[\u3400-\u9fff]")
ORIGIN_KEYS = {"origin", "country of origin", "made in", "产地"}


def _is_latin(term: str) -> bool:
    return not CJK.search(term)


def _unit_pattern() -> str:
    forms = sorted(((form, unit) for unit, surfaces in UNITS.items() for form in surfaces), key=lambda f: -len(f[0]))
    return "|".join(re.escape(form) + ("(?:e?s)?(?![a-z])" if form[-1].isalpha() and _is_latin(form) else "")
                    for form, _ in forms)


MEASURE = re.compile(rf"({NUMBER})\s*({_unit_pattern()})?", re.I)
UNIT_OF = {form.lower(): unit for unit, surfaces in UNITS.items() for form in surfaces}


def _canonical_unit(surface: str | None) -> str | None:
    if not surface:
        return None
    surface = surface.lower()
    return UNIT_OF.get(surface) or UNIT_OF.get(re.sub(r"e?s$", "", surface))


def _number(text: str) -> str:
    try:
        return format(Decimal(text.replace(",", "")).normalize(), "f")
    except InvalidOperation:
        return text


def measures(text: str) -> list[tuple[str, str | None, str]]:
    """(number, canonical unit or None, surface text) for each number in `text`.

    In '20 x 30 cm' and '10-12 cm' the first number takes the unit of the last.
    """
    found = list(MEASURE.finditer(text))
    units = [_canonical_unit(m.group(2)) for m in found]
    for i in range(len(found) - 2, -1, -1):
        if units[i] is None and JOINERS.match(text[found[i].end():found[i + 1].start()]):
            units[i] = units[i + 1]
    result = [(_number(m.group(1)), unit, " ".join(m.group(0).split())) for m, unit in zip(found, units)]
    result += [(str(ZH_DIGITS[m.group(1)]), "pcs", m.group(0)) for m in ZH_COUNT.finditer(text)]
    result += [(str(zh_number(m.group(1))), _canonical_unit(m.group(2)), m.group(0)) for m in _zh_measure().finditer(text)]
    return result


def zh_number(numerals: str) -> int:
    """'三' 3, '十五' 15, '二十' 20, '三百五十' 350, '两百' 200."""
    total = current = 0
    for char in numerals:
        if char == "十":
            total, current = total + (current or 1) * 10, 0
        elif char == "百":
            total, current = total + (current or 1) * 100, 0
        else:
            current = ZH_DIGITS[char]
    return total + current


@cache
def _zh_measure() -> re.Pattern:
    """Chinese numerals followed by a Chinese unit (the counting words are ZH_COUNT's)."""
    forms = sorted((form for unit, surfaces in UNITS.items() if unit not in COUNTING
                    for form in surfaces if not _is_latin(form) and form != "度"), key=len, reverse=True)
    return re.compile(rf"([{ZH_NUMERAL}]+)\s*({'|'.join(map(re.escape, forms))})")


def letter_sizes(text: str) -> set[str]:
    return {(m.group(1) or m.group(2)).upper() for m in LETTER_SIZE.finditer(text)}


def _term_regex(surfaces: list[str]) -> re.Pattern:
    parts = [re.escape(s) if not _is_latin(s) else rf"(?<![a-z0-9]){re.escape(s)}(?:e?s)?(?![a-z0-9])"
             for s in sorted(surfaces, key=len, reverse=True)]
    return re.compile("|".join(parts), re.I)


@dataclass(frozen=True)
class TermGroup:
    kind: str  # material, certification, origin, claim
    name: str
    pattern: re.Pattern
    supported_by: tuple[str, ...] = ()


@cache
def term_groups() -> dict[str, TermGroup]:
    """The fact-bearing words of terms.toml, one group per fact, both languages."""
    data = tomllib.loads(resources.files(__package__).joinpath("terms.toml").read_text(encoding="utf-8"))
    implies = data.pop("implies")
    return {name: TermGroup(kind, name, _term_regex(surfaces), tuple(implies.get(name, ())))
            for kind, groups in data.items() for name, surfaces in groups.items()}


@cache
def term_surfaces() -> list[tuple[str, ...]]:
    """The surface forms of every term group, lower-case, English first."""
    data = tomllib.loads(resources.files(__package__).joinpath("terms.toml").read_text(encoding="utf-8"))
    return [tuple(s.lower() for s in surfaces) for kind, groups in data.items() if kind != "implies"
            for surfaces in groups.values()]


def banned_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern for a banned list: Chinese terms as substrings, others as whole words."""
    parts = [re.escape(t) if not _is_latin(t) else rf"(?<![A-Za-z0-9]){re.escape(t)}(?![A-Za-z0-9])"
             for t in sorted(terms, key=len, reverse=True)]
    return re.compile("|".join(parts), re.I)


@dataclass
class Facts:
    """What the copy may state about one product."""

    name: str
    category: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)  # option -> values over the variants
    policies: dict[str, str] = field(default_factory=dict)  # shop policy facts, e.g. returns: 7 days

    def product_lines(self) -> list[str]:
        """The product's facts as 'key: value' lines (what the prompt shows; policies are left
        out to keep it short, though the copy may state them)."""
        lines = [f"{key}: {value}" for key, value in self.attributes.items()]
        return lines + [f"{key}: {' / '.join(values)}" for key, values in self.options.items()]

    def lines(self) -> list[str]:
        """Every fact as a 'key: value' line, policies included."""
        return self.product_lines() + [f"{key}: {value}" for key, value in self.policies.items()]

    def text(self) -> str:
        return "\n".join([self.name, self.category, *self.lines()])

    @property
    def key(self) -> dict:
        return {"name": self.name, "category": self.category, "attributes": self.attributes,
                "options": self.options, "policies": self.policies}


def unsupported(copy_text: str, facts: Facts) -> list[str]:
    """What the copy states that the facts do not: one short phrase per item."""
    truth = facts.text()
    known = measures(truth)
    pairs = {(value, unit) for value, unit, _ in known}
    numbers = {value for value, _, _ in known}
    problems: list[str] = []
    for value, unit, surface in measures(copy_text):
        if unit is None and value in numbers:
            continue
        if (value, unit) in pairs or (unit in COUNTING and (value, None) in pairs):
            continue
        problems.append(f"'{surface}'")
    problems += [f"size '{size}'" for size in sorted(letter_sizes(copy_text) - letter_sizes(truth))]
    groups = term_groups()
    for group in groups.values():
        found = group.pattern.search(copy_text)
        if not found or group.pattern.search(truth):
            continue
        if any(groups[other].pattern.search(truth) for other in group.supported_by):
            continue
        if group.name == "made_in" and any(norm_key(k) in ORIGIN_KEYS for k in facts.attributes):
            continue  # "made in" states the row's origin, whichever country it names
        problems.append(f"{group.kind} '{found.group(0)}'")
    return list(dict.fromkeys(problems))


def money_mentions(text: str) -> list[str]:
    """Prices in the copy; the platform shows the price, so copy never states one."""
    return [" ".join(m.group(0).split()) for m in MONEY.finditer(text)]
