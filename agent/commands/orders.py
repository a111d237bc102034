"""`shopagent orders import-history|sync|list|show|ship|refund`: the shop's orders.

`import-history` reads past orders from a CSV export (generic or Shopify). `sync`, `ship`
and `refund` act on the marketplace as a run of the `orders` workflow: recorded in the
audit trail, resumable, and under the approval policy (a refund in `risky` mode waits in
`shopagent approvals list`). `list` and `show` read the shop's own records.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from agent.commands.common import JsonOption, WorkdirOption, console, print_json, table
from agent.commands.runs import ApprovalOption, _run
from agent.workflows.orders import goal_for
from agent.errors import UserError
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.money import format_money, to_cents
from store_data.order_history import FORMATS, GENERIC_OPTIONAL, GENERIC_REQUIRED, import_history
from tools import orders as order_tools
from tools.errors import ToolRetry

app = typer.Typer(help="Work with the shop's orders.", no_args_is_help=True)


@app.command("import-history")
def import_history_command(
    file: Annotated[Path, typer.Argument(help="Order history CSV, one row per order line.")],
    format: Annotated[str, typer.Option("--format", help=f"File format: {' or '.join(FORMATS)}.")] = "generic",
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help="Generic format: OURS=THEIRS maps one of our columns to the file's header, e.g. "
                      "--map order_id='Order No'. Repeat for more.", show_default=False)] = None,
    marketplace: Annotated[str | None, typer.Option(
        help="Where the orders were sold (default: shopify for Shopify exports, else history).",
        show_default=False)] = None,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import past orders: good orders are stored once (keyed by marketplace and order id),
    every bad row is reported. Columns of the generic format: required
    order_id, placed_at, sku, quantity, unit_price; optional name, buyer, buyer_name, status,
    currency, refunded, refunded_at.

    Exits with status 1 when any row was rejected (the good orders are still imported).
    """
    settings = load_settings(workdir)
    pairs = _mapping(mapping or [])
    workspace = open_workspace(settings)
    with session_scope(workspace.engine) as session:
        report = import_history(session, file, format=format, mapping=pairs, marketplace=marketplace,
                                timezone=settings.timezone, currency=settings.currency)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(f"{file}: {report.rows} rows read; {report.orders_created} orders imported with "
                      f"{report.lines} lines, {report.orders_skipped} already imported, "
                      f"{report.buyers_created} new buyers, {len(report.errors)} problem(s).")
        if report.errors:
            console.print(table("Rows not imported — fix them in the file and import again",
                                ["row", "column", "problem"], [[e.row, e.column, escape(e.reason)] for e in report.errors]))
    if report.errors:
        raise typer.Exit(1)


def _mapping(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise UserError(f"--map '{item}' is not OURS=THEIRS; e.g. --map order_id='Order No'; our columns: "
                            + ", ".join(GENERIC_REQUIRED + GENERIC_OPTIONAL))
        pairs[ours.strip()] = theirs.strip()
    return pairs


def _order_run(workdir: Path | None, calls: list[dict], approval: str | None, as_json: bool) -> None:
    _run(workdir, "orders", goal_for(calls), approval, as_json)  # exits 1 when the call failed


@app.command("sync")
def sync_command(full: Annotated[bool, typer.Option("--full", help="Read every order, not only recent ones.")] = False,
                 workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Bring new and changed orders in from the marketplace (changes made outside the shop are reported)."""
    _order_run(workdir, [{"tool": "sync_orders", "arguments": {"full": full}, "why": "orders sync"}], None, as_json)


@app.command("ship")
def ship_command(order_id: Annotated[str, typer.Argument(help="The marketplace's order number, e.g. S1000001.")],
                 approval: ApprovalOption = None, workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Ship a paid order with a carrier and tracking number; shipping it twice ships it once."""
    _order_run(workdir, [{"tool": "ship_order", "arguments": {"order_id": order_id}, "why": "orders ship"}],
               approval, as_json)


@app.command("refund")
def refund_command(
    order_id: Annotated[str, typer.Argument(help="The marketplace's order number, e.g. S1000001.")],
    amount: Annotated[str | None, typer.Option(help="Amount to refund, e.g. 12.50 (default: all not yet refunded).")] = None,
    reason: Annotated[str, typer.Option(help="Why, for the records.")] = "",
    approval: ApprovalOption = None, workdir: WorkdirOption = None, as_json: JsonOption = False,
) -> None:
    """Refund an order (never more than was paid); in `risky` mode it waits for your approval."""
    arguments: dict = {"order_id": order_id, "reason": reason}
    if amount is not None:
        try:
            arguments["amount_cents"] = to_cents(amount)
        except ValueError as exc:
            raise UserError(f"--amount: {exc}") from None
    _order_run(workdir, [{"tool": "refund_order", "arguments": arguments, "why": "orders refund"}], approval, as_json)


@app.command("list")
def list_command(status: Annotated[str | None, typer.Option(help="Only orders with this status, e.g. paid.")] = None,
                 limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
                 workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """The shop's orders, newest first (run `shopagent orders sync` to bring new ones in)."""
    workspace = open_workspace(load_settings(workdir))
    try:
        rows = order_tools.list_orders(workspace.tool_deps(), status=status, limit=limit)
    except ToolRetry as exc:
        raise UserError(str(exc)) from None
    if as_json:
        print_json(rows)
        return
    console.print(table(f"Orders ({len(rows)})", ["order", "placed", "status", "total", "refunded", "flag"],
                        [[r["order"], r["placed_at"][:16], r["status"], format_money(r["total_cents"], r["currency"]),
                          format_money(r["refunded_cents"], r["currency"]), escape(r["flag"])] for r in rows]))


@app.command("show")
def show_command(order_id: Annotated[str, typer.Argument(help="The marketplace's order number or the shop's id.")],
                 workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """One order: buyer, lines, payments and refunds, shipments."""
    workspace = open_workspace(load_settings(workdir))
    try:
        order = order_tools.show_order(workspace.tool_deps(), order_id)
    except ToolRetry as exc:
        raise UserError(str(exc)) from None
    if as_json:
        print_json(order)
        return
    buyer = order["buyer"] or {}
    currency = order["currency"]
    console.print(f"Order {order['order']} ({order['marketplace']}): {order['status']}, placed {order['placed_at'][:16]}, "
                  f"total {format_money(order['total_cents'], currency)}, "
                  f"refunded {format_money(order['refunded_cents'], currency)}")
    console.print(f"Buyer: {escape(buyer.get('name', ''))} <{escape(buyer.get('email', ''))}>")
    if order["flag"]:
        console.print(f"[yellow]Flag:[/yellow] {escape(order['flag'])}")
    console.print(table("Lines", ["sku", "name", "qty", "unit price"],
                        [[li["sku"], escape(li["name"]), li["quantity"], format_money(li["unit_price_cents"], currency)]
                         for li in order["lines"]]))
    for payment in order["payments"]:
        console.print(f"{payment['kind']}: {format_money(payment['amount_cents'], currency)} {escape(payment['reason'])}")
    for shipment in order["shipments"]:
        console.print(f"shipped: {escape(shipment['carrier'])}, tracking {escape(shipment['tracking'])}")
