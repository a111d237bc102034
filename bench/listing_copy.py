"""Listing-copy benchmark with the embedded model; prints its figures.

    .venv/bin/python bench/listing_copy.py                 every product of store_data/samples/catalog.csv, en, sandbox
    .venv/bin/python bench/listing_copy.py --limit 4 --lang zh-CN --platform taobao --catalog store_data/samples/catalog_zh.csv

Figures: model calls and tokens per listing (targets: at most 2 and 1,500), which path made
each listing (model, repaired, template), listings per minute (the model server's start
is timed apart), and a second pass over the same inputs, which must make no model call.
"""

import os
import sys

# This file shares its name with the standard library's `copy`: keep its folder off the
# import path, or every `import copy` below would load this script instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
ROOT = os.path.dirname(_HERE)
sys.path.insert(0, ROOT)

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlmodel import Session, col, select  # noqa: E402

from agent.llm import make_llm  # noqa: E402
from agent.settings import Settings  # noqa: E402
from store_data.catalog import import_catalog  # noqa: E402
from store_data.db import make_engine, session_scope, sqlite_url  # noqa: E402
from store_data.shop import Product, Shop, Variant  # noqa: E402
from tools.copy import write_listing_copy  # noqa: E402
from tools.deps import ToolDeps  # noqa: E402

SAMPLE = Path(ROOT) / "store_data" / "samples" / "catalog.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=SAMPLE)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--platform", default="sandbox")
    parser.add_argument("--limit", type=int, default=0, help="only the first N products (0: all)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp) / "shop"
        (workdir / "runs").mkdir(parents=True)
        # Every listing asks the model: this measures the model's path, not how soon it is given up.
        settings = Settings.load(workdir, llm_provider="embedded", llm_skip_failing=False)
        engine = make_engine(sqlite_url(workdir / "shop.db"))
        with session_scope(engine) as session:
            report = import_catalog(session, args.catalog, workdir)
            session.add(Shop(name="Hearth & Table", tone="warm, plain, practical",
                             brief="simple, well-made things for the kitchen and the table"))
        with Session(engine) as session:
            firsts = [session.exec(select(Variant.sku).where(Variant.product_id == p.id).order_by(Variant.sku)).first()
                      for p in session.exec(select(Product).order_by(col(Product.id)))]
        skus = [sku for sku in firsts if sku is not None]  # a product without variants has no listing
        skus = skus[:args.limit] if args.limit else skus
        llm = make_llm(settings)
        deps = ToolDeps(engine=engine, workdir=workdir, settings=settings, llm=llm)
        started = time.perf_counter()
        llm.model()  # the embedded server starts here, timed apart from the listings
        server_s = time.perf_counter() - started

        results, seconds = [], []
        for sku in skus:
            t0 = time.perf_counter()
            results.append(write_listing_copy(deps, sku, args.lang, args.platform))
            seconds.append(time.perf_counter() - t0)
            r = results[-1]
            print(f"  {sku:<16} {r['made_by']:<9} calls {r['model_calls']}  tokens {r['tokens']:>5}  "
                  f"{seconds[-1]:6.1f} s  {r['title']}", flush=True)
            for finding in r["findings"]:
                print(f"      {finding[:150]}", flush=True)
        t0 = time.perf_counter()
        again = [write_listing_copy(deps, sku, args.lang, args.platform) for sku in skus]
        cached_s = time.perf_counter() - t0

    calls = [r["model_calls"] for r in results]
    tokens = [r["tokens"] for r in results]
    total_s = sum(seconds)
    print(f"\nlisting copy, embedded model, {args.catalog.name} ({report.imported} SKUs imported), "
          f"{len(results)} listings, {args.lang}, {args.platform}")
    print(f"  model server start          {server_s:8.1f} s")
    print(f"  model calls per listing     mean {statistics.mean(calls):.2f}  max {max(calls)}  (target <= 2)")
    print(f"  tokens per listing          mean {statistics.mean(tokens):.0f}  max {max(tokens)}  (target <= 1500)")
    print(f"  within both targets         {sum(c <= 2 and t <= 1500 for c, t in zip(calls, tokens))}/{len(results)}")
    print(f"  made by                     {dict(Counter(r['made_by'] for r in results))}")
    print(f"  seconds per listing         mean {statistics.mean(seconds):.1f}  max {max(seconds):.1f}")
    print(f"  listings per minute         {60 * len(results) / total_s:.2f}")
    print(f"  second pass (same inputs)   {sum(r['model_calls'] for r in again)} model calls, "
          f"{sum(r['cached'] for r in again)}/{len(again)} from the cache, {cached_s:.2f} s")
    print(f"  CPU cores here              {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
