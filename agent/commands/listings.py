"""`shopagent listings draft SKU|--all [--lang] [--platform]` and `shopagent listings list`."""

from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session, col, select

from agent.commands.common import JsonOption, WorkdirOption, console, each_sku, print_json, table
from agent.errors import UserError
from agent.llm import make_llm
from agent.workspace import load_settings, open_workspace
from store_data.shop import Listing, Product, Variant
from tools.copy import write_listing_copy
from tools.copy.profiles import get_profile, load_profiles, normalise_language

app = typer.Typer(help="Listing copy: draft it from the catalog facts, list it.", no_args_is_help=True)


def _first_skus(session: Session) -> dict[str, str]:
    """Product handle -> its first SKU, in catalog order: one listing per product."""
    rows = session.exec(select(Product.handle, Variant.sku).join(Variant, col(Variant.product_id) == Product.id)
                        .order_by(col(Product.id), col(Variant.id))).all()
    first: dict[str, str] = {}
    for handle, sku in rows:
        first.setdefault(handle, sku)
    return first


@app.command("draft")
def draft(
    sku: Annotated[str | None, typer.Argument(help="A SKU; its product gets the listing.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every product of the catalog.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="en or zh-CN (default: the shop's locale).")] = None,
    platform: Annotated[str | None, typer.Option("--platform", "-p", help="sandbox, taobao, shopify, amazon, oscar (default: the shop's platform).")] = None,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write listing copy from the catalog facts: title, selling points, description, tags,
    attribute table and SEO meta, within the platform's rules. Unchanged inputs reuse the
    earlier copy without asking the model again."""
    if bool(sku) == all_:
        raise UserError("give one SKU, or --all for the whole catalog (see: shopagent catalog list)")
    if lang is not None and normalise_language(lang) is None:
        raise UserError(f"unknown language '{lang}'; use --lang en or --lang zh-CN")
    if platform is not None and get_profile(platform) is None:
        raise UserError(f"unknown platform '{platform}'; use one of: {', '.join(sorted(load_profiles()))}")
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        first = _first_skus(session)
        known = session.exec(select(Variant.sku).where(Variant.sku == sku)).first() if sku else None
    if not first:
        raise UserError("the catalog is empty; import one with: shopagent catalog import FILE")
    if sku and known is None:
        raise UserError(f"unknown SKU '{sku}'; see the SKUs with: shopagent catalog list")
    skus = list(first.values()) if all_ or sku is None else [sku]
    deps = workspace.tool_deps(llm=make_llm(workspace.settings))
    results = each_sku(skus, "Listing copy", lambda current: write_listing_copy(deps, current, lang, platform), as_json)
    if as_json:
        print_json(results)
        return
    console.print(table(
        f"{len(results)} listing(s) drafted", ["sku", "platform", "lang", "made by", "title", "calls", "tokens"],
        [[r["sku"], r["marketplace"], r["language"], r["made_by"] + (" (cached)" if r["cached"] else ""),
          escape(r["title"]), r["model_calls"], r["tokens"]] for r in results]))
    for r in results:
        for finding in r["findings"]:
            console.print(f"{r['sku']}: {escape(finding)}", highlight=False)


@app.command("list")
def list_(workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """List the listings with their copy, status and the path that made the copy."""
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        rows = session.exec(select(Listing, Product.handle).join(Product, col(Product.id) == Listing.product_id)
                            .order_by(col(Product.id), col(Listing.marketplace))).all()
    if as_json:
        print_json([{"product": handle, **listing.model_dump(mode="json")} for listing, handle in rows])
        return
    if not rows:
        console.print("No listings yet. Draft them with: shopagent listings draft --all")
        return
    console.print(table(
        f"Listings ({len(rows)})", ["product", "platform", "lang", "status", "made by", "title", "findings"],
        [[handle, listing.marketplace, listing.language, listing.status, listing.made_by, escape(listing.title),
          len(listing.check_findings)] for listing, handle in rows]))
