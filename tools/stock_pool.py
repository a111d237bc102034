"""One stock pool for a shop that sells on several platforms.

The shop's records hold the units (Variant.stock) and what paid orders from every platform
hold of them (Variant.reserved); each platform shows the free units, so an order on one
lowers what the others offer and a SKU sold out on one is sold out on all. The daily pass
syncs every platform's orders before this runs, so the pool has seen them. An order placed
on one platform between its sync and this push can still take a unit another platform
sells too; the next sync finds the second order short and the shop's stock-out policy
decides (tools/order_stages.py), so nothing ships that does not exist.
"""

from sqlmodel import Session, col, select

from store_data.shop import Variant
from tools.deps import ToolDeps
from tools.drivers.marketplace import STOCK


def pool_units(deps: ToolDeps) -> dict[str, int]:
    """Every SKU's free units in the shop's records: on hand less what paid orders hold."""
    with Session(deps.engine) as session:
        variants = session.exec(select(Variant).order_by(col(Variant.sku))).all()
        return {v.sku: max(v.stock - v.reserved, 0) for v in variants}


def sync_stock(deps: ToolDeps) -> dict:
    """Show the pool's free units on every platform the shop sells on (the SKUs each lists)."""
    units = pool_units(deps)
    sold_out = sorted(sku for sku, free in units.items() if free == 0)
    platforms: dict[str, dict] = {}
    for name, driver in deps.drivers.items():  # the main platform's too (ToolDeps lists it)
        if STOCK not in driver.capabilities:
            platforms[name] = {"note": f"skipped: the {name} marketplace does not offer stock updates; "
                                       f"its listings keep the units they were published with"}
            continue
        changed = driver.set_stock(units)
        platforms[name] = {"changed": changed, "sold_out": sorted(sku for sku, n in changed.items() if n == 0)}
    return {"platforms": platforms, "skus": len(units), "sold_out": sold_out}
