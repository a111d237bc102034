"""The daily loop's stats pull: the sandbox's stats export, in a real browser, after
simulated buyer traffic, gives the sales report real visits and conversion."""

from datetime import date
from types import SimpleNamespace

from sqlmodel import Session, select

from agent.workflows.daily import STAGES
from marketplace.simulator import simulate
from store_data.listing_stats import ListingStat
from tools.analytics.report import sales_report
from tools.stats import pull_stats

FIRST_DAY, LAST_DAY = date(2025, 2, 3), date(2025, 2, 5)


def _stored(workspace) -> list[tuple]:
    with Session(workspace.engine) as session:
        return sorted((s.listing_remote_id, s.day, s.visits, s.orders) for s in session.exec(select(ListingStat)))


def test_pulled_stats_give_the_report_visits_and_conversion(workspace, driver, market):
    simulated = simulate(market.url, days=3, seed=18, rate=25, start=FIRST_DAY)
    assert simulated.counts["visits"] > 0 and simulated.counts["orders"] > 0, simulated.counts
    deps = workspace.tool_deps(driver=driver)
    before = sales_report(deps, days=3, end=LAST_DAY)
    assert before["summary"]["visits"] == 0 and before["summary"]["conversion"] is None

    pulled = pull_stats(deps, days=7, end=LAST_DAY + date.resolution * 2)
    assert pulled["created"] > 0 and pulled["problems"] == []
    report = sales_report(deps, days=3, end=LAST_DAY)
    visits, conversion = report["summary"]["visits"], report["summary"]["conversion"]
    assert visits > 0 and isinstance(conversion, float) and 0 <= conversion <= 1
    assert visits == sum(v for _, day, v, _ in _stored(workspace) if FIRST_DAY <= day <= LAST_DAY)

    # The same days pulled again replace the numbers: nothing is added twice.
    stored = _stored(workspace)
    again = pull_stats(deps, days=7, end=LAST_DAY + date.resolution * 2)
    assert again["created"] == 0 and again["unchanged"] == pulled["created"]
    assert _stored(workspace) == stored
    assert sales_report(deps, days=3, end=LAST_DAY)["summary"]["visits"] == visits


def test_stats_pulled_before_the_report_in_the_daily_loop():
    names = [tool for tool, _, _ in STAGES]
    assert names.index("pull_stats") < names.index("sales_report")


def test_a_platform_without_stats_skips_the_pull_with_a_note(workspace):
    deps = workspace.tool_deps(driver=SimpleNamespace(name="other", capabilities=frozenset({"orders"})))
    assert pull_stats(deps) == {"note": "skipped: the other marketplace does not offer stats"}
    assert _stored(workspace) == []
