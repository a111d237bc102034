"""The copy's draft schema (sized per platform and language) and the check a draft must pass:
platform limits in characters and bytes, banned claims, language, prices, catalog facts."""

import html
import re
from functools import cache
from typing import Annotated, Any

import nh3
from pydantic import BaseModel, Field, StringConstraints, create_model

from store_data.csv_rows import FORMULA_STARTS
from tools.copy.facts import CJK, Facts, banned_pattern, money_mentions, unsupported
from tools.copy.grounding import name_words, pairs, sentences, ungrounded
from tools.copy.lint import copy_lint
from tools.copy.profiles import Profile, byte_count, char_count
from tools.copy.scam import scam_problems


class CopyDraft(BaseModel):
    """The words of a listing, as the model writes them (or the template builds them)."""

    title: str
    selling_points: list[str]
    description: str  # plain paragraphs; simple HTML is allowed and sanitised
    tags: list[str]
    meta_description: str


def _list_of(item: Any) -> Any:
    """list[item] for an item type made at run time (a type checker reads `list[...]` as an
    annotation, which a call inside cannot be)."""
    return list[item]


def _text(min_chars: int, max_chars: int, digits: bool = True):
    """A one-line string of bounded length. The pattern is what llama.cpp turns into a grammar
    (it ignores maxLength when a pattern is given); it also keeps raw control characters,
    which strict JSON refuses, out of a grammar-constrained answer."""
    # Only 0-9 are kept out: every character added to the class slows the grammar (measured
    # with NUMBER_SIGNS as well: 40-46 instead of 61 tokens/s); empty_items() names the rest.
    excluded = r'\x00-\x1f"\\' + ("" if digits else "0-9")
    return Annotated[str, StringConstraints(min_length=min_chars, max_length=max_chars,
                                            pattern=rf"^[^{excluded}]{{{min_chars},{max_chars}}}$")]


@cache
def draft_schema(profile: Profile, language: str, prose_digits: bool = True) -> type[CopyDraft]:
    """CopyDraft with this platform's and language's bounds, so a grammar-constrained model
    cannot overrun them and a schema-less one is told exactly what was too long.

    With `prose_digits=False` only the title may hold digits: the grammar for a small local
    model, whose commonest failure is inventing numbers (the listing's attribute table,
    made by code, states the real ones)."""
    gen = profile.gen(language)
    point_max = min(profile.point_max_chars, gen.point_max_chars)
    tag_max = min(profile.tag_max_chars, gen.tag_max_chars)
    d = prose_digits
    return create_model(
        f"CopyDraft_{profile.name}_{language.replace('-', '_')}{'' if d else '_nodigits'}", __base__=CopyDraft,
        title=(_text(4, profile.title_limit(language)), ...),
        selling_points=(_list_of(_text(4, point_max, d)), Field(min_length=profile.points_min, max_length=profile.points_max)),
        description=(_text(20, gen.description_max_chars, d), ...),
        tags=(_list_of(_text(1, tag_max, d)), Field(min_length=1, max_length=min(profile.tags_max, gen.tags_max))),
        meta_description=(_text(10, min(profile.meta_max_chars, gen.meta_max_chars), d), ...),
    )


def visible_text(markup: str) -> str:
    """What a buyer reads of an HTML (or plain) description."""
    return html.unescape(nh3.clean(markup or "", tags=set())).strip()


def copy_text(draft: CopyDraft) -> str:
    return "\n".join([draft.title, *draft.selling_points, visible_text(draft.description),
                      *draft.tags, draft.meta_description])


def limit_problems(draft: CopyDraft, profile: Profile) -> list[str]:
    """Platform limits, counted the platform's way (characters; bytes where it counts bytes)."""
    problems = []
    title = draft.title.strip()
    if title.startswith(tuple(FORMULA_STARTS)):
        problems.append("the title may not start with '=', '+', '-' or '@' (spreadsheets read it as a formula)")
    if char_count(title) > profile.title_max_chars:
        problems.append(f"the title has {char_count(title)} characters; {profile.name} allows {profile.title_max_chars}")
    if profile.title_max_bytes is not None and byte_count(title, profile.byte_encoding) > profile.title_max_bytes:
        problems.append(f"the title is {byte_count(title, profile.byte_encoding)} bytes; {profile.name} allows "
                        f"{profile.title_max_bytes} (a Chinese character counts 2)")
    if not profile.points_min <= len(draft.selling_points) <= profile.points_max:
        problems.append(f"give {profile.points_min}-{profile.points_max} selling points, not {len(draft.selling_points)}")
    problems += [f"selling point {i} has {char_count(p)} characters; the limit is {profile.point_max_chars}"
                 for i, p in enumerate(draft.selling_points, 1) if char_count(p) > profile.point_max_chars]
    if char_count(draft.meta_description) > profile.meta_max_chars:
        problems.append(f"the meta description has {char_count(draft.meta_description)} characters; "
                        f"the limit is {profile.meta_max_chars}")
    if len(draft.tags) > profile.tags_max:
        problems.append(f"give at most {profile.tags_max} tags, not {len(draft.tags)}")
    problems += [f"tag '{t}' has {char_count(t)} characters; the limit is {profile.tag_max_chars}"
                 for t in draft.tags if char_count(t) > profile.tag_max_chars]
    total = ",".join(draft.tags)
    if profile.tags_max_chars_total is not None and char_count(total) > profile.tags_max_chars_total:
        problems.append(f"the tags have {char_count(total)} characters in all; the limit is {profile.tags_max_chars_total}")
    if profile.tags_max_bytes_total is not None and byte_count(total, profile.byte_encoding) > profile.tags_max_bytes_total:
        problems.append(f"the tags are {byte_count(total, profile.byte_encoding)} bytes in all; "
                        f"the limit is {profile.tags_max_bytes_total}")
    return problems


# Numbers written without ASCII digits (superscripts, fractions, full-width digits): a model
# whose grammar keeps out 0-9 reaches for these, and the fact check reads only plain numbers.
NUMBER_SIGNS = "²³¹¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞⁰⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉０１２３４５６７８９"


def empty_items(draft: CopyDraft, facts: Facts, language: str) -> list[str]:
    """Selling points that say nothing: no word of three letters (en), no two Chinese
    characters (zh-CN); and numbers not written with plain digits (unless the catalog does:
    'g/m²')."""
    def says_something(text: str) -> bool:
        return (len(CJK.findall(text)) >= 2 if language == "zh-CN"
                else re.search(r"[^\W\d_]{3,}", text) is not None)

    problems = [f"say something in each selling point, not '{item}'"
                for item in draft.selling_points if not says_something(item)][:4]
    odd = sorted(set(re.findall(f"[{NUMBER_SIGNS}]", copy_text(draft))) - set(facts.text()))
    if odd:
        problems.append("write numbers with plain digits, not " + ", ".join(f"'{c}'" for c in odd))
    return problems


def repeats(draft: CopyDraft) -> list[str]:
    """Selling points or tags that say the same thing twice."""
    problems = []
    for what, items in (("selling points", draft.selling_points), ("tags", draft.tags)):
        seen = [" ".join(i.lower().split()) for i in items]
        if len(set(seen)) < len(seen):
            problems.append(f"the {what} repeat each other; make each one different")
    return problems


def banned_claims(text: str, profile: Profile) -> list[str]:
    """The banned terms of the profile found in `text`, each once, as written."""
    found = [m.group(0) for m in banned_pattern(profile.banned_terms).finditer(text)]
    return list(dict.fromkeys(found))


def language_problems(draft: CopyDraft, language: str) -> list[str]:
    title = re.sub(r"[\W\d_]", "", draft.title)
    chinese = len(CJK.findall(title))
    if language == "zh-CN" and chinese == 0:
        return ["write in Simplified Chinese: the title has no Chinese characters"]
    if language == "en" and title and chinese * 2 > len(title):
        return ["write in English: the title is mostly Chinese"]
    return []


def title_problems(draft: CopyDraft, facts: Facts, language: str, shop: str = "") -> list[str]:
    """A title must say what the product is: a word of its name or category (en), or two
    Chinese characters in a row from them (zh-CN), besides the shop's name. Small models
    write slogans, or the shop's name, instead."""
    source = f"{facts.name} {facts.category}"
    title = draft.title.replace(shop, " ") if shop else draft.title
    if language == "zh-CN":
        known = pairs(source)
        if not known or any(pair in title for pair in known):
            return []
    else:
        known = name_words(source)
        if not known or known & (name_words(title) - name_words(shop)):
            return []
    return [f"the title must say what the product is; use words from its name: '{facts.name}'"]


def copy_problems(draft: CopyDraft, facts: Facts, profile: Profile, language: str, shop: str = "",
                  supplier_text: str = "") -> list[str]:
    """Everything wrong with a draft, as short sentences a model can act on; [] accepts it.
    `supplier_text` adds words the copy may use, never facts."""
    text = copy_text(draft)
    problems = limit_problems(draft, profile) + language_problems(draft, language) + repeats(draft)
    problems += title_problems(draft, facts, language, shop) + empty_items(draft, facts, language)
    problems += copy_lint(draft.title, draft.selling_points, visible_text(draft.description), draft.tags,
                          draft.meta_description, facts, language, shop, supplier_text)
    zh = language == "zh-CN"
    lines = [*draft.selling_points, *sentences(visible_text(draft.description), clauses=zh),
             *sentences(draft.meta_description, clauses=zh)]
    return problems + claim_problems(text, lines, facts, profile, language, supplier_text,
                                     prices_because="the platform shows them", astray_lead="write only about this product")


def claim_problems(text: str, lines: list[str], facts: Facts, profile: Profile, language: str, supplier_text: str,
                   prices_because: str, astray_lead: str) -> list[str]:
    """What a text claims that it may not: banned terms, prices, contact details, brands or
    replica words the catalog does not state, facts it does not state, and `lines` about
    something else than the product. Listing copy and clip scripts
    share it; each says why prices are left out and what its lines are."""
    problems = []
    banned = banned_claims(text, profile)
    if banned:
        problems.append("remove these absolute, superlative or medical claims: " + ", ".join(f"'{b}'" for b in banned))
    prices = money_mentions(text)
    if prices:
        problems.append(f"do not state prices ({prices_because}): " + ", ".join(f"'{p}'" for p in prices))
    problems += scam_problems(text, facts)
    invented = unsupported(text, facts)
    if invented:
        problems.append("not in the catalog facts, remove: " + ", ".join(invented[:8]))
    astray = ungrounded(lines, facts, supplier_text, language)
    if astray:
        problems.append(f"{astray_lead} (its name, materials, features); not: " + ", ".join(f"'{line}'" for line in astray[:3]))
    return problems
