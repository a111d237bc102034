"""Publishing the sample catalog's products on the sandbox and on a django-oscar shop, through
each platform's browser driver: the seconds per platform for the same listings, and where
Oscar's went (page loads, form posts, each kind of page).

    python bench/oscar_publish.py [--products 11] [--variants]

The listings are the sample catalog's (store_data/samples/catalog.csv): the first
`--products` single-SKU products, plus its products with variants with `--variants`, each
with its supplier photos (up to two) as pictures. Both shops start fresh on 127.0.0.1; the
figures exclude their start and the first login.
"""

import argparse
import csv
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from oscar_orders import STAFF, start_shop  # bench/oscar_orders.py, beside this file
from orders import start_marketplace  # bench/orders.py
from tools.drivers.browser import BrowserDriver
from tools.drivers.marketplace import ListingDraft
from tools.drivers.oscar_browser import OscarBrowserDriver
from tools.drivers.sandbox_browser import SandboxBrowserDriver

SAMPLES = Path(__file__).resolve().parents[1] / "store_data" / "samples"
SELLER = ("seller@example.com", "sandbox-seller")
PAGE_KIND = re.compile(r"/\d+/")
TARGET = re.compile(r"[A-Z0-9-]{4,}|\d+")  # a SKU or a number in a form's description


def drafts(products: int, variants: bool) -> list[ListingDraft]:
    """The sample catalog's products as listing drafts, single-SKU ones first."""
    rows: dict[str, list[dict]] = defaultdict(list)
    with (SAMPLES / "catalog.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["product"] or row["sku"]].append(row)
    singles = [r for r in rows.values() if len(r) == 1][:products]
    several = [r for r in rows.values() if len(r) > 1] if variants else []
    made = []
    for group in singles + several:
        first = group[0]
        photos = [SAMPLES / p for p in first["photos"].split("|") if p][:2]
        price = round(float(first["cost"]) * 250)
        made.append(ListingDraft(
            sku=first["sku"] if len(group) == 1 else first["product"], title=first["name"][:120],
            description_html=f"<p>{first['description']}</p>", price_cents=price, stock=int(first["stock"]),
            category=first["category"], images=photos,
            variants=[] if len(group) == 1 else [(r["sku"], r["options"].replace("; ", ", "),
                                                   round(float(r["cost"]) * 250), int(r["stock"])) for r in group]))
    return made


class Timed:
    """Seconds and counts of a driver's page loads and form posts (clicked in the page, or sent
    from its session without loading the page after them), by kind of page."""

    def __init__(self, driver: BrowserDriver):
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        goto, click, send = driver._goto, driver._click_and_wait, driver._send_form

        def timed_goto(path):
            return self._time(f"load {PAGE_KIND.sub('/N/', path.split('?')[0])}", goto, path)

        def timed_click(click_it, what):
            kind = what.split(" category ")[0] + " category" if " category " in what else TARGET.sub("N", what)
            return self._time("post " + kind, click, click_it, what)

        def timed_send(form, button, what, files=None):  # a form sent without loading the page after it
            kind = what.split(" category ")[0] + " category" if " category " in what else TARGET.sub("N", what)
            return self._time("send " + kind, send, form, button, what, files)

        # Wrapped on this one instance to time them (mypy flags any assignment to a method).
        driver._goto, driver._click_and_wait = timed_goto, timed_click  # type: ignore[method-assign]
        driver._send_form = timed_send  # type: ignore[method-assign]

    def _time(self, kind, call, *args):
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.seconds[kind] += time.perf_counter() - started
            self.counts[kind] += 1


def publish_all(driver, listings: list[ListingDraft]) -> tuple[float, list[float]]:
    driver.login()
    each = []
    for draft in listings:
        started = time.perf_counter()
        driver.publish_listing(draft)
        each.append(time.perf_counter() - started)
    return sum(each), each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=11, help="single-SKU products to publish")
    parser.add_argument("--variants", action="store_true", help="also the products with variants")
    args = parser.parse_args()
    listings = drafts(args.products, args.variants)
    print(f"{len(listings)} listings, {sum(max(len(d.variants), 1) for d in listings)} SKUs, "
          f"{sum(len(d.images) for d in listings)} pictures")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        results = {}
        for name in ("sandbox", "oscar"):
            if name == "sandbox":
                process, url = start_marketplace(root / "market")
                driver: BrowserDriver = SandboxBrowserDriver(url, *SELLER, root / "runs-sandbox")
            else:
                process, url, _ = start_shop(root / "oscar")
                driver = OscarBrowserDriver(url, *STAFF, root / "runs-oscar")
            try:
                timed = Timed(driver)
                total, each = publish_all(driver, listings)
                results[name] = total
                print(f"{name}: {total:.1f} s for {len(listings)} listings "
                      f"({total / len(listings):.2f} s each; slowest {max(each):.2f} s)")
                for kind in sorted(timed.seconds, key=lambda k: timed.seconds[k], reverse=True)[:8]:
                    print(f"  {kind}: {timed.counts[kind]} x, {timed.seconds[kind]:.1f} s")
                login = sum(v for k, v in timed.seconds.items() if "/login" in k or k == "post log in")
                print(f"  between page loads and posts (filling forms, reading pages): "
                      f"{total + login - sum(timed.seconds.values()):.1f} s")
            finally:
                driver.close()
                process.terminate()
                process.wait(15)
        print(f"oscar / sandbox: {results['oscar'] / results['sandbox']:.2f}x")


if __name__ == "__main__":
    main()
