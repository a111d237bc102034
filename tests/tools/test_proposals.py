"""The sales report's proposals become approval items in a daily run; approved, they act."""

import csv
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from agent.approvals import decide, list_approvals
from agent.runner import resume_run, start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.clock import utcnow
from store_data.orders import Order, OrderLine
from store_data.shop import Listing, PriceTest, Product, Variant
from store_data.status import ListingStatus
from tools.registry import BY_NAME, get_tool

DAILY_TOOLS = {name: BY_NAME[name] for name in
               ("sales_report", "end_price_tests", "reorder_stock", "start_price_test", "write_listing_copy",
                "make_promo_clip") if name in BY_NAME}


def shop_with_sales(workspace, listed_days_ago: float = 30, marketplace: str = "sandbox"):
    now = utcnow()
    with Session(workspace.engine) as session:
        fast, slow = Product(handle="fast", name="Fast mug"), Product(handle="slow", name="Slow vase")
        session.add_all([fast, slow])
        session.flush()
        assert fast.id is not None and slow.id is not None
        session.add_all([Listing(product_id=product_id, marketplace=marketplace, status=ListingStatus.PUBLISHED,
                                 published_at=now - timedelta(days=listed_days_ago)) for product_id in (fast.id, slow.id)])
        hot = Variant(sku="FAST-1", product_id=fast.id, cost_cents=400, price_cents=1099, stock=3)
        cold = Variant(sku="SLOW-1", product_id=slow.id, cost_cents=800, price_cents=2999, stock=200)
        session.add_all([hot, cold])
        session.flush()
        for number in range(12):
            order = Order(remote_id=f"A-{number}", total_cents=1099, paid_cents=1099, status="delivered",
                          placed_at=now - timedelta(days=2 + number % 10))
            session.add(order)
            session.flush()
            assert order.id is not None
            session.add(OrderLine(order_id=order.id, variant_id=hot.id, sku="FAST-1", unit_price_cents=1099))
        session.commit()


def test_proposals_wait_then_act(workdir):
    workspace = open_workspace(load_settings(workdir, approval_mode="auto"))
    shop_with_sales(workspace)
    outcome = start_run(workspace, "daily", "daily operations", llm=None, tools=DAILY_TOOLS)
    assert outcome.status == "paused"
    queued = {a.tool: a for a in list_approvals(workspace)}
    # Even in auto mode, proposals are the owner's call.
    assert {"reorder_stock", "start_price_test"} <= set(queued)
    assert all("proposal from the sales report" in a.reason for a in queued.values())
    reorder, test = queued["reorder_stock"], queued["start_price_test"]
    assert reorder.arguments["sku"] == "FAST-1" and reorder.arguments["quantity"] > 0
    assert test.arguments["sku"] == "SLOW-1" and test.arguments["price_cents"] < 2999

    decide(workspace, reorder.id, "approve")
    decide(workspace, test.id, "approve")
    for other in list_approvals(workspace):
        decide(workspace, other.id, "reject")
    done = resume_run(workspace, outcome.run_id, tools=DAILY_TOOLS)
    assert done.status == "completed", done.summary

    [order_file] = (workdir / "assets" / "purchase-orders").glob("PO-*.csv")
    rows = list(csv.DictReader(order_file.open()))
    assert [(r["sku"], int(r["quantity"])) for r in rows] == [("FAST-1", reorder.arguments["quantity"])]
    with Session(workspace.engine) as session:
        assert session.exec(select(Variant.price_cents).where(Variant.sku == "SLOW-1")).one() == test.arguments["price_cents"]
        running = session.exec(select(PriceTest)).one()
        assert (running.old_price_cents, running.status) == (2999, "running")


def test_price_test_limits_and_end(workdir):
    workspace = open_workspace(load_settings(workdir))
    shop_with_sales(workspace)
    deps = workspace.tool_deps()
    from tools.errors import ToolRetry
    from tools.proposals import end_price_tests, reorder_stock, start_price_test

    try:
        start_price_test(deps, "SLOW-1", 900)  # below cost 8.00 x 1.3
        raise AssertionError("a test price under the minimum markup was accepted")
    except ToolRetry as problem:
        assert "below the minimum price 1040" in str(problem)
    assert start_price_test(deps, "SLOW-1", 2499, days=0)["old_price_cents"] == 2999
    assert start_price_test(deps, "SLOW-1", 2399)["already_running"] is True
    assert end_price_tests(deps)["ended"] == [{"sku": "SLOW-1", "restored_cents": 2999}]
    with Session(workspace.engine) as session:
        assert session.exec(select(Variant.price_cents).where(Variant.sku == "SLOW-1")).one() == 2999

    first = reorder_stock(deps, "FAST-1", 30)
    again = reorder_stock(deps, "FAST-1", 30)
    assert first["total_cost_cents"] == 12000 and again["already_ordered"] is True


def test_purchase_order_csv_writes_formula_like_text_as_text(workdir):
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        product = Product(handle="odd", name="Odd")
        session.add(product)
        session.flush()
        session.add(Variant(sku="=1+1", product_id=product.id, cost_cents=100, stock=1))
        session.commit()
    from tools.proposals import reorder_stock

    order = reorder_stock(workspace.tool_deps(), "=1+1", 2)
    with (workdir / order["purchase_order"]).open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["sku"], row["quantity"], row["total_cost_cents"]) == ("'=1+1", "2", "200")


def test_price_test_preview_checks_the_limits_an_edit_must_keep(workdir):
    workspace = open_workspace(load_settings(workdir))
    shop_with_sales(workspace)
    from tools.errors import ToolRetry
    from tools.proposals import preview_price_test

    deps = workspace.tool_deps()
    assert preview_price_test(deps, "SLOW-1", 2499)["change_pct"] == 16.67
    for price, days, problem in ((-100, 14, "below the minimum price 1040"), (10**12, 14, "over the highest price"),
                                 (2499, -3, "0 days or more")):
        with pytest.raises(ToolRetry, match=problem):
            preview_price_test(deps, "SLOW-1", price, days)


def pending(workspace) -> list[tuple[str, str]]:
    return sorted((a.tool, a.arguments["sku"]) for a in list_approvals(workspace))


def test_daily_passes_in_a_row_leave_one_pending_approval_per_proposal(workdir):
    workspace = open_workspace(load_settings(workdir))
    shop_with_sales(workspace)
    start_run(workspace, "daily", "daily operations", llm=None, tools=DAILY_TOOLS)
    queued = pending(workspace)
    assert {("reorder_stock", "FAST-1"), ("start_price_test", "SLOW-1")} <= set(queued)
    ids = {(a.tool, a.arguments["sku"]): a.id for a in list_approvals(workspace)}
    for _ in range(2):
        again = start_run(workspace, "daily", "daily operations", llm=None, tools=DAILY_TOOLS)
        assert pending(workspace) == queued  # nothing added, nothing lost
        # The report lists each one as waiting and queues none of them again.
        assert not [s for s in steps_of(workspace.engine, again.run_id) if s.tool in {t for t, _ in queued}]
        [report] = [s.output for s in steps_of(workspace.engine, again.run_id) if s.tool == "sales_report"]
        listed = {(p["tool"], p["arguments"]["sku"]): p["waiting_as"] for p in report["proposals"]}
        assert {key: listed[key] for key in queued} == {key: f"approval {ids[key]}" for key in queued}


def test_a_rejected_proposal_is_not_proposed_again_for_a_while(workdir):
    workspace = open_workspace(load_settings(workdir))
    shop_with_sales(workspace)
    start_run(workspace, "daily", "daily operations", llm=None, tools=DAILY_TOOLS)
    [test] = [a for a in list_approvals(workspace) if a.tool == "start_price_test"]
    decide(workspace, test.id, "reject", note="not now")
    again = start_run(workspace, "daily", "daily operations", llm=None, tools=DAILY_TOOLS)
    assert not [s for s in steps_of(workspace.engine, again.run_id) if s.tool == "start_price_test"]
    [report] = [s.output for s in steps_of(workspace.engine, again.run_id) if s.tool == "sales_report"]
    assert "SLOW-1" not in [p["arguments"].get("sku") for p in report["proposals"] if p["tool"] == "start_price_test"]
    assert ("start_price_test", "SLOW-1") not in pending(workspace)

    anytime = open_workspace(load_settings(workdir, proposal_cooldown_days=0))
    start_run(anytime, "daily", "daily operations", llm=None, tools=DAILY_TOOLS)
    assert ("start_price_test", "SLOW-1") in pending(anytime)


@pytest.mark.parametrize(("listed_days_ago", "marketplace", "running", "settings", "tested"), [
    (30, "sandbox", False, {}, True),
    (1 / 24, "sandbox", False, {}, False),  # published an hour ago
    (1 / 24, "sandbox", False, {"price_test_min_age_days": 0}, True),
    (30, "oscar", False, {}, False),  # never published on the platform in use
    (30, "sandbox", True, {}, False),  # a test already runs
])
def test_price_tests_only_for_listings_old_enough_on_this_platform_and_not_under_test(
        workdir, listed_days_ago, marketplace, running, settings, tested):
    workspace = open_workspace(load_settings(workdir, **settings))
    shop_with_sales(workspace, listed_days_ago, marketplace)
    if running:
        with Session(workspace.engine) as session:
            session.add(PriceTest(sku="SLOW-1", old_price_cents=2999, test_price_cents=2699,
                                  ends_at=utcnow() + timedelta(days=3)))
            session.commit()
    report = get_tool("sales_report").call(workspace.tool_deps(), {"days": 30})
    kinds = [p["kind"] for p in report["proposals"]]
    assert ("price_test" in kinds) is tested and "reorder" in kinds
