"""The listing lint: what a seller would not publish, found by code. The copy check runs it
on every draft, the model's and the template's alike, and bench/listing_quality.py counts
what passes. Each finding is a short sentence a model can act on.

- a title repeats no number and does not name the shop;
- no raw catalog key (`base_diameter`), no markup or JSON fragment (`]`, `"tags": [`);
- no line cut off: not mid-word, not on a joining word, not mid-phrase of a catalog value;
- proper nouns keep the catalog's capitals ('Portugal', not 'portugal');
- the description is sentences, not an attribute list;
- a highlight is a benefit with its fact, not a 'Label: value' pair ('Simple care: hand wash').
"""

import re

from tools.copy.facts import CJK, Facts
from tools.copy.grounding import generic_words

NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*\d)")
RAW_KEY = re.compile(r"\b[A-Za-z][a-z]*(?:_[a-z]+)+\b")
FIELD_NAMES = ("title", "description", "tags", "selling_points", "selling points", "highlights", "meta_description",
               "meta description")
FIELD_WORDS = "|".join(map(re.escape, FIELD_NAMES))
FRAGMENT = re.compile(r"[\[\]{}<>]|\"\s*:|\\[nt\"]|^\s*(?:" + FIELD_WORDS + r")\s*:?\s*$", re.I)
JOINING = {"a", "an", "the", "and", "or", "for", "with", "of", "in", "on", "to", "at", "by", "from", "as", "is"}
CONTINUERS = {"with", "at", "on", "in", "for", "to", "when", "per", "and", "or", "x", "from"}
ENDS = ".!?。！？"
SPEC_PAIR = re.compile(r"(?:^|[,.;]\s*)[A-Z][A-Za-z _]{1,20}:\s")
LABEL_FIRST = re.compile(r"^\s*(?:[A-Za-z][A-Za-z -]{0,24}:\s|[\u4e00-\u9fff]{1,8}[：:])")


def sentence_split(text: str) -> list[str]:
    """English sentences; a full stop before a lower-case word or a number is an abbreviation ('approx. 40')."""
    return re.split(r"(?<=[.!?])\s+(?=[A-Z\"“‘'(])", text.strip())


def _vocabulary(facts: Facts, supplier_text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", f"{facts.text()} {supplier_text}".lower()))


def title_lint(title: str, shop: str = "") -> list[str]:
    problems = []
    numbers = NUMBER.findall(title)
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        problems.append(f"the title repeats {', '.join(repr(n) for n in twice)}; state each number once")
    if shop.strip() and shop.strip().lower() in title.lower():
        problems.append(f"the title names the shop ('{shop.strip()}'); say what the product is")
    return problems


def cut_off(line: str, facts: Facts, vocabulary: set[str]) -> bool:
    """Whether `line` stops before its end: mid-word, on a joining word, on a hyphen or an
    open bracket, or in the middle of a catalog value's phrase ('... 50 x 90 cm, face')."""
    text = line.strip()
    if not text or text[-1] in ENDS or CJK.search(text[-1:]):
        return False
    if text[-1] in "-–(（,，:：/&":
        return True
    if text.count("(") > text.count(")") or text.count("（") > text.count("）"):
        return True
    last = re.findall(r"[A-Za-z]+|\d", text)
    if not last:
        return False
    word = last[-1]
    before = text[:-len(word)].rstrip()
    if word.lower() in JOINING and len(last) > 1:
        return True
    if len(word) == 1 and word.islower() and not re.search(r"\d\s*$", before):
        return True  # "... with a l"
    lower = word.lower()
    if len(lower) >= 2 and lower not in vocabulary and lower not in generic_words() and \
            any(w.startswith(lower) and len(w) > len(lower) + 1 for w in vocabulary):
        return True  # "... laminated Moso bam"
    for value in facts.attributes.values():
        parts = [p.strip() for p in re.split(r"\s*,\s*", value) if p.strip()]
        for previous, part in zip(parts, parts[1:]):
            words = part.split()
            for n in range(1, len(words)):
                head = " ".join(words[:n])
                following = words[n].lower()
                if text.lower().endswith(head.lower()) and previous.lower() in text.lower() \
                        and following.isalpha() and following not in CONTINUERS:
                    return True
    return False


def _proper_nouns(facts: Facts) -> set[str]:
    values = [*facts.attributes.values(), *(v for values in facts.options.values() for v in values)]
    words = {w for value in values for w in re.findall(r"\b[A-Z][A-Za-z-]*\b", value)}
    return {w for w in words if len(w) >= 4}


def sentence_lint(text: str, language: str) -> list[str]:
    """The description's sentences: each complete (a capital, three words, an end mark)."""
    problems = []
    if language == "zh-CN":
        parts = [p for p in re.split(r"(?<=[。！？])", text) if p.strip()]
        bad = [p for p in parts if p.strip()[-1] not in ENDS or not CJK.search(p) or len(p.strip()) < 4]
    else:
        parts = [p for p in sentence_split(text) if p.strip()]
        bad = [p for p in parts if not (p.strip()[0].isupper() or p.strip()[0].isdigit())
               or p.strip()[-1] not in ENDS or len(p.split()) < 3]
        if len(SPEC_PAIR.findall(text)) >= 3:
            problems.append("write the description as sentences, not a list of 'Label: value' pairs")
    if bad:
        problems.append("write the description in complete sentences; not: " + ", ".join(f"'{b.strip()[:60]}'" for b in bad[:3]))
    return problems


def copy_lint(title: str, points: list[str], description: str, tags: list[str], meta: str, facts: Facts,
              language: str, shop: str = "", supplier_text: str = "") -> list[str]:
    """Everything the lint finds in one listing's words ([] passes). `description` is the
    text a buyer reads (markup already taken out)."""
    problems = title_lint(title, shop)
    lines = [("the title", title), *((f"highlight '{p[:40]}'", p) for p in points), ("the meta description", meta),
             *((f"tag '{t}'", t) for t in tags)]
    everything = "\n".join([title, *points, description, *tags, meta])
    raw = sorted(set(RAW_KEY.findall(everything)))
    if raw:
        problems.append("use plain words, not catalog keys: " + ", ".join(f"'{k}'" for k in raw[:5]))
    fragments = [what for what, text in [*lines, ("the description", description)]
                 if any(FRAGMENT.search(line) for line in text.splitlines() or [text])]
    if fragments:
        problems.append("remove markup and JSON pieces (brackets, field names) from " + ", ".join(fragments[:4]))
    labelled = [p for p in points if LABEL_FIRST.match(p)]
    if labelled:
        problems.append("write each highlight as a benefit with its fact, not 'Label: value': "
                        + ", ".join(f"'{p[:40]}'" for p in labelled[:3]))
    vocabulary = _vocabulary(facts, supplier_text)
    cut = [what for what, text in lines if cut_off(text, facts, vocabulary)]
    if cut:
        problems.append("finish each phrase; cut off: " + ", ".join(cut[:4]))
    if language == "en":
        lowered = sorted({n for n in _proper_nouns(facts)
                          if re.search(rf"(?<![A-Za-z]){re.escape(n.lower())}(?![A-Za-z])", everything)})
        if lowered:
            problems.append("capitalise names as the catalog does: " + ", ".join(f"'{n}'" for n in lowered))
    if description.strip():
        problems += sentence_lint(description, language)
    return problems
