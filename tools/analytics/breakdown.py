"""Sales per SKU, product and category for a period, with stock cover and conversion.

Lines are aligned numpy arrays with integer codes for their order, day and SKU; sums per
key are `bincount`s over those codes (never a group-by on strings), so 2.5 million lines
aggregate in a fraction of a second. The per-key results are small pandas tables.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

@dataclass
class SaleLines:
    """The lines of the sales, as aligned arrays (one entry per line)."""

    order: np.ndarray  # position of the line's order among the sales orders
    day: np.ndarray  # day number since the first day of the previous period
    sku: pd.Categorical
    quantity: np.ndarray
    value: np.ndarray  # quantity x unit price, cents
    refunded: np.ndarray  # the line's order has a refund
    code: np.ndarray | None = None  # position of the SKU in the SKU index (add_costs)
    margin: np.ndarray | None = None  # value - quantity x cost; NaN where the cost is unknown
    costed: np.ndarray | None = None  # value where the cost is known, else 0


@dataclass
class Breakdowns:
    skus: pd.DataFrame  # index sku: every catalog SKU and every SKU sold
    products: pd.DataFrame  # index product (handle; the SKU for one outside the catalog)
    categories: pd.DataFrame  # index category ("" for none)


def add_costs(lines: SaleLines, stock: pd.DataFrame) -> pd.Index:
    """Fill in each line's SKU position, margin and costed value; returns the SKU index
    (catalog SKUs, then SKUs sold but not in the catalog)."""
    catalog = pd.Index(stock["sku"].astype(str), name="sku")
    sold = pd.Index(lines.sku.categories.astype(str))
    skus = catalog.append(sold[~sold.isin(catalog)]).rename("sku")
    lines.code = skus.get_indexer(sold)[lines.sku.codes] if len(sold) else np.zeros(len(lines.value), dtype=np.int64)
    unit_cost = stock.set_index(stock["sku"].astype(str))["cost_cents"].reindex(skus).to_numpy(dtype="float64")
    cost = lines.quantity * unit_cost[lines.code]
    lines.margin = lines.value - cost
    lines.costed = np.where(np.isnan(cost), 0, lines.value)
    return skus


def breakdowns(lines: SaleLines, stock: pd.DataFrame, stats: pd.DataFrame, skus: pd.Index,
               start: int, days: int) -> Breakdowns:
    """Per SKU, product and category over the lines from day number `start` on (the lines
    before it are the previous period, for the change in gross). `stats` is the period's traffic."""
    current = lines.day >= start
    table = _sku_table(lines, current, stock, stats, skus, days)
    return Breakdowns(skus=table, products=_products(lines, current, table),
                      categories=_categories(lines, current, table))


def _aggregate(lines: SaleLines, mask: np.ndarray, keys: np.ndarray, size: int) -> pd.DataFrame:
    """units, gross, margin, costed, orders and refunded orders per integer key 0..size-1
    over the lines in `mask`; `keys` holds each line's key."""
    if lines.margin is None or lines.costed is None:
        raise ValueError("the lines have no costs yet: call add_costs first")
    key = keys[mask]

    def total(values: np.ndarray) -> np.ndarray:
        return np.rint(np.bincount(key, weights=values[mask], minlength=size)).astype(np.int64)

    # An order counts once per key however many of its lines fall under the key.
    first = ~pd.Series(lines.order[mask].astype(np.int64) * size + key).duplicated().to_numpy()
    return pd.DataFrame({
        "units": total(lines.quantity), "gross_cents": total(lines.value),
        "orders": np.bincount(key[first], minlength=size),
        "refunded_orders": np.bincount(key[first], weights=lines.refunded[mask][first], minlength=size).astype(np.int64),
        "margin_cents": total(np.nan_to_num(lines.margin)), "costed_cents": total(lines.costed),
    })


def _rates(frame: pd.DataFrame) -> None:
    frame["refund_rate"] = frame["refunded_orders"] / frame["orders"].where(frame["orders"] > 0)
    frame["margin_pct"] = frame["margin_cents"] / frame["costed_cents"].where(frame["costed_cents"] > 0)
    frame["conversion"] = frame["marketplace_orders"] / frame["visits"].where(frame["visits"] > 0)


def _sku_table(lines: SaleLines, current: np.ndarray, stock: pd.DataFrame, stats: pd.DataFrame,
               skus: pd.Index, days: int) -> pd.DataFrame:
    if lines.code is None:
        raise ValueError("the lines have no SKU positions yet: call add_costs first")
    size = len(skus)
    table = _aggregate(lines, current, lines.code, size).set_index(skus)
    info = stock.set_index(stock["sku"].astype(str)).reindex(skus)
    outside = info["handle"].isna()
    table["product"] = info["handle"].astype(object).where(~outside, skus.to_series())
    table["name"] = info["name"].astype(object).where(~outside, skus.to_series())
    table["category"] = info["category"].astype(object).fillna("")
    table["in_catalog"] = ~outside
    for column in ("price_cents", "cost_cents"):
        table[column] = info[column].astype("Int64")
    table["stock"] = info["stock"].fillna(0).astype("int64")
    table["available"] = (info["stock"] - info["reserved"]).clip(lower=0).fillna(0).astype("int64")
    table["has_clip"] = info["has_clip"].fillna(False).astype(bool)
    before = _aggregate(lines, ~current, lines.code, size)
    table["previous_gross_cents"] = before["gross_cents"].to_numpy()
    table["previous_units"] = before["units"].to_numpy()
    traffic = stats.groupby("sku")[["visits", "orders"]].sum().reindex(skus, fill_value=0)
    table["visits"] = traffic["visits"].astype("int64")
    table["marketplace_orders"] = traffic["orders"].astype("int64")
    table["units_per_day"] = table["units"] / days
    table["cover_days"] = table["available"] / table["units_per_day"].where(table["units_per_day"] > 0)
    table["gross_change"] = ((table["gross_cents"] - table["previous_gross_cents"])
                             / table["previous_gross_cents"].where(table["previous_gross_cents"] > 0))
    _rates(table)
    return table


def _group(lines: SaleLines, current: np.ndarray, table: pd.DataFrame, key: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Aggregate the period's lines by a column of the SKU table (product or category)."""
    codes, names = pd.factorize(table[key], sort=True)
    grouped = _aggregate(lines, current, codes[lines.code], len(names)).set_index(pd.Index(names, name=key))
    per_sku = table.groupby(codes)
    for column in ("stock", "available", "visits", "marketplace_orders", "previous_gross_cents"):
        grouped[column] = per_sku[column].sum().reindex(range(len(names)), fill_value=0).to_numpy()
    return grouped, codes


def _products(lines: SaleLines, current: np.ndarray, table: pd.DataFrame) -> pd.DataFrame:
    products, codes = _group(lines, current, table, "product")
    names = products.index
    first = table.groupby(codes)
    products["name"] = first["name"].first().to_numpy()
    products["category"] = first["category"].first().to_numpy()
    products["skus"] = first.size().to_numpy()
    products["has_clip"] = first["has_clip"].any().to_numpy()
    products["in_catalog"] = first["in_catalog"].any().to_numpy()
    # The product's best-selling SKU stands for it in proposals (listing copy, clips).
    ranked = table.assign(_code=codes).sort_values(["gross_cents", "units"], ascending=False, kind="stable")
    products["lead_sku"] = ranked.groupby("_code").head(1).reset_index().set_index("_code")["sku"].reindex(
        range(len(names))).to_numpy()
    _rates(products)
    return products


def _categories(lines: SaleLines, current: np.ndarray, table: pd.DataFrame) -> pd.DataFrame:
    categories, _ = _group(lines, current, table, "category")
    total = categories["gross_cents"].sum()
    categories["share"] = categories["gross_cents"] / total if total else np.nan
    _rates(categories)
    return categories
