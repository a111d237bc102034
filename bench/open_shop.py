"""Open the sample shop on the embedded defaults and print where the time goes.

    .venv/bin/python bench/open_shop.py [--catalog store_data/samples/catalog.csv] [--products 20] [--always-ask]
                                        [--oscar]

Prints wall time per stage (summed over products), model calls and tokens per listing,
how each listing's copy and each clip's script were made, and the whole open's wall time.
Target: the whole open of 20 products, clips included, within 3 minutes on 2 cores. The
sample catalog has 16 products (22 SKUs); by default four more of its colourways are listed
as products of their own (their own photos, names and SKUs), as many shops do, to open 20.
Runs in a temporary work directory. `--oscar` opens the shop on a fresh django-oscar test
shop (bench/oscar_shop/, the `oscar` extra) instead of the sandbox, to compare the two.
"""

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from sqlmodel import Session, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.operator import operator
from agent.runner import start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.catalog import import_catalog
from store_data.shop import Asset, Listing
from tools.llm import NOT_ASKED

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "store_data" / "samples" / "catalog.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=SAMPLE)
    parser.add_argument("--brief", default="calm, well-made homeware for small homes")
    parser.add_argument("--approval", default="auto", help="auto measures the whole open without waiting")
    parser.add_argument("--products", type=int, default=None,
                        help="list colourways as products of their own until there are this many (0: as the catalog "
                             "has them; default: 20 for the sample catalog, the target's size)")
    parser.add_argument("--always-ask", action="store_true",
                        help="ask the model for every listing's copy, even after its drafts keep failing")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--oscar", action="store_true", help="open on a fresh django-oscar shop")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-open-"))
    platform = {}
    if args.oscar:
        sys.path.insert(0, str(ROOT / "bench"))
        from oscar_orders import STAFF, start_shop

        shop, url, _ = start_shop(workdir / "oscar")
        platform = {"platform": "oscar", "marketplace_url": url, "marketplace_user": STAFF[0],
                    "marketplace_password": STAFF[1]}
    settings = load_settings(workdir, approval_mode=args.approval, llm_skip_failing=not args.always_ask, **platform)
    workspace = open_workspace(settings)
    products = (20 if args.catalog.resolve() == SAMPLE else 0) if args.products is None else args.products
    catalog = split_colourways(args.catalog, products, workdir) if products else args.catalog
    started = time.perf_counter()
    with Session(workspace.engine) as session:
        report = import_catalog(session, catalog, workdir)
        session.commit()
    imported = time.perf_counter() - started
    try:
        with operator(workspace) as op:
            run_started = time.perf_counter()
            outcome = start_run(workspace, "open", args.brief, llm=op.llm, driver=op.driver)
            run_seconds = time.perf_counter() - run_started
    finally:
        if args.oscar:
            shop.terminate()
            shop.wait(15)
    total = time.perf_counter() - started

    per_tool: dict[str, list[int]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    for step in steps_of(workspace.engine, outcome.run_id):
        per_tool[step.tool].append(step.duration_ms or 0)
        if step.status == "failed":
            failures[step.tool] += 1
    with Session(workspace.engine) as session:
        listings = session.exec(select(func.count()).select_from(Listing)).one()
        copy_by = Counter(session.exec(select(Listing.made_by)).all())
        not_asked = sum(any(f.startswith(NOT_ASKED) for f in findings or [])
                        for findings in session.exec(select(Listing.check_findings)).all())
        clips = session.exec(select(Asset).where(Asset.kind == "clip")).all()
        script_by = Counter((clip.provenance or {}).get("script_made_by") for clip in clips)
        clip_seconds = sum((clip.provenance or {}).get("duration_s") or 0 for clip in clips)

    print(f"work directory: {workdir}; platform: {settings.platform}")
    print(f"catalog: {report.imported} SKUs imported in {imported:.2f} s; run {outcome.run_id}: {outcome.status}")
    print(f"{'stage':<24}{'calls':>6}{'total s':>10}{'mean s':>9}{'failed':>8}")
    for tool, durations in per_tool.items():
        print(f"{tool:<24}{len(durations):>6}{sum(durations) / 1000:>10.2f}{sum(durations) / 1000 / len(durations):>9.2f}"
              f"{failures[tool]:>8}")
    per_listing = max(listings, 1)
    print(f"model calls: {outcome.model_calls} ({outcome.model_calls / per_listing:.2f} per listing); "
          f"tokens: {outcome.tokens} ({outcome.tokens / per_listing:.0f} per listing); listings: {listings}")
    print(f"listing copy made by: {dict(copy_by)} ({not_asked} without asking the model, its recent drafts having "
          f"failed); clip scripts made by: {dict(script_by)}; {len(clips)} clips, {clip_seconds:.0f} s of video")
    print(f"open run wall time: {run_seconds:.1f} s; with import: {total:.1f} s (target <= 180 s); "
          f"load average {os.getloadavg()[0]:.1f}")


def split_colourways(catalog: Path, products: int, workdir: Path) -> Path:
    """The catalog with extra variants listed as products of their own (handle + option
    value) until it has `products` products, written with its photos into the work
    directory (a catalog's photos must lie in its own folder)."""
    with catalog.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    count = len({row["product"] for row in rows})
    seen: set[str] = set()
    for row in rows:
        if row["product"] in seen and count < products:
            row["product"] = f"{row['product']}-{row['options'].split('=')[-1].strip().lower()}"
            count += 1
        seen.add(row["product"])
    if count < products:
        raise SystemExit(f"{catalog} has only {count} products and colourways; ask for --products {count} or fewer")
    folder = workdir / "supplier"
    for photo in {p for row in rows for p in row["photos"].split("|") if p}:
        (folder / photo).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(catalog.parent / photo, folder / photo)
    path = folder / f"catalog-{products}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


if __name__ == "__main__":
    main()
