"""The report's charts as inline SVG, drawn with matplotlib's object API (no pyplot, no
global backend): revenue trend, top products, refunds and stock cover."""

import io
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from tools.analytics.kpis import SalesKpis
from tools.analytics.recommendations import REORDER_COVER_DAYS

INK, ACCENT, NET, WARN = "#1f2933", "#3b6fb6", "#2f9e68", "#c2452d"
# Text stays text (small files, any script the browser can show); the salt makes ids stable.
SVG_STYLE: dict[RcKeyType, Any] = {"svg.fonttype": "none", "svg.hashsalt": "shopagent-report", "font.size": 9}


def charts(kpis: SalesKpis, top: int = 10) -> dict[str, str]:
    """Every chart of the report, by name, as an `<svg>` element."""
    days = kpis.daily.loc[pd.Timestamp(kpis.period.first):]
    return {
        "revenue": revenue_trend(days, kpis.currency),
        "top_products": top_products(kpis.breakdowns.products, kpis.currency, top),
        "refunds": refunds(days, kpis.currency),
        "stock_cover": stock_cover(kpis.breakdowns.skus, top),
    }


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(height: float = 2.8) -> tuple[Figure, Axes]:
    with matplotlib.rc_context(SVG_STYLE):
        figure = Figure(figsize=(7.5, height))
        axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK, labelsize=8)
    return figure, axes


def _empty(axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color=INK)
    axes.set_axis_off()


def revenue_trend(days: pd.DataFrame, currency: str) -> str:
    """Gross and net revenue per day."""
    figure, axes = _figure()
    if not days["gross_cents"].any() and not days["refunds_cents"].any():
        _empty(axes, "No sales in this period")
        return _svg(figure)
    axes.plot(days.index, days["gross_cents"] / 100, color=ACCENT, label="gross", linewidth=1.6)
    axes.plot(days.index, days["net_cents"] / 100, color=NET, label="net of refunds", linewidth=1.2, linestyle="--")
    axes.axhline(0, color=INK, linewidth=0.5)
    axes.set_ylabel(currency)
    axes.legend(frameon=False, fontsize=8)
    figure.autofmt_xdate()
    return _svg(figure)


def top_products(products: pd.DataFrame, currency: str, top: int) -> str:
    """The products with the highest gross revenue in the period."""
    best = products[products["gross_cents"] > 0].nlargest(top, "gross_cents").iloc[::-1]
    figure, axes = _figure(0.6 + 0.28 * max(len(best), 3))
    if best.empty:
        _empty(axes, "No sales in this period")
        return _svg(figure)
    labels = [name if len(name) <= 34 else name[:33] + "…" for name in best["name"].astype(str)]
    axes.barh(labels, best["gross_cents"] / 100, color=ACCENT)
    axes.set_xlabel(f"gross revenue ({currency})")
    return _svg(figure)


def refunds(days: pd.DataFrame, currency: str) -> str:
    """Refunds paid out per day."""
    figure, axes = _figure(2.4)
    if not days["refunds_cents"].any():
        _empty(axes, "No refunds in this period")
        return _svg(figure)
    axes.bar(days.index, days["refunds_cents"] / 100, color=WARN, width=0.8)
    axes.set_ylabel(currency)
    figure.autofmt_xdate()
    return _svg(figure)


def stock_cover(skus: pd.DataFrame, top: int) -> str:
    """The selling SKUs with the fewest days of stock left."""
    selling = skus[skus["in_catalog"] & skus["cover_days"].notna()].nsmallest(top, "cover_days").iloc[::-1]
    figure, axes = _figure(0.6 + 0.28 * max(len(selling), 3))
    if selling.empty:
        _empty(axes, "No SKU sold in this period")
        return _svg(figure)
    colours = [WARN if cover < REORDER_COVER_DAYS else ACCENT for cover in selling["cover_days"]]
    bars = axes.barh([str(s) for s in selling.index], selling["cover_days"], color=colours)
    axes.bar_label(bars, labels=[f"{c:.1f}" for c in selling["cover_days"]], padding=2, fontsize=7)
    axes.axvline(REORDER_COVER_DAYS, color=INK, linewidth=0.8, linestyle=":")
    axes.set_xlabel(f"days of stock at the period's pace (reorder under {REORDER_COVER_DAYS})")
    return _svg(figure)
