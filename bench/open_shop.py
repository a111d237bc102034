"""Open the sample shop on the embedded defaults and print where the time goes.

    .venv/bin/python bench/open_shop.py [--catalog store_data/samples/catalog.csv] [--approval auto]

Prints wall time per stage (summed over products), model calls and tokens per listing,
and the whole open's wall time. Target: the whole open of 20 products, clips included,
within 3 minutes on 2 cores. Runs in a temporary work directory.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlmodel import Session, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.operator import operator  # noqa: E402
from agent.runner import start_run  # noqa: E402
from agent.runs import steps_of  # noqa: E402
from agent.workspace import load_settings, open_workspace  # noqa: E402
from store_data.catalog import import_catalog  # noqa: E402
from store_data.shop import Listing  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=ROOT / "store_data" / "samples" / "catalog.csv")
    parser.add_argument("--brief", default="calm, well-made homeware for small homes")
    parser.add_argument("--approval", default="auto", help="auto measures the whole open without waiting")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-open-"))
    settings = load_settings(workdir, approval_mode=args.approval)
    workspace = open_workspace(settings)
    started = time.perf_counter()
    with Session(workspace.engine) as session:
        report = import_catalog(session, args.catalog, workdir)
        session.commit()
    imported = time.perf_counter() - started
    with operator(workspace) as op:
        run_started = time.perf_counter()
        outcome = start_run(workspace, "open", args.brief, llm=op.llm, driver=op.driver)
        run_seconds = time.perf_counter() - run_started
    total = time.perf_counter() - started

    per_tool: dict[str, list[int]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    for step in steps_of(workspace.engine, outcome.run_id):
        per_tool[step.tool].append(step.duration_ms or 0)
        if step.status == "failed":
            failures[step.tool] += 1
    with Session(workspace.engine) as session:
        listings = session.exec(select(func.count()).select_from(Listing)).one()

    print(f"work directory: {workdir}")
    print(f"catalog: {report.imported} SKUs imported in {imported:.2f} s; run {outcome.run_id}: {outcome.status}")
    print(f"{'stage':<24}{'calls':>6}{'total s':>10}{'mean s':>9}{'failed':>8}")
    for tool, durations in per_tool.items():
        print(f"{tool:<24}{len(durations):>6}{sum(durations) / 1000:>10.2f}{sum(durations) / 1000 / len(durations):>9.2f}"
              f"{failures[tool]:>8}")
    per_listing = max(listings, 1)
    print(f"model calls: {outcome.model_calls} ({outcome.model_calls / per_listing:.2f} per listing); "
          f"tokens: {outcome.tokens} ({outcome.tokens / per_listing:.0f} per listing); listings: {listings}")
    print(f"open run wall time: {run_seconds:.1f} s; with import: {total:.1f} s (target <= 180 s); "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
