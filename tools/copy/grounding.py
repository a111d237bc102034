"""Grounding: each line of the copy talks about this product, not about something made up.

The fact check (tools/copy/facts.py) catches invented numbers, materials, origins and
certifications; a small model also invents whole features ("lemon-lime seltzer tablets
for hydration" on a water bottle) or writes gibberish. Each selling point, sentence of the
description and the meta description (or a clip's benefit line) must use at least one word
of the product's own data (name, category, attributes, options, supplier text) or state a
number (which the fact check then verifies). Generic shop words (generic_words.toml) count
neither way, so usage scenes around a product word ("fits a loaf or a roast") stay
allowed. Chinese has no spaces between words, so it is compared by two-character pieces.
Copy in another language than the catalog row relies on the fact check alone.
"""

import re
import tomllib
from functools import cache
from importlib import resources

from tools.copy.facts import CJK, Facts

WORD = re.compile(r"[a-z]{4,}")
CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
NAME_FILLERS = frozenset("的一二三四五六七八九十个只件套装款式型号大中小新带与和及")  # name characters that name nothing


@cache
def _generic() -> dict[str, str]:
    return tomllib.loads(resources.files("tools.copy").joinpath("generic_words.toml").read_text(encoding="utf-8"))


@cache
def generic_words() -> frozenset[str]:
    return frozenset(_generic()["en"].split())


@cache
def _generic_zh() -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, _generic()["zh"].split()), key=len, reverse=True)))


def zh_pieces(text: str) -> set[str]:
    """The two-character pieces of Chinese text once its generic words are taken out."""
    return pairs(_generic_zh().sub(" ", text))


def pairs(text: str) -> set[str]:
    """Chinese text as its overlapping two-character pieces (it has no spaces between words)."""
    return {run[i:i + 2] for run in CJK_RUN.findall(text) for i in range(len(run) - 1)}


def sentences(text: str, clauses: bool = False) -> list[str]:
    """The sentences of a text; with `clauses`, down to its comma-separated clauses (a
    Chinese sentence is often one long chain of them)."""
    ends = r"[.!?。！？；;，,、]" if clauses else r"[.!?。！？；;]"
    return [part.strip() for part in re.split(rf"(?<={ends})\s*", text) if part.strip(" ，,、")]


def words(text: str) -> list[str]:
    """The words that carry meaning: four letters or more, lower case ('all-day' is two)."""
    return WORD.findall(text.lower())


NAME_STOPWORDS = {"and", "with", "for", "the", "of", "in", "set", "pack", "new"}


def name_words(text: str) -> set[str]:
    """The words that say what a thing is: 3+ letters, no stop words, plural 's' dropped."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text) if not CJK.match(w)}
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words} - NAME_STOPWORDS


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
    chinese_row = len(CJK.findall(own)) * 2 > len(re.findall(r"[A-Za-z]", own))
    if (language == "en") == chinese_row:
        return []  # copy in the other language than the row: no words to compare with
    if language == "en":
        product = frozenset(words(source)) - generic_words()

        def pieces(line: str) -> list[str]:
            return [w for w in words(line) if w not in generic_words()]
    else:
        # Pieces of the row, and the single characters of the product's name: a line that
        # names the thing ("瓶身" for a 水瓶) is about it even without a shared pair.
        product = frozenset(zh_pieces(source)) | (frozenset(CJK.findall(facts.name)) - NAME_FILLERS)

        def pieces(line: str) -> list[str]:
            found = zh_pieces(line)
            return sorted(found | set(CJK.findall(line)) if found else found)
    astray = []
    for line in lines:
        found = pieces(line)
        if len(found) >= 2 and not re.search(r"\d", line) and not any(_known(w, product) for w in found):
            astray.append(line)
    return astray
