"""Sales KPIs computed with pandas from the frames of store_data.frames.

Definitions (money in integer cents; days are calendar days in the shop's timezone):

- A **sale** is an order in the shop's currency whose status is not pending or cancelled.
  Orders in another currency are counted apart (`other_currency_orders`), never summed in.
- **gross**: quantity x unit price of the sales' lines, on the day the order was placed.
- **refunds**: refund payments on sales, on the day the money went back; **net** = gross -
  refunds, so a day with more refunds than sales has a negative net.
- **orders**, **units**; **AOV** = gross / orders, rounded half up to the cent.
- **conversion** = marketplace orders / visits, both from the marketplace's stats export.
- **refund rate** = refunds / gross (money); per SKU, product or category it is the share of
  its orders that were refunded, in part or whole.
- **repeat-buyer rate**: the share of the period's buyers who bought before the period or
  more than once in it.
- **margin** = quantity x (unit price - the variant's cost), over lines whose cost is known
  (the catalog's current cost); margin % = margin / revenue of those lines.
- **stock cover** = (stock - reserved) / units sold per day in the period.
- **change** against the period of the same length just before: relative for amounts and
  counts, the difference for rates; None where the previous value is 0 or unknown.
- **anomalies**: a day whose gross or orders is at least twice, or at most half, the mean
  of the 7 days before it, when those 7 days averaged at least 3 orders.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from store_data.frames import NOT_SALES, SalesFrames
from tools.analytics.breakdown import Breakdowns, SaleLines, add_costs, breakdowns

ANOMALY_WINDOW = 7
SPIKE_RATIO = 2.0
DROP_RATIO = 0.5
MIN_BASELINE_ORDERS = 3.0
AMOUNTS = ("gross_cents", "refunds_cents", "net_cents", "orders", "units", "aov_cents", "buyers", "visits",
           "margin_cents")
RATES = ("conversion", "refund_rate", "repeat_buyer_rate", "margin_pct")
SUMMED = ["gross_cents", "refunds_cents", "net_cents", "orders", "units", "visits", "marketplace_orders",
          "margin_cents", "costed_cents"]


@dataclass(frozen=True)
class Period:
    """Calendar days `first`..`last`, both included, in the shop's timezone."""

    first: date
    last: date

    @classmethod
    def ending(cls, last: date, days: int) -> "Period":
        if days < 1:
            raise ValueError(f"days must be 1 or more, not {days}")
        return cls(last - timedelta(days=days - 1), last)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def before(self) -> "Period":
        """The period of the same length that ends the day before this one starts."""
        return Period.ending(self.first - timedelta(days=1), self.days)

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of the first day to local midnight after the last."""
        start = datetime.combine(self.first, time(), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        return start, end


@dataclass
class SalesKpis:
    """KPIs of one period and the period before it."""

    period: Period
    previous: Period
    currency: str
    timezone: str
    summary: dict[str, Any]
    previous_summary: dict[str, Any]
    change: dict[str, float | None]
    daily: pd.DataFrame  # one row per day of both periods, index `day`
    weekly: pd.DataFrame  # weeks (Monday first) of the period
    anomalies: pd.DataFrame
    breakdowns: Breakdowns  # per SKU, product and category, for the period
    other_currency_orders: int


def local_day(stamps: pd.Series, tz: ZoneInfo) -> pd.Series:
    """UTC timestamps to the local calendar day (naive midnight) in `tz`."""
    return stamps.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def round_half_up(numerator: np.ndarray | int, denominator: np.ndarray | int):
    """Integer division rounded half up, for non-negative cents: (2n + d) // 2d."""
    return (2 * numerator + denominator) // (2 * denominator)


def compute_kpis(frames: SalesFrames, period: Period, timezone: str, currency: str) -> SalesKpis:
    """All the report's KPIs for `period` (and the period before it) from `frames`."""
    tz = ZoneInfo(timezone)
    previous = period.before()
    first, start, last = (pd.Timestamp(d) for d in (previous.first, period.first, period.last))
    orders, other_currency = _sales_orders(frames.orders, tz, currency, first, start, last)
    lines = _sale_lines(frames.lines, orders)
    skus = add_costs(lines, frames.stock)
    refunds = frames.refunds[~frames.refunds["status"].isin(NOT_SALES) & (frames.refunds["currency"] == currency)]
    refund_days = _day_numbers(local_day(refunds["refunded_at"], tz), first)
    stats = frames.listing_stats[(frames.listing_stats["day"] >= first) & (frames.listing_stats["day"] <= last)]
    daily = _daily(orders, lines, refund_days, refunds["amount_cents"].to_numpy(), stats, first, last)
    parts = breakdowns(lines, frames.stock, stats[stats["day"] >= start], skus, (start - first).days, period.days)
    summary = _summary(daily.loc[start:last], orders, frames.earlier_buyers, start, last)
    previous_summary = _summary(daily.loc[first:start - pd.Timedelta(days=1)], orders, frames.earlier_buyers,
                                first, start - pd.Timedelta(days=1))
    return SalesKpis(
        period=period, previous=previous, currency=currency, timezone=timezone,
        summary=summary, previous_summary=previous_summary, change=_change(summary, previous_summary),
        daily=daily, weekly=_weekly(daily.loc[start:last]), anomalies=find_anomalies(daily, start),
        breakdowns=parts, other_currency_orders=other_currency,
    )


def _day_numbers(days: pd.Series, first: pd.Timestamp) -> np.ndarray:
    """Local days as whole days since `first` (integer codes for bincount)."""
    return ((days - first) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)


def _sales_orders(orders: pd.DataFrame, tz: ZoneInfo, currency: str, first, start, last) -> tuple[pd.DataFrame, int]:
    """Sales placed in [first, last], sorted by order_id, with their local day."""
    day = local_day(orders["placed_at"], tz)
    sale = ~orders["status"].isin(NOT_SALES)
    in_currency = orders["currency"] == currency
    window = (day >= first) & (day <= last)
    other = int((sale & ~in_currency & (day >= start) & window).sum())
    keep = (sale & in_currency & window).to_numpy()
    kept_days = day[keep]
    sales = pd.DataFrame({"order_id": orders["order_id"].to_numpy()[keep], "buyer_id": orders["buyer_id"].array[keep],
                          "day": kept_days.to_numpy(), "day_number": _day_numbers(kept_days, first),
                          "refunded": orders["refunded_cents"].to_numpy()[keep] > 0})
    return sales, other


def _sale_lines(lines: pd.DataFrame, orders: pd.DataFrame) -> SaleLines:
    """The lines of `orders`, with the position of their order, its day and the line value."""
    ids = orders["order_id"].to_numpy()
    order_ids = lines["order_id"].to_numpy()
    if len(ids):
        # Orders are sorted by id: a binary search joins 2.5M lines far faster than a merge.
        position = np.minimum(np.searchsorted(ids, order_ids), len(ids) - 1)
        found = ids[position] == order_ids
    else:
        position = np.zeros(len(order_ids), dtype=np.int64)
        found = np.zeros(len(order_ids), dtype=bool)
    position = position[found]
    quantity = lines["quantity"].to_numpy()[found]
    sku = lines["sku"]
    sku = sku if isinstance(sku.dtype, pd.CategoricalDtype) else sku.astype("category")
    return SaleLines(
        order=position, day=orders["day_number"].to_numpy()[position], sku=sku.array[found],
        quantity=quantity, value=quantity * lines["unit_price_cents"].to_numpy()[found],
        refunded=orders["refunded"].to_numpy()[position],
    )


def _daily(orders: pd.DataFrame, lines: SaleLines, refund_days: np.ndarray, refund_amounts: np.ndarray,
           stats: pd.DataFrame, first, last) -> pd.DataFrame:
    if lines.margin is None:
        raise ValueError("the lines have no costs yet: call add_costs first")
    days = pd.date_range(first, last, freq="D", name="day")
    size = len(days)

    def per_day(numbers: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        inside = (numbers >= 0) & (numbers < size)
        summed = np.bincount(numbers[inside], None if weights is None else weights[inside], minlength=size)
        return np.rint(summed).astype(np.int64)  # float sums of cents are exact below 2**53

    stat_days = _day_numbers(stats["day"], first)
    daily = pd.DataFrame({
        "gross_cents": per_day(lines.day, lines.value),
        "refunds_cents": per_day(refund_days, refund_amounts),
        "orders": per_day(orders["day_number"].to_numpy()),
        "units": per_day(lines.day, lines.quantity),
        "visits": per_day(stat_days, stats["visits"].to_numpy()),
        "marketplace_orders": per_day(stat_days, stats["orders"].to_numpy()),
        "margin_cents": per_day(lines.day, np.nan_to_num(lines.margin)),
        "costed_cents": per_day(lines.day, lines.costed),
    }, index=days)
    daily["net_cents"] = daily["gross_cents"] - daily["refunds_cents"]
    _add_ratios(daily)
    return daily


def _add_ratios(frame: pd.DataFrame) -> None:
    """AOV, conversion, refund rate and margin % from the summed columns (NaN where undefined)."""
    orders = frame["orders"].where(frame["orders"] > 0)
    frame["aov_cents"] = round_half_up(frame["gross_cents"], orders).astype("Int64")
    frame["conversion"] = frame["marketplace_orders"] / frame["visits"].where(frame["visits"] > 0)
    frame["refund_rate"] = frame["refunds_cents"] / frame["gross_cents"].where(frame["gross_cents"] > 0)
    frame["margin_pct"] = frame["margin_cents"] / frame["costed_cents"].where(frame["costed_cents"] > 0)


def _summary(days: pd.DataFrame, orders: pd.DataFrame, earlier_buyers: pd.DataFrame, start, last) -> dict[str, Any]:
    summary: dict[str, Any] = {column: int(days[column].sum()) for column in SUMMED}
    summary.update(ratios(summary))
    buyer = orders["buyer_id"]
    counts = buyer[(orders["day"] >= start) & (orders["day"] <= last) & buyer.notna()].value_counts()
    # A repeat buyer bought more than once in the period, or bought before it: in the loaded
    # window before `start`, or before the window altogether.
    before = pd.Index(buyer[(orders["day"] < start) & buyer.notna()].unique()).append(
        pd.Index(earlier_buyers["buyer_id"]))
    repeat = int(((counts.to_numpy() >= 2) | counts.index.isin(before)).sum())
    summary.update(buyers=len(counts), repeat_buyers=repeat,
                   repeat_buyer_rate=repeat / len(counts) if len(counts) else None)
    return summary


def ratios(sums: dict[str, int]) -> dict[str, Any]:
    """AOV, conversion, refund rate and margin % of one set of sums (None where undefined)."""
    return {
        "aov_cents": int(round_half_up(sums["gross_cents"], sums["orders"])) if sums["orders"] else None,
        "conversion": sums["marketplace_orders"] / sums["visits"] if sums["visits"] else None,
        "refund_rate": sums["refunds_cents"] / sums["gross_cents"] if sums["gross_cents"] else None,
        "margin_pct": sums["margin_cents"] / sums["costed_cents"] if sums["costed_cents"] else None,
    }


def _change(now: dict[str, Any], before: dict[str, Any]) -> dict[str, float | None]:
    change: dict[str, float | None] = {}
    for key in AMOUNTS:
        old, new = before.get(key), now.get(key)
        change[key] = None if not old or new is None else (new - old) / old
    for key in RATES:
        old, new = before.get(key), now.get(key)
        change[key] = None if old is None or new is None else new - old
    return change


def _weekly(days: pd.DataFrame) -> pd.DataFrame:
    weekly = days[SUMMED].resample("W-MON", label="left", closed="left").sum()
    weekly["days"] = days["orders"].resample("W-MON", label="left", closed="left").size()
    weekly.index.name = "week"
    _add_ratios(weekly)
    return weekly


def find_anomalies(daily: pd.DataFrame, start) -> pd.DataFrame:
    """Spikes and drops of gross and orders against the mean of the 7 days before."""
    baseline_orders = daily["orders"].shift(1).rolling(ANOMALY_WINDOW, min_periods=ANOMALY_WINDOW).mean()
    found = []
    for metric in ("gross_cents", "orders"):
        baseline = daily[metric].shift(1).rolling(ANOMALY_WINDOW, min_periods=ANOMALY_WINDOW).mean()
        ratio = daily[metric] / baseline.where(baseline > 0)
        usable = (baseline_orders >= MIN_BASELINE_ORDERS) & (daily.index >= start)
        kind = np.where(ratio >= SPIKE_RATIO, "spike", np.where(ratio <= DROP_RATIO, "drop", ""))
        hit = usable & (kind != "")
        found.append(pd.DataFrame({"day": daily.index[hit], "metric": metric, "kind": kind[hit],
                                   "value": daily[metric][hit].to_numpy(), "baseline": baseline[hit].to_numpy(),
                                   "ratio": ratio[hit].to_numpy()}))
    return pd.concat(found, ignore_index=True).sort_values(["day", "metric"], ignore_index=True)

