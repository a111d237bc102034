"""The clip's spoken script: hook, two or three benefits, the price line, a call to action.

The model writes the hook, benefits and call to action; the price line is built by code
from the shop's price (money is never the model's to state). The model's words pass the
listing copy's fact check (tools/copy/facts.py: numbers, units, materials, origins and
claims must trace to the catalog row), its banned-claims list, a length bound that keeps
the voice at 15-30 s, and a language check; else one repair, else the template.
"""

from pydantic import BaseModel, Field

import prompts
from tools.copy.check import claim_problems
from tools.copy.facts import CJK, Facts, banned_pattern
from tools.copy.profiles import Profile
from tools.copy.prose import Writer
from tools.copy.template import label, translate
from tools.llm import LLM, Structured, ask_structured

LANGUAGE_NAMES = {"en": "English", "zh-CN": "Simplified Chinese (简体中文)"}
# What fits 15-30 s of speech with the price line added: words (en) or characters (zh-CN).
LENGTH = {"en": (25, 70), "zh-CN": (40, 110)}
LENGTH_HINT = {"en": "All together 25-70 words.", "zh-CN": "合计40-110个汉字。"}
# Benefit words (en) or characters (zh-CN) that, with the template's hook, price line and
# call to action, make about 15 s of speech.
TEMPLATE_BENEFITS_LENGTH = {"en": 16, "zh-CN": 30}
# The colour shows in the clip's product shots; a spoken "In green." says nothing more.
SEEN_ON_SCREEN = ("colour", "color", "颜色")
SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£", "JPY": "¥"}
SPOKEN_UNITS_ZH = {"USD": "美元", "CNY": "元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元"}


class ClipScript(BaseModel):
    """The words the presenter says, apart from the price line."""

    hook: str = Field(min_length=3, max_length=160)
    benefits: list[str] = Field(min_length=2, max_length=3)
    call_to_action: str = Field(min_length=3, max_length=120)


def price_text(cents: int, currency: str) -> str:
    """The price as the badge shows it: '$24.99', '¥99.00', 'CHF 12.50'."""
    amount = f"{cents / 100:,.2f}"
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{currency.upper()} {amount}"


def offer_line(cents: int | None, currency: str, language: str, shop: str) -> str:
    """The spoken price line, made from the shop's price."""
    if cents is None:
        return f"现在就可以在{shop}下单。" if language == "zh-CN" else f"It is available now at {shop}."
    if language == "zh-CN":
        return f"现在只要{cents / 100:.2f}{SPOKEN_UNITS_ZH.get(currency.upper(), currency.upper())}。"
    return f"Now just {price_text(cents, currency)}."


def lines_of(script: ClipScript, offer: str) -> list[str]:
    """The script in speaking order."""
    return [script.hook, *script.benefits, offer, script.call_to_action]


def _length(text: str, language: str) -> int:
    return len(CJK.findall(text)) if language == "zh-CN" else len(text.split())


def script_problems(script: ClipScript, facts: Facts, profile: Profile, language: str, supplier_text: str = "") -> list[str]:
    """What is wrong with a script, as short sentences a model can act on; [] accepts it."""
    text = "\n".join([script.hook, *script.benefits, script.call_to_action])
    problems = []
    low, high = LENGTH[language]
    size = _length(text, language)
    if not low <= size <= high:
        unit = "Chinese characters" if language == "zh-CN" else "words"
        problems.append(f"the script has {size} {unit}; write {low}-{high} so it lasts 15-30 seconds")
    chinese = len(CJK.findall(text))
    if language == "zh-CN" and chinese * 2 < len(text.replace(" ", "")):
        problems.append("write in Simplified Chinese")
    if language == "en" and chinese:
        problems.append("write in English, without Chinese characters")
    return problems + claim_problems(text, script.benefits, facts, profile, language, supplier_text,
                                     prices_because="a price line is added", astray_lead="each benefit must be about this product")


def template_script(facts: Facts, language: str, profile: Profile | None = None) -> ClipScript:
    """A script built by rules from the facts alone: a short spoken pitch from the listing's
    highlights (a benefit with its fact), not the spec table; always passes the fact check."""
    zh = language == "zh-CN"
    banned = banned_pattern(profile.banned_terms) if profile else None

    def clean(value: str) -> str:
        value = translate(value, language)
        return " ".join(banned.sub("", value).split()).strip(" ,，") if banned else value
    end = "。" if zh else "."
    spoken = [line + end for line in Writer(facts, language, clean).highlights(
        90 if not zh else 30, 3, leave_out=SEEN_ON_SCREEN)]
    spoken += [f"{label(k, language)}{'：' if zh else ': '}{clean(v)}{end}" for k, v in facts.attributes.items()
               if clean(v).strip() and k not in SEEN_ON_SCREEN]
    # Two benefits always; a third only while the script is still short of ~15 s of speech
    # (each extra second is a second of video to render and of the buyer's attention).
    benefits: list[str] = []
    for line in spoken:
        if len(benefits) >= 3 or (len(benefits) >= 2 and _length("".join(benefits), language) >= TEMPLATE_BENEFITS_LENGTH[language]):
            break
        if line not in benefits:
            benefits.append(line)
    while len(benefits) < 2:
        benefits.append("简单好用，天天都用得上。" if zh else "Simple to use, every single day.")
    kind = facts.category.split(">")[-1].strip() or ("好物" if zh else "everyday essential")
    if zh:
        return ClipScript(hook=f"想找一款好用的{kind}？来看看{facts.name}。", benefits=benefits,
                          call_to_action="喜欢就点击下方，立即购买吧！")
    return ClipScript(hook=f"New in {kind.lower()}: meet the {facts.name}.", benefits=benefits,
                      call_to_action="Tap buy now and make it yours today!")


def write_script(llm: LLM | None, facts: Facts, profile: Profile, language: str, shop: str, tone: str,
                 supplier_text: str) -> Structured[ClipScript]:
    """The checked script from the model, repaired once, else the template."""
    system = prompts.render("clip_script_system", shop=shop, tone=tone or "friendly and plain",
                            language=LANGUAGE_NAMES[language])
    user = prompts.render("clip_script", product=facts.name, category=facts.category or "-",
                          facts="\n".join(facts.lines()) or "-", supplier_text=prompts.fence(supplier_text or "(none)", "supplier"),
                          language=LANGUAGE_NAMES[language], length=LENGTH_HINT[language])
    return ask_structured(llm, system, user, ClipScript, fallback=lambda: template_script(facts, language, profile),
                          check=lambda script: script_problems(script, facts, profile, language, supplier_text))
