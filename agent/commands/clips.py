"""`shopagent clips make SKU|--all`: avatar promo clips, made offline."""

from typing import Annotated

import typer
from rich.markup import escape

from agent.commands.common import JsonOption, WorkdirOption, console, each_sku, print_json, table
from agent.errors import UserError
from agent.operator import operator
from agent.workspace import load_settings, open_workspace
from sqlmodel import col, select

from store_data.catalog import catalog_rows
from store_data.db import session_scope
from store_data.shop import Product
from tools.clips import make_promo_clip
from tools.listings import variant_looks
from tools.errors import ToolFailed, ToolRetry

app = typer.Typer(help="Promo clips: a presenter pitches each product in a vertical video.", no_args_is_help=True)


@app.command("make")
def make(
    sku: Annotated[str | None, typer.Argument(help="The SKU whose product gets a clip.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="One clip per product of the catalog, and one per variant that looks different.")] = False,
    language: Annotated[str | None, typer.Option("--language", "-l", help="en or zh-CN (default: the shop's locale).")] = None,
    template: Annotated[bool, typer.Option("--template", help="Write the script from the facts by rule, without the model.")] = False,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make 1080x1920 promo clips (MP4 with subtitles file and thumbnail) under assets/clips/:
    a fact-checked script, an offline voice, the presenter set by clip_presenter, product
    shots, price and a visible AI-generated mark."""
    if bool(sku) == all_:
        raise UserError("give one SKU, or --all for the whole catalog (see: shopagent catalog list)")
    workspace = open_workspace(load_settings(workdir))
    with session_scope(workspace.engine) as session:
        rows = catalog_rows(session)
        # A clip per look: each colourway (a photo of its own) gets its own; sizes share one.
        looks = [look[0].sku for product_id in session.exec(select(Product.id).order_by(col(Product.id)))
                 for look in variant_looks(session, product_id)]
    if not rows:
        raise UserError("the catalog is empty; import one with: shopagent catalog import FILE")
    known = [row["sku"] for row in rows]
    if sku and sku not in known:
        raise UserError(f"unknown SKU '{sku}'; see the SKUs with: shopagent catalog list")
    if all_:
        skus = looks
    else:
        assert sku, "checked above: one SKU unless --all"
        skus = [sku]
    with operator(workspace) as op:
        deps = workspace.tool_deps(driver=op.driver, llm=None if template else op.llm)
        results = each_sku(skus, "Clip", lambda current: make_promo_clip(deps, current, language), as_json,
                           person_fixes=(ToolRetry, ToolFailed))
    if as_json:
        print_json(results)
        return
    made = sum(r["status"] == "made" for r in results)
    console.print(table(f"{made} clip(s) made, {len(results) - made} already up to date, in {workspace.workdir}",
                        ["sku", "status", "seconds", "voice", "presenter", "script", "upload", "path"],
                        [[r["sku"], r["status"], r["duration_s"], r["voice"], r["presenter"], r["script_made_by"],
                          r["upload"]["status"], r["path"]] for r in results]))
    pending = [r for r in results if r["upload"]["status"] == "pending"]
    if pending:
        console.print(escape(pending[0]["upload"].get("note") or "uploads are pending: the marketplace driver cannot take clips yet"))
