"""`shopagent report`, `orders import-history` and `stats import` as users run them (in
this process, through the console script's entry point: the `shopagent` fixture)."""

import json
from pathlib import Path

TAU = Path(__file__).resolve().parents[2] / "store_data" / "samples" / "tau_retail" / "db.json.gz"


def test_history_stats_and_report(shopagent, workdir):
    run = shopagent
    history = workdir / "history.csv"
    history.write_text("order_id,placed_at,sku,quantity,unit_price\n"
                       "H-1,2026-03-13T10:00:00+00:00,MUG-1,2,10.00\n"
                       "H-2,2026-03-13T11:00:00+00:00,MUG-1,1,ten\n")
    imported = run("orders", "import-history", str(history), "--workdir", str(workdir), "--json")
    assert imported.returncode == 1, imported.stderr
    assert json.loads(imported.stdout)["orders_created"] == 1
    stats = workdir / "stats.csv"
    stats.write_text("day,listing_id,sku,title,visits,add_to_carts,orders,units,revenue_cents,conversion\n"
                     "2026-03-13,7,MUG-1,Mug,50,3,1,2,2000,0.02\n")
    assert run("stats", "import", str(stats), "--workdir", str(workdir)).returncode == 0

    shown = run("report", "--days", "7", "--end", "2026-03-14", "--workdir", str(workdir))
    assert shown.returncode == 0, shown.stderr
    assert "gross revenue" in shown.stdout and "USD 20.00" in shown.stdout and "2.0%" in shown.stdout
    report = workdir / "assets" / "reports" / "report-2026-03-14-7d.html"
    assert report.is_file() and f"Report: {report}" in shown.stdout.replace("\n", "")
    data = json.loads(run("report", "--days", "7", "--end", "2026-03-14", "--workdir", str(workdir), "--json").stdout)
    assert (data["summary"]["gross_cents"], data["summary"]["conversion"]) == (2000, 0.02)


def test_bad_map_is_one_line(shopagent, workdir):
    result = shopagent("orders", "import-history", "x.csv", "--map", "order_id", "--workdir", str(workdir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Error: --map 'order_id' is not OURS=THEIRS")
