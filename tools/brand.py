"""The brand concept: name, slogan, colours, tone and story from the owner's brief.

The model writes the words; code checks them (length, colours, no absolute claims) and
falls back to a concept built from the brief. Policies (returns, shipping) are numbers
from settings, never from the model.
"""

import hashlib
import re

from pydantic import BaseModel, Field
from sqlmodel import Session, select

import prompts
from store_data.shop import Product, Shop
from tools.deps import ToolDeps
from tools.llm import ask_structured
from tools.settings import ToolSettings

HEX = r"^#[0-9A-Fa-f]{6}$"
ABSOLUTE_CLAIMS = re.compile(r"\b(best|#1|no\.?\s?1|number one|guaranteed|cheapest)\b|最|第一|顶级|极品|绝对|国家级", re.I)
PALETTES = [
    ["#2F4858", "#F6AE2D", "#F5F1E8"], ["#3D5A40", "#D9A441", "#F4F1EA"], ["#5B3A29", "#E07A5F", "#F8F3EC"],
    ["#1D3557", "#E63946", "#F1FAEE"], ["#4A4E69", "#C9ADA7", "#F2E9E4"], ["#264653", "#2A9D8F", "#E9F5F2"],
]
STOP_WORDS = {"a", "an", "the", "for", "and", "of", "with", "to", "in", "on", "shop", "store", "our", "my"}


class BrandConcept(BaseModel):
    name: str = Field(min_length=2, max_length=40)
    slogan: str = Field(min_length=2, max_length=90)
    colors: list[str] = Field(min_length=3, max_length=3)
    tone: str = Field(max_length=60)
    story: str = Field(max_length=400)


def _problems(concept: BrandConcept) -> list[str]:
    problems = [f"colour '{c}' is not #RRGGBB" for c in concept.colors if not re.match(HEX, c)]
    for field in ("name", "slogan", "story"):
        claim = ABSOLUTE_CLAIMS.search(getattr(concept, field))
        if claim:
            problems.append(f"{field} uses the absolute claim '{claim.group(0)}', which advertising rules forbid")
    return problems


def fallback_concept(brief: str, language: str) -> BrandConcept:
    """A plain, deterministic concept from the brief's own words."""
    words = [w for w in re.findall(r"[A-Za-z]+", brief) if w.lower() not in STOP_WORDS]
    digest = int(hashlib.sha256(brief.encode()).hexdigest(), 16)
    if language.startswith("zh"):
        core = re.sub(r"[\s，。,.!！]", "", brief)[:4] or "好物"
        return BrandConcept(name=f"{core}小铺", slogan=f"{brief.strip()[:40]}", colors=PALETTES[digest % len(PALETTES)],
                            tone="亲切、实在、简洁", story=f"{core}小铺：{brief.strip()[:120]}")
    name = " ".join(w.capitalize() for w in words[:2]) or "Corner Goods"
    return BrandConcept(name=f"{name} Co.", slogan=brief.strip().rstrip(".")[:80].capitalize() + ".",
                        colors=PALETTES[digest % len(PALETTES)], tone="warm, plain, practical",
                        story=f"{name} Co. offers {brief.strip().rstrip('.')[:200]}.")


def shop_policies(settings: ToolSettings) -> dict:
    """The shop's policies, from settings: the numbers the order tools enforce."""
    return {
        "return_days": settings.return_days,
        "ship_within_days": settings.ship_within_days,
        "refund_to": "original payment method",
    }


def create_brand(deps: ToolDeps, brief: str) -> dict:
    """Create or refresh the shop's brand from the owner's brief: name, slogan, three colours,
    tone, a short story, and the shop's policies. Returns the brand and which path made it."""
    language = deps.settings.locale
    with Session(deps.engine) as session:
        categories = sorted({c for c in session.exec(select(Product.category)) if c})[:20]
    text = prompts.render("brand", brief=prompts.fence(brief, "brief"),
                          categories=", ".join(categories) or "general goods", language=language)
    result = ask_structured(deps.llm, "You name shops and answer only with JSON.", text, BrandConcept,
                            fallback=lambda: fallback_concept(brief, language), check=_problems)
    concept = result.value
    with Session(deps.engine) as session:
        shop = session.exec(select(Shop)).first() or Shop(name=concept.name)
        shop.name, shop.slogan, shop.colors, shop.tone = concept.name, concept.slogan, concept.colors, concept.tone
        shop.brief = brief
        shop.policies = {**shop_policies(deps.settings), "story": concept.story}
        shop.currency, shop.locale = deps.settings.currency, language
        session.add(shop)
        session.commit()
    return {"brand": concept.model_dump(), "made_by": result.made_by, "problems": result.problems}
