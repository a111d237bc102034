"""Copy written by code from the catalog facts: a short name, highlights (a benefit backed
by a fact) and a description of a few sentences (what it is, how big and how it is used,
care and origin). The frames live in phrases.toml; which of several frames a product gets
follows a hash of its name, so a shop's listings do not all read alike and the same
product always reads the same. Nothing is cut to fit: a line too long is left out."""

import re
import tomllib
import zlib
from collections.abc import Callable
from functools import cache
from importlib import resources

from tools.copy.attributes import human_label, norm_key
from tools.copy.facts import CJK, Facts

LEADING_MEASURE = re.compile(
    r"^((?:approx\.\s*)?\d+(?:[.,]\d+)?(?:\s*[x×]\s*\d+(?:[.,]\d+)?)*\s*(?:[A-Za-z°%²/]+|[\u3400-\u9fff]{1,2})?)(.*)$")
# A measure inside a name ("Stoneware Mug 350ml", "Pillar Candle 7.5 x 10cm"), not a count ("Set of 3").
NAME_MEASURE = re.compile(r"(?<!\bof)\s+\d+(?:\.\d+)?(?:\s*[x×]\s*\d+(?:\.\d+)?)*\s*(?:ml|cl|l|cm|mm|m|g|kg|oz|in)\b", re.I)
# Third-person verbs that open a size clause, for a product named in the plural ("coasters").
PLURAL_VERBS = {"holds": "hold", "is": "are", "measures": "measure", "has": "have", "comes": "come",
                "burns": "burn", "keeps": "keep", "runs": "run"}
CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]*[A-Za-z0-9-]*\b")
SMALL_WORDS = {"a", "an", "and", "at", "for", "in", "of", "on", "or", "the", "to", "with"}


@cache
def phrases(language: str) -> dict:
    data = tomllib.loads(resources.files(__package__).joinpath("phrases.toml").read_text(encoding="utf-8"))
    return data["zh-CN" if language == "zh-CN" else "en"]


def pick(frames: list[str], name: str, salt: str = "") -> str:
    """One of `frames`, the same one for the same product every time."""
    return frames[zlib.crc32(f"{salt}{name}".encode()) % len(frames)]


def split_measure(value: str) -> tuple[str, str]:
    """'14 cm with lid' -> ('14 cm', ' with lid'); a value that starts with no number -> (value, '')."""
    found = LEADING_MEASURE.match(value.strip())
    if not found or not found.group(1).strip():
        return value.strip(), ""
    measure, tail = found.group(1).strip(), found.group(2)
    return measure, (tail if not tail or tail[0] in " ,（(" else " " + tail)


def first_part(value: str) -> str:
    """A value up to its first comma ('gloss, lead- and cadmium-free' -> 'gloss')."""
    return re.split(r"\s*[,，、;；]\s*", value.strip(), maxsplit=1)[0]


def proper_nouns(facts: Facts) -> set[str]:
    """Words the catalog writes capitalised inside its values (Moso, Portugal, LFGB): names
    that copy must keep capitalised."""
    values = [*facts.attributes.values(), *(v for values in facts.options.values() for v in values)]
    return {word for value in values for word in CAPITALISED.findall(value) if not word.isdigit()}


def with_proper_nouns(text: str, nouns: set[str]) -> str:
    """`text` with each proper noun in its catalog spelling ('portugal' -> 'Portugal')."""
    for noun in sorted(nouns, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(noun)}(?![A-Za-z])", noun, text, flags=re.I)
    return text


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def short_name(facts: Facts, language: str, name: str | None = None) -> str:
    """What the product is, in running text: 'Stoneware Mug 350ml, Gloss White' -> 'stoneware
    mug'; '炻瓷马克杯 350毫升 亮光白' -> '炻瓷马克杯'."""
    name = facts.name if name is None else name
    if language == "zh-CN":
        return name.split()[0] if name.split() else name
    head = re.split(r"\s+with\s+", first_part(name), maxsplit=1, flags=re.I)[0]
    head = NAME_MEASURE.sub("", head).strip() or name
    nouns = proper_nouns(facts)
    return " ".join(w if w in nouns or (w.isupper() and len(w) > 1) else w.lower() for w in head.split())


def and_list(value: str, zh: bool = False) -> str:
    """'solid walnut, natural cork' -> 'solid walnut and natural cork' ('实木胡桃木和天然软木')."""
    items = [p for p in re.split(r"\s*[,，、]\s*" if zh else r"\s*,\s*", value.strip()) if p]
    if len(items) < 2:
        return value.strip()
    return "、".join(items[:-1]) + "和" + items[-1] if zh else ", ".join(items[:-1]) + " and " + items[-1]


def is_plural(name: str) -> bool:
    """Whether a short English name names several things ('walnut wood coasters')."""
    head = re.split(r"\s+(?:in|with|for|of)\s+", name)[0].split()
    return bool(head) and head[-1].endswith("s") and not head[-1].endswith("ss")


def with_articles(value: str) -> str:
    """'juice groove, hang hole' -> 'a juice groove and a hang hole'."""
    items = [p for p in re.split(r"\s*,\s*", value.strip()) if p]

    def article(item: str) -> str:
        first = item.split()[0].lower()
        if first in {"a", "an", "the"} or item[0].isdigit() or item.endswith("s"):
            return item
        return ("an " if first[0] in "aeiou" else "a ") + item
    items = [article(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class Writer:
    """Sentences for one product in one language, from facts whose values `clean` has
    passed (banned terms out, known terms in the listing's language)."""

    def __init__(self, facts: Facts, language: str, clean: Callable[[str], str]):
        self.facts, self.language, self.zh = facts, language, language == "zh-CN"
        self.words = phrases(language)
        self.nouns = proper_nouns(facts)
        self.name = short_name(facts, language, clean(facts.name) or facts.name)
        # Attribute values by the key phrases.toml uses: plain English words, or the Chinese label.
        self.values: dict[str, str] = {}
        for key, value in facts.attributes.items():
            value = clean(value).strip(" ,，;；")
            if value:
                name = human_label(key, "zh-CN") if self.zh else norm_key(key)
                if self.zh and name in ("盖子", "瓶盖", "杯盖") and "盖" not in value:
                    value += "盖"  # "配白蜡木盖", not "配白蜡木"
                self.values.setdefault(name, with_proper_nouns(value, self.nouns) if not self.zh else value)

    def fill(self, frame: str, key: str) -> str:
        value = self.values[key]
        measure, tail = split_measure(value)
        text = frame.format(v=value, m=measure, tail=tail, articles=with_articles(value) if "{articles}" in frame else "",
                            list=and_list(value, self.zh) if "{list}" in frame else "")
        return " ".join(text.split())

    def highlights(self, max_chars: int, count: int, leave_out: tuple[str, ...] = ()) -> list[str]:
        """Up to `count` highlights of at most `max_chars` each, in phrases.toml's order."""
        lines: list[str] = []
        for key, frame in self.words["highlight"]:
            if key in self.values and key not in leave_out and len(lines) < count:
                line = sentence_case(self.fill(frame, key))
                if len(line) <= max_chars and line not in lines:
                    lines.append(line)
        return lines

    def description(self, max_sentences: int = 4) -> str:
        """Two to four sentences: what it is, size and use, one more use fact, care and origin."""
        name, zh = self.name, self.zh
        sentences = [self._identity(name)]
        clauses = [self.fill(frame, key) for key, frame in self.words["size"] if key in self.values][:2]
        if len(clauses) == 2 and not zh and clauses[0].startswith("is ") and clauses[1].startswith("is "):
            clauses[1] = clauses[1][3:]  # "is 20 cm high and 13 cm across"
        if clauses and not zh and is_plural(name):
            verb, rest = clauses[0].split(" ", 1)
            clauses[0] = f"{PLURAL_VERBS.get(verb, verb)} {rest}"
        if clauses:
            joined = "，".join(clauses) if zh else " and ".join(clauses)
            sentences.append(f"{joined}。" if zh else f"{'They' if is_plural(name) else 'It'} {joined}.")
        features = [self.fill(frame, key) for key, frame in self.words["feature"] if key in self.values]
        closing = self._closing()
        if features and len(sentences) + 1 + bool(closing) <= max_sentences:
            sentences.append(sentence_case(features[0]))
        if closing:
            sentences.append(closing)
        return ("" if zh else " ").join(sentences[:max_sentences])

    def _identity(self, name: str) -> str:
        material = (self.values.get("材质" if self.zh else "material") or self.values.get("materials", "")
                    or self.values.get("蜡" if self.zh else "wax", ""))
        if material and not self._said(material, name):
            frame = pick(self.words["identity"], self.facts.name)
            if not self.zh and is_plural(name):
                frame = frame.replace("this {name} is", "these {name} are").replace("{name} is", "{name} are") \
                             .replace("This {name}", "These {name}")
            return sentence_case(frame.format(name=name, material=and_list(material, self.zh)))
        finish = next((self.values[k] for k in (("釉面", "表面处理", "表面") if self.zh else ("glaze", "finish"))
                       if k in self.values), "")
        if finish:
            part = first_part(finish)
            if not self.zh and not re.search(r"glaze|finish|oil|wax", part):
                part += " glaze" if "glaze" in self.values else " finish"
            frame = pick(self.words["identity_finish"], self.facts.name)
            if is_plural(name) and not self.zh:
                frame = frame.replace("has", "have").replace("comes", "come").replace("This", "These")
            return sentence_case(frame.format(name=name, finish=part if not self.zh else f"施{part}"))
        return sentence_case(pick(self.words["identity_plain"], self.facts.name).format(name=name))

    def _said(self, value: str, name: str) -> bool:
        """Whether every word of `value` is already in the name."""
        if self.zh:
            return all(c in name for c in CJK.findall(value))
        return set(re.findall(r"[a-z]{3,}", value.lower())) <= set(re.findall(r"[a-z]{3,}", name.lower()))

    def _closing(self) -> str:
        care = self.values.get("保养" if self.zh else "care", "")
        origin = self.values.get("产地" if self.zh else "origin", "")
        if origin.startswith(("United ", "Netherlands", "Czech Republic", "Philippines")):
            origin = "the " + origin  # "made in the United Kingdom"
        safe = bool(re.search(r"\bsafe$", care)) if not self.zh else True
        if care and origin:
            frames = self.words["closing_safe" if safe else "closing"]
        elif origin:
            frames = self.words["closing_origin"]
        elif care:
            frames = self.words["closing_care_safe" if safe else "closing_care"]
        else:
            return ""
        text = pick(frames, self.facts.name, "closing").format(care=care, origin=origin)
        if not self.zh and is_plural(self.name):
            text = text.replace("It is", "They are").replace("it is", "they are")
        return sentence_case(text)
