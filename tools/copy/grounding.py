"""Grounding: each selling point talks about this product, not about something made up.

The fact check (tools/copy/facts.py) catches invented numbers, materials, origins and
certifications; a small model also invents whole features ("lemon-lime seltzer tablets
for hydration" on a water bottle). A selling point (or a clip's benefit line) must use at
least one word of the product's own data (name, category, attributes, options, supplier
text) or state one of its numbers (which the fact check then verifies). Generic shop
words (generic_words.toml) count neither way, and usage scenes around a product word
("fits a loaf or a roast") stay allowed. English copy of an English catalog row only:
Chinese text has no word breaks to compare by, so zh-CN copy, and English copy of a row
written in Chinese, rely on the fact check alone.
"""

import re
import tomllib
from functools import cache
from importlib import resources

from tools.copy.facts import CJK, Facts

WORD = re.compile(r"[a-z]{4,}")


@cache
def generic_words() -> frozenset[str]:
    data = tomllib.loads(resources.files("tools.copy").joinpath("generic_words.toml").read_text(encoding="utf-8"))
    return frozenset(data["en"].split())


def words(text: str) -> list[str]:
    """The words that carry meaning: four letters or more, lower case ('all-day' is two)."""
    return WORD.findall(text.lower())


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    """In the vocabulary as written or as another form of the same word (glaze/glazed,
    sleeve/sleeves, hang/hanging): one starts with the other, four letters at least,
    differing by an ending of up to three."""
    return word in vocabulary or any(
        len(known) >= 4 and abs(len(known) - len(word)) <= 3 and (word.startswith(known) or known.startswith(word))
        for known in vocabulary)


def ungrounded(lines: list[str], facts: Facts, supplier_text: str, language: str) -> list[str]:
    """The lines that say nothing about the product: no word of its data, no number."""
    source = f"{facts.text()} {supplier_text}"
    own = " ".join([facts.name, facts.category, *facts.product_lines()])  # the row itself, not the shop's policies
    if language != "en" or len(CJK.findall(own)) * 2 > len(re.findall(r"[A-Za-z]", own)):
        return []  # Chinese copy, or a product described in Chinese: no English words to compare with
    product = frozenset(words(source)) - generic_words()
    astray = []
    for line in lines:
        found = [w for w in words(line) if w not in generic_words()]
        if len(found) >= 2 and not re.search(r"\d", line) and not any(_known(w, product) for w in found):
            astray.append(line)
    return astray
