"""`shopagent images make SKU|--all` and `shopagent images brand`."""

from contextlib import nullcontext
from typing import Annotated

import typer

from agent.commands.common import JsonOption, WorkdirOption, console, each_sku, print_json, table
from agent.errors import UserError
from agent.workspace import load_settings, open_workspace
from store_data.catalog import catalog_rows
from store_data.db import session_scope
from tools.errors import ToolRetry
from tools.images import make_brand_images, make_product_images

app = typer.Typer(help="Product pictures, logo and banner.", no_args_is_help=True)


@app.command("make")
def make(
    sku: Annotated[str | None, typer.Argument(help="The SKU whose product gets pictures.", show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every SKU of the catalog.")] = False,
    platform: Annotated[list[str] | None, typer.Option("--platform", "-p", help="Size to make (repeatable): 1:1-800, 1:1-1600, 3:4, 9:16, detail-750; default all.")] = None,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make a product's pictures per platform size from its supplier photo (background
    removed, re-staged); with image_model set, also a lifestyle scene marked as AI-made."""
    if bool(sku) == all_:
        raise UserError("give one SKU, or --all for the whole catalog (see: shopagent catalog list)")
    workspace = open_workspace(load_settings(workdir))
    with session_scope(workspace.engine) as session:
        known = [row["sku"] for row in catalog_rows(session)]
    if not known:
        raise UserError("the catalog is empty; import one with: shopagent catalog import FILE")
    if sku and sku not in known:
        raise UserError(f"unknown SKU '{sku}'; see the SKUs with: shopagent catalog list")
    if all_:
        skus = known
    else:
        assert sku, "checked above: one SKU unless --all"
        skus = [sku]
    deps = workspace.tool_deps()
    results = each_sku(skus, "Pictures", lambda current: make_product_images(deps, current, platform), as_json)
    if as_json:
        print_json(results)
        return
    rows = [[r["sku"], i["kind"], i["platform"], f"{i['width']}x{i['height']}", f"{i['bytes'] // 1024} KB",
             i["status"] + (" (AI)" if i["ai_made"] else ""), i["path"]] for r in results for i in r["images"]]
    made = sum(r["made"] for r in results)
    console.print(table(f"{made} picture(s) made, {len(rows) - made} already up to date, in {workspace.workdir}",
                        ["sku", "kind", "size", "pixels", "file", "status", "path"], rows))
    if not workspace.settings.image_model:
        console.print("No image model configured (image_model): compositor pictures only; "
                      "set image_model to a diffusers folder or model id to add lifestyle scenes.")


@app.command("brand")
def brand(workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Draw the shop's logo and banner from its brand (name, colours, slogan)."""
    workspace = open_workspace(load_settings(workdir))
    with console.status("Drawing the logo and banner", spinner="dots") if not as_json else nullcontext():
        try:
            result = make_brand_images(workspace.tool_deps())
        except ToolRetry as exc:
            raise UserError(str(exc)) from None
    if as_json:
        print_json(result)
        return
    for image in result["images"]:
        console.print(f"{image['kind']}: {image['path']} ({image['width']}x{image['height']}, {image['status']})")

