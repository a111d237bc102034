"""The sales report: KPIs, charts and proposals of a period in one self-contained HTML file
under `<workdir>/assets/reports/`, and the same figures as JSON for the planner."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from store_data.clock import utcnow
from store_data.frames import platform_totals, sales_frames
from store_data.shop import Shop
from tools.analytics.kpis import Period, SalesKpis, compute_kpis
from tools.analytics.recommendations import REORDER_COVER_DAYS, Proposal, recommend
from tools.deps import ToolDeps
from tools.errors import ToolFailed, ToolRetry
from tools.order_policy import marketplace
from tools.proposals import earlier_decision, price_testable

TEMPLATES = Path(__file__).parent / "templates"
MAX_DAYS = 366
TOP = 10
DAILY_COLUMNS = ["gross_cents", "refunds_cents", "net_cents", "orders", "units", "aov_cents", "visits",
                 "marketplace_orders", "conversion", "refund_rate", "margin_cents", "margin_pct"]
PRODUCT_COLUMNS = ["name", "category", "lead_sku", "units", "gross_cents", "previous_gross_cents", "orders",
                   "refunded_orders", "refund_rate", "margin_cents", "margin_pct", "visits", "conversion", "available"]
CATEGORY_COLUMNS = ["units", "gross_cents", "share", "orders", "refund_rate", "margin_cents", "margin_pct"]
SKU_COLUMNS = ["name", "available", "units", "units_per_day", "cover_days"]


@dataclass
class SalesReport:
    kpis: SalesKpis
    proposals: list[Proposal]
    data: dict[str, Any]  # the figures as JSON-ready values
    path: Path


def shop_timezone(name: str) -> ZoneInfo:
    """The shop's timezone; an unknown name is a setting the owner must fix."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolFailed(f"unknown timezone '{name}'; set timezone in shopagent.toml to an IANA name "
                         "such as Asia/Shanghai or Europe/Berlin") from None


def build_report(engine: Engine, workdir: Path, timezone: str, currency: str, days: int = 30,
                 end: date | None = None, testable: set[str] | None = None,
                 cooldown_days: int | None = None) -> SalesReport:
    """Compute the KPIs of the `days` days ending `end` (default: yesterday in the shop's
    timezone), write the HTML report and return it with its proposals (price tests only on
    the `testable` SKUs, when given). With `cooldown_days`, a proposal that already waits for
    the owner is marked so, and one they rejected within that many days is left out."""
    tz = shop_timezone(timezone)
    if end is None:
        end = utcnow().astimezone(tz).date() - timedelta(days=1)
    period = Period.ending(end, days)
    since, _ = period.before().utc_bounds(tz)
    _, until = period.utc_bounds(tz)
    kpis = compute_kpis(sales_frames(engine, since, until), period, timezone, currency)
    proposals = recommend(kpis, testable)
    if cooldown_days is not None:
        proposals = _against_earlier(engine, proposals, cooldown_days)
    # One file per period: a 7-day report leaves the 30-day report of the same day in place.
    path = Path(workdir) / "assets" / "reports" / f"report-{period.last.isoformat()}-{days}d.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        shop = session.exec(select(Shop)).first()
    data = report_data(kpis, proposals)
    data["platforms"] = platform_rows(engine, currency, *period.utc_bounds(tz))
    html = render_html(kpis, data, shop.name if shop else "Your shop")
    temporary = path.with_suffix(".tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a report
    return SalesReport(kpis=kpis, proposals=proposals, data=data, path=path)


def render_html(kpis: SalesKpis, data: dict[str, Any], shop_name: str) -> str:
    """The self-contained HTML page: the charts are inline SVG, the styles inline CSS."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    environment.filters.update(money=lambda cents: _money(cents, kpis.currency), pct=_pct, change=_change_text,
                               number=lambda v: "–" if v is None else f"{v:,.2f}".rstrip("0").rstrip("."))
    template = environment.get_template("report.html.j2")
    # matplotlib takes most of a second to import: only a report that is drawn pays for it,
    # not every command line that loads the tool registry.
    from tools.analytics.charts import charts
    svgs = {name: Markup(svg) for name, svg in charts(kpis, TOP).items()}  # matplotlib escapes its text
    return template.render(shop=shop_name, data=data, charts=svgs, generated=utcnow().strftime("%Y-%m-%d %H:%M UTC"),
                           reorder_days=REORDER_COVER_DAYS)


def report_data(kpis: SalesKpis, proposals: list[Proposal]) -> dict[str, Any]:
    """The report's figures as JSON-ready values (cents as integers, rates as fractions)."""
    period_days = kpis.daily.loc[pd.Timestamp(kpis.period.first):]
    parts = kpis.breakdowns
    low = parts.skus[parts.skus["in_catalog"] & (parts.skus["cover_days"] < REORDER_COVER_DAYS)]
    return {
        "period": {"first": kpis.period.first.isoformat(), "last": kpis.period.last.isoformat(),
                   "days": kpis.period.days, "timezone": kpis.timezone, "currency": kpis.currency},
        "previous_period": {"first": kpis.previous.first.isoformat(), "last": kpis.previous.last.isoformat()},
        "summary": _clean(kpis.summary),
        "previous": _clean(kpis.previous_summary),
        "change": _clean(kpis.change),
        "other_currency_orders": kpis.other_currency_orders,
        "daily": records(period_days, DAILY_COLUMNS),
        "weekly": records(kpis.weekly, ["days", *DAILY_COLUMNS]),
        "top_products": records(parts.products[parts.products["gross_cents"] > 0].nlargest(TOP, "gross_cents"),
                                PRODUCT_COLUMNS),
        "categories": records(parts.categories[parts.categories["gross_cents"] > 0].sort_values(
            "gross_cents", ascending=False), CATEGORY_COLUMNS),
        "anomalies": records(kpis.anomalies, list(kpis.anomalies.columns), index=False),
        "low_cover": records(low.sort_values("cover_days").head(TOP), SKU_COLUMNS),
        "proposals": [p.model_dump() for p in proposals],
    }


def platform_rows(engine: Engine, currency: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Each platform's sales in the period and, last, their total (marketplace "total"); empty
    for a shop whose sales all came from one platform."""
    table = platform_totals(engine, currency, since, until)
    if len(table) < 2:
        return []
    total = {"marketplace": "total", **{column: int(table[column].sum()) for column in table.columns[1:]}}
    return [*records(table, list(table.columns), index=False), total]


def records(frame: pd.DataFrame, columns: list[str], index: bool = True) -> list[dict[str, Any]]:
    """Rows of `frame` as dicts of plain values, the index first under its own name."""
    name = frame.index.name or "key"
    rows = []
    for key, values in zip(frame.index, frame[columns].itertuples(index=False, name=None)):
        row = {name: _value(key)} if index else {}
        row.update({column: _value(value) for column, value in zip(columns, values)})
        rows.append(row)
    return rows


def _value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) or np.isinf(value) else round(float(value), 4)
    return value


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _value(value) for key, value in values.items()}


def _money(cents: int | None, currency: str) -> str:
    return "–" if cents is None else f"{currency} {cents / 100:,.2f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _change_text(value: float | None, rate: bool = False) -> str:
    if value is None:
        return ""
    return f"{value * 100:+.1f} pts" if rate else f"{value:+.1%}"


def _against_earlier(engine: Engine, proposals: list[Proposal], cooldown_days: int) -> list[Proposal]:
    kept = []
    for proposal in proposals:
        decision, approval = earlier_decision(engine, proposal.tool, proposal.arguments, cooldown_days)
        if decision == "rejected":
            continue
        kept.append(proposal.model_copy(update={"waiting_as": f"approval {approval}"}) if decision else proposal)
    return kept


def sales_report(deps: ToolDeps, days: int = 30, end: date | None = None) -> dict:
    """Sales report of the last `days` days ending `end` (default: yesterday, in the shop's
    timezone), compared with the `days` days before: gross and net revenue, orders, units,
    average order value, conversion, refund rate, repeat buyers, margin, stock cover,
    anomalies, top products and categories. Writes an HTML report with charts and returns
    the figures (money in integer cents, rates as fractions) plus `proposals`: actions
    (reorder, price test, listing fix, promo clip) with their arguments and the numbers
    behind them, for the owner to approve; a price test only for a listing published on this
    platform for `price_test_min_age_days` with no test running. Quote the numbers as
    given; do not compute new ones.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ToolRetry(f"days must be between 1 and {MAX_DAYS}, not {days}")
    settings = deps.settings
    testable = price_testable(deps.engine, marketplace(deps), settings.price_test_min_age_days)
    report = build_report(deps.engine, deps.workdir, settings.timezone, settings.currency, days, end, testable,
                          cooldown_days=settings.proposal_cooldown_days)
    # Inside a run, each new proposal becomes its own step, which the approval policy always
    # holds for the owner; one already waiting stays in the queue as it is.
    follow_up = [{"tool": p["tool"], "arguments": p["arguments"], "why": p["reason"], "proposed": True}
                 for p in report.data.get("proposals", []) if not p.get("waiting_as")]
    return {**report.data, "report": str(report.path), "follow_up": follow_up}
