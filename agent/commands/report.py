"""`shopagent report`: the sales report of the last days, as HTML with charts, and a summary."""

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from agent.commands.common import JsonOption, WorkdirOption, console, print_json, table
from agent.workspace import load_settings, open_workspace
from store_data.money import format_money
from tools.analytics.report import MAX_DAYS, sales_report

# (label, key, kind) of the summary table's rows; kind: money, count or rate.
ROWS = [
    ("gross revenue", "gross_cents", "money"), ("refunds", "refunds_cents", "money"),
    ("net revenue", "net_cents", "money"), ("orders", "orders", "count"), ("units", "units", "count"),
    ("average order", "aov_cents", "money"), ("visits", "visits", "count"), ("conversion", "conversion", "rate"),
    ("refund rate", "refund_rate", "rate"), ("repeat buyers", "repeat_buyer_rate", "rate"),
    ("margin", "margin_cents", "money"), ("margin %", "margin_pct", "rate"),
]


def report(
    days: Annotated[int, typer.Option(min=1, max=MAX_DAYS, help="Length of the period in days.")] = 30,
    end: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], show_default=False,
                                                 help="Last day of the period (default: yesterday).")] = None,
    workdir: WorkdirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sales report of the last DAYS days against the DAYS before: KPIs, anomalies and
    proposed actions, written as one HTML file with charts under assets/reports/."""
    workspace = open_workspace(load_settings(workdir))
    with console.status("Computing the sales report"):
        result = sales_report(workspace.tool_deps(), days=days, end=end.date() if end else None)
    if as_json:
        print_json(result)
        return
    currency = result["period"]["currency"]
    now, before, change = result["summary"], result["previous"], result["change"]
    period = result["period"]
    console.print(table(
        f"Sales {period['first']} to {period['last']} ({period['days']} days, {period['timezone']}) "
        f"against the {period['days']} days before",
        ["", "period", "before", "change"],
        [[label, _shown(now[key], kind, currency), _shown(before[key], kind, currency), _change(change.get(key), kind)]
         for label, key, kind in ROWS],
    ))
    if result["other_currency_orders"]:
        console.print(f"{result['other_currency_orders']} order(s) in other currencies are left out.")
    for anomaly in result["anomalies"]:
        console.print(f"[yellow]{anomaly['day']}: {anomaly['metric']} {anomaly['kind']} "
                      f"({anomaly['ratio']:.2f}x the 7 days before)[/yellow]")
    if result["proposals"]:
        console.print(table("Proposed actions (each waits for approval)", ["action", "arguments", "why"],
                            [[p["kind"], ", ".join(f"{k}={v}" for k, v in p["arguments"].items()), escape(p["reason"])]
                             for p in result["proposals"]]))
    console.print(f"Report: {result['report']}")


def _shown(value: Any, kind: str, currency: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return format_money(value, currency)
    if kind == "rate":
        return f"{value:.1%}"
    return f"{value:,}"


def _change(value: float | None, kind: str) -> str:
    if value is None:
        return ""
    return f"{value * 100:+.1f} pts" if kind == "rate" else f"{value:+.1%}"
