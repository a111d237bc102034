"""pull_stats: the marketplace's traffic per listing and day, into the shop's records.

The daily loop pulls it before the sales report, whose visits and conversion come from it.
"""

from datetime import date, timedelta

from store_data.clock import utcnow
from store_data.db import session_scope
from store_data.listing_stats import import_stats_text
from tools.analytics.report import shop_timezone
from tools.deps import ToolDeps
from tools.drivers.marketplace import STATS
from tools.errors import ToolRetry
from tools.order_policy import marketplace
from tools.order_sync import missing_capability, require_driver

MAX_DAYS = 400


def pull_stats(deps: ToolDeps, days: int = 60, end: date | None = None) -> dict:
    """Pull the marketplace's visits, add-to-carts and orders per listing and day for the
    `days` days ending `end` (default: today, in the shop's timezone) and store them; the
    days pulled replace what the shop stored for them. Returns the counts of rows read,
    created, updated, unchanged and removed, and the
    export's bad rows, if any."""
    if not 1 <= days <= MAX_DAYS:
        raise ToolRetry(f"days must be between 1 and {MAX_DAYS}, not {days}")
    skipped = missing_capability(deps, STATS)
    if skipped:
        return {"note": skipped}
    driver = require_driver(deps, STATS)
    if end is None:
        end = utcnow().astimezone(shop_timezone(deps.settings.timezone)).date()
    start = end - timedelta(days=days - 1)
    text = driver.export_stats(start, end)
    with session_scope(deps.engine) as session:
        report = import_stats_text(session, text, f"{driver.name} stats {start}..{end}", marketplace(deps),
                                   window=(start, end))
    result = report.to_dict()
    # A bad row is the platform's to fix; the good ones are stored and the report still runs.
    result["problems"] = [f"row {e['row']} ({e['column']}): {e['reason']}" for e in result.pop("errors")]
    return {**result, "first_day": start.isoformat(), "last_day": end.isoformat()}
