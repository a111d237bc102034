"""The sales_report tool: the HTML file, its JSON, errors; on the τ² sample shop and an empty one."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from agent.settings import Settings
from store_data.tau import SAMPLE_FILE, import_tau
from tools.deps import ToolDeps
from tools.errors import ToolRetry
from tools.registry import get_tool

TAU = SAMPLE_FILE


def deps_for(engine, workdir, **settings) -> ToolDeps:
    return ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir, **settings))


def test_report_on_the_sample_shop(engine, workdir):
    with Session(engine) as s:
        import_tau(s, TAU)
        s.commit()
    result = get_tool("sales_report").call(deps_for(engine, workdir, timezone="Asia/Shanghai"),
                                           {"days": 30, "end": "2026-10-31"})
    json.dumps(result)  # plain JSON, nothing needs a custom encoder
    assert result["period"] == {"first": "2026-10-02", "last": "2026-10-31", "days": 30,
                                "timezone": "Asia/Shanghai", "currency": "USD"}
    assert len(result["daily"]) == 30 and result["summary"]["orders"] == sum(d["orders"] for d in result["daily"])
    assert result["summary"]["gross_cents"] == sum(d["gross_cents"] for d in result["daily"])
    assert {p["kind"] for p in result["proposals"]} >= {"reorder", "promo_clip"}
    clip = next(p for p in result["proposals"] if p["kind"] == "promo_clip")
    assert clip["tool"] == "make_promo_clip" and clip["numbers"]["rank"] == 1
    assert clip["numbers"]["gross_cents"] == result["top_products"][0]["gross_cents"]
    path = Path(result["report"])
    assert path == workdir / "assets" / "reports" / "report-2026-10-31-30d.html"
    html = path.read_text(encoding="utf-8")
    week = get_tool("sales_report").call(deps_for(engine, workdir, timezone="Asia/Shanghai"),
                                         {"days": 7, "end": "2026-10-31"})
    assert Path(week["report"]).name == "report-2026-10-31-7d.html" and path.read_text(encoding="utf-8") == html
    assert html.count("<svg") == 4 and "Espresso Machine" in html
    assert not re.search(r'(src|href)="(http|//)', html)  # self-contained: nothing to fetch


def test_report_of_an_empty_shop(engine, workdir):
    result = get_tool("sales_report").call(deps_for(engine, workdir), {"days": 7, "end": date(2026, 3, 14)})
    assert result["summary"]["orders"] == 0 and result["summary"]["aov_cents"] is None
    assert result["proposals"] == [] and result["top_products"] == []
    assert "No sales in this period" in Path(result["report"]).read_text(encoding="utf-8")


def test_errors_say_what_to_fix(engine, workdir):
    tool = get_tool("sales_report")
    with pytest.raises(ToolRetry, match="days must be between 1 and 366"):
        tool.call(deps_for(engine, workdir), {"days": 0})
    # A bad timezone is refused where the settings load, before any tool runs.
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'; use an IANA name"):
        deps_for(engine, workdir, timezone="Mars/Olympus")


def test_the_report_lists_a_waiting_proposal_once_and_leaves_out_a_rejected_one(engine, workdir):
    from store_data.audit import Approval, Run
    from store_data.clock import utcnow
    with Session(engine) as s:
        import_tau(s, TAU)
        s.commit()
    deps = deps_for(engine, workdir, timezone="Asia/Shanghai")
    first = get_tool("sales_report").call(deps, {"days": 30, "end": "2026-10-31"})
    reorder, clip = (next(p for p in first["proposals"] if p["kind"] == kind) for kind in ("reorder", "promo_clip"))
    with Session(engine) as s:  # the owner has the reorder waiting and rejected the clip
        s.add(Run(id="earlier", workflow="daily"))
        s.flush()
        waiting = Approval(run_id="earlier", tool=reorder["tool"], arguments=reorder["arguments"], reason="proposed")
        rejected = Approval(run_id="earlier", tool=clip["tool"], arguments=clip["arguments"], reason="proposed",
                            status="rejected", decided_by="owner", decided_at=utcnow())
        s.add_all([waiting, rejected])
        s.commit()
        waiting_id = waiting.id
    again = get_tool("sales_report").call(deps, {"days": 30, "end": "2026-10-31"})
    same = next(p for p in again["proposals"] if p["arguments"] == reorder["arguments"] and p["tool"] == reorder["tool"])
    assert same["waiting_as"] == f"approval {waiting_id}"
    assert clip["arguments"] not in [p["arguments"] for p in again["proposals"] if p["tool"] == clip["tool"]]
    queued = [(c["tool"], c["arguments"]) for c in again["follow_up"]]
    assert (reorder["tool"], reorder["arguments"]) not in queued and (clip["tool"], clip["arguments"]) not in queued
    assert f"already waiting for you as approval {waiting_id}" in Path(again["report"]).read_text(encoding="utf-8")


def test_a_shop_on_two_platforms_sees_each_and_the_total(engine, workdir):
    from sqlalchemy import update

    from store_data.orders import Order
    with Session(engine) as s:
        import_tau(s, TAU)
        s.commit()
        s.exec(update(Order).where(Order.id % 3 == 0).values(marketplace="oscar"))  # type: ignore[call-overload]
        s.commit()
    result = get_tool("sales_report").call(deps_for(engine, workdir, timezone="Asia/Shanghai"),
                                           {"days": 30, "end": "2026-10-31"})
    *platforms, total = result["platforms"]
    assert sorted(p["marketplace"] for p in platforms) == ["oscar", "sandbox"] and total["marketplace"] == "total"
    # The same definitions as the report's own figures: the platforms add up to them.
    for figure in ("orders", "units", "gross_cents", "refunds_cents", "net_cents"):
        assert sum(p[figure] for p in platforms) == total[figure] == result["summary"][figure], figure
    assert all(p["orders"] > 0 for p in platforms)
    html = Path(result["report"]).read_text(encoding="utf-8")
    assert "<h2>Platforms</h2>" in html and "All platforms" in html


def test_a_shop_on_one_platform_has_no_platform_table(engine, workdir):
    with Session(engine) as s:
        import_tau(s, TAU)
        s.commit()
    result = get_tool("sales_report").call(deps_for(engine, workdir, timezone="Asia/Shanghai"),
                                           {"days": 30, "end": "2026-10-31"})
    assert result["platforms"] == [] and "<h2>Platforms</h2>" not in Path(result["report"]).read_text(encoding="utf-8")
