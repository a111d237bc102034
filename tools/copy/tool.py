"""`write_listing_copy`: the listing's words for one product on one marketplace.

facts from the catalog -> prompt (brand voice, fenced supplier text) -> model answer ->
schema + platform rules + fact check -> one repair -> else the template (straight away
while the model's recent drafts have all failed). The result is
kept per input hash in <workdir>/cache/listing_copy/, so the same inputs never cost a
second model call, and saved on the Listing row with the path that made it.
"""

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from sqlmodel import Session, select

import prompts
from store_data.clock import utcnow
from store_data.shop import Listing, Product, Shop, Variant
from store_data.rows import row_id, stored
from tools.copy.attributes import known_attributes
from tools.copy.check import CopyDraft, copy_problems, draft_schema
from tools.copy.facts import Facts
from tools.copy.markup import description_html
from tools.copy.profiles import Profile, get_profile, load_profiles, normalise_language
from tools.copy.template import attribute_table, fit, template_copy
from tools.copy.titles import unique_title
from tools.deps import ToolDeps
from tools.errors import ToolRetry
from tools.llm import NOT_ASKED, ask_structured
from tools.order_policy import marketplace as shop_marketplace
from tools.settings import ToolSettings

RECIPE = "listing-copy/4"  # bump when the check or the template changes what a draft may be
LANGUAGE_NAMES = {"en": "English", "zh-CN": "Simplified Chinese (简体中文)"}
SUPPLIER_TEXT_CHARS = {"en": 160, "zh-CN": 60}  # enough for context, cheap in tokens
TOKEN_BUDGET = 1500  # model tokens per listing, both calls together
# How the prompt names the platform; a sandbox or self-hosted shop is just "an online shop"
# (a small model given "sandbox" writes titles about sandboxes).
PLATFORM_NAMES = {"taobao": "Taobao", "shopify": "Shopify", "amazon": "Amazon"}


def facts_of(product: Product, variants: list[Variant], settings: ToolSettings, language: str) -> Facts:
    """The catalog row's facts (its known attribute keys only) plus the shop's policy numbers,
    in the listing's language."""
    options: dict[str, list[str]] = {}
    for variant in variants:
        for key, value in variant.options.items():
            if value not in options.setdefault(key, []):
                options[key].append(value)
    policies = {}
    if settings.return_days:
        policies["退货" if language == "zh-CN" else "returns"] = (
            f"签收后{settings.return_days}天内" if language == "zh-CN" else f"within {settings.return_days} days of delivery")
    policies["发货" if language == "zh-CN" else "dispatch"] = (
        f"{settings.ship_within_days}天内" if language == "zh-CN" else f"within {settings.ship_within_days} days")
    return Facts(name=product.name, category=product.category, attributes=known_attributes(product.attributes),
                 options=options, policies=policies)


def _prompts(shop: Shop | None, product: Product, facts: Facts, profile: Profile, language: str) -> tuple[str, str]:
    system = prompts.render(
        "listing_copy_system", shop=shop.name if shop else "our shop", tone=(shop.tone if shop else "") or "plain and warm",
        brief=(shop.brief if shop else "") or "everyday goods", language=LANGUAGE_NAMES[language])
    supplier = product.description.strip()[:SUPPLIER_TEXT_CHARS[language]] or "(none)"
    user = prompts.render(
        "listing_copy", product=product.name, category=product.category or "-", facts="\n".join(facts.product_lines()) or "-",
        supplier_text=prompts.fence(supplier, "supplier"), platform=PLATFORM_NAMES.get(profile.name, "an online shop"),
        title_max=profile.title_limit(language), language=LANGUAGE_NAMES[language],
        points=str(profile.points_min) if profile.points_min == profile.points_max
        else f"{profile.points_min}-{profile.points_max}")
    return system, user


def _key(deps: ToolDeps, system: str, user: str, facts: Facts, profile: Profile, language: str) -> str:
    """A hash of everything the copy depends on, the model included."""
    model = "none" if deps.llm is None else f"{deps.settings.llm_provider}:{deps.settings.llm_model or ''}"
    payload = {"recipe": RECIPE, "system": system, "user": user, "facts": facts.key, "language": language,
               "profile": {k: v for k, v in asdict(profile).items() if k != "generation"},
               "generation": asdict(profile.gen(language)), "model": model}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _cache_path(workdir: Path, key: str) -> Path:
    return workdir / "cache" / "listing_copy" / f"{key}.json"


def _save(path: Path, entry: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(entry, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half an entry


def _generate(deps: ToolDeps, system: str, user: str, facts: Facts, profile: Profile, language: str,
              shop_name: str, supplier_text: str) -> dict:
    """Ask the model (at most twice, within TOKEN_BUDGET); the template when the answers fail the check."""
    llm = deps.llm
    calls, tokens = (llm.calls, llm.tokens) if llm else (0, 0)

    def check(draft: CopyDraft) -> list[str]:
        return copy_problems(draft, facts, profile, language, shop_name, supplier_text)

    def template() -> CopyDraft:
        return template_copy(facts, profile, language, shop_name)

    # skip_failing_model: once the model's drafts for several listings in a row have all
    # been rejected, later listings go straight to the template (the model is tried again
    # every few listings): a model that cannot write this catalog's copy costs no time.
    result = ask_structured(llm, system, user, draft_schema(profile, language), fallback=template, check=check,
                            token_budget=TOKEN_BUDGET, grammar=draft_schema(profile, language, prose_digits=False),
                            skip_failing_model=deps.settings.llm_skip_failing)
    value, problems = result.value, result.problems
    made_by = "template" if result.made_by == "fallback" else result.made_by
    draft = CopyDraft.model_validate(value.model_dump())
    findings = [p if p.startswith(NOT_ASKED) else f"rejected answer: {p}"
                for p in problems if p != "no model configured"]
    if made_by == "template":
        findings += [f"template: {p}" for p in copy_problems(draft, facts, profile, language)]
    return {"made_by": made_by, "draft": draft.model_dump(), "findings": findings,
            "calls": (llm.calls - calls) if llm else 0, "tokens": (llm.tokens - tokens) if llm else 0}


def write_listing_copy(deps: ToolDeps, sku: str, language: str | None = None, platform: str | None = None) -> dict:
    """Write the listing copy for the SKU's product: title, 3-5 selling points, HTML description,
    search tags, attribute table and SEO meta, in English (en) or Chinese (zh-CN; default: the
    shop's locale), within the platform's rules (default: the shop's marketplace) and stating
    only catalog facts. Saves it as the product's listing draft; publishing is a separate step."""
    language = normalise_language(language or deps.settings.locale)
    if language is None:
        raise ToolRetry("language must be 'en' or 'zh-CN'")
    marketplace = (platform or shop_marketplace(deps)).strip().lower()
    profile = get_profile(marketplace)
    if profile is None:
        raise ToolRetry(f"unknown platform '{platform}'; known: {', '.join(sorted(load_profiles()))}")
    with Session(deps.engine, expire_on_commit=False) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
        if variant is None:
            raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
        product = stored(session, Product, variant.product_id)
        variants = list(session.exec(select(Variant).where(Variant.product_id == product.id).order_by(Variant.sku)))
        shop = session.exec(select(Shop)).first()
    facts = facts_of(product, variants, deps.settings, language)
    system, user = _prompts(shop, product, facts, profile, language)
    key = _key(deps, system, user, facts, profile, language)
    path = _cache_path(deps.workdir, key)
    cached = path.is_file()
    # The model is asked with no database transaction open: a slow model never holds the shop's records.
    entry = (json.loads(path.read_text(encoding="utf-8")) if cached
             else _generate(deps, system, user, facts, profile, language, shop.name if shop else "", product.description))
    if not cached and not any(f.startswith(NOT_ASKED) for f in entry["findings"]):
        _save(path, entry)  # a draft made without asking the model is not kept: next time it may be asked
    draft = CopyDraft.model_validate(entry["draft"])
    table = attribute_table(facts, language)
    with Session(deps.engine) as session:
        listing = session.exec(select(Listing).where(Listing.product_id == product.id,
                                                     Listing.marketplace == marketplace)).first()
        listing = listing or Listing(product_id=row_id(product), marketplace=marketplace)
        title = unique_title(session, product, draft.title, facts, profile, language)
        listing.title, listing.selling_points, listing.tags = title, draft.selling_points, draft.tags
        listing.description_html = description_html(draft.selling_points, draft.description, table, language)
        listing.attributes_table, listing.language, listing.made_by = table, language, entry["made_by"]
        listing.seo = {"title": fit(title, 70), "description": draft.meta_description}
        listing.check_findings, listing.copy_key, listing.updated_at = entry["findings"], key, utcnow()
        session.add(listing)
        session.commit()
    return {"sku": sku, "product": product.handle, "marketplace": marketplace, "language": language,
            "title": title, "selling_points": draft.selling_points, "tags": draft.tags, "made_by": entry["made_by"],
            "findings": entry["findings"], "cached": cached,
            "model_calls": 0 if cached else entry["calls"], "tokens": 0 if cached else entry["tokens"]}
