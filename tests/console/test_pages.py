"""The read-only pages in a real Chromium: a run's timeline with its screenshot, the latest
report embedded without its scripts, the settings with secrets masked."""

import pytest

from agent import runs

pytestmark = pytest.mark.browser


def test_run_timeline_report_and_settings(console, page, log_in, make_photo):
    from playwright.sync_api import expect

    workspace = console.workspace
    shot = make_photo(workspace.runs / "20260101-publish-listing.png", size=(300, 200))
    run = runs.new_run(workspace.engine, "daily", "daily operations")
    done = runs.step_row(workspace.engine, run.id, 0, "sales_report", {"days": 30}, "model")
    runs.save_step(workspace.engine, done, status="done", output={"path": "assets/reports/report.html", "orders": 12},
                   duration_ms=840)
    failed = runs.step_row(workspace.engine, run.id, 1, "publish_listing", {"sku": "BOARD-01"}, "model")
    runs.save_step(workspace.engine, failed, status="failed", duration_ms=15200,
                   error=f"could not publish listing BOARD-01 after 4 tries (timeout); screenshot {shot} and page x")
    reports = workspace.assets / "reports"
    reports.mkdir(parents=True)
    (reports / "report-2026-01-01.html").write_text(
        "<html><body><h1>Sales, 30 days</h1><p id=revenue>Revenue USD 1,234.00</p>"
        "<script>document.body.innerHTML = 'script ran'</script></body></html>")

    log_in(page, console)
    page.get_by_role("link", name="Runs").click()
    page.get_by_role("link", name=run.id).click()
    first, second = page.locator("#step-0"), page.locator("#step-1")
    expect(first).to_contain_text("840 ms")
    first.get_by_text("Output").click()
    expect(first.locator("pre").last).to_contain_text('"orders": 12')
    second.get_by_text("Inputs").click()
    expect(second.locator("pre").first).to_contain_text('"sku": "BOARD-01"')
    expect(second).to_contain_text("15200 ms")
    expect(second.locator(".status-failed").last).to_contain_text("could not publish listing BOARD-01")
    screenshot = second.locator("img.pic").element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth === 300", arg=screenshot)

    page.get_by_role("link", name="Reports").click()
    report = page.frame_locator("iframe.report")
    expect(report.locator("#revenue")).to_have_text("Revenue USD 1,234.00")
    expect(report.locator("h1")).to_have_text("Sales, 30 days")  # the report's script did not run

    page.get_by_role("link", name="Settings").click()
    table = page.locator("#settings")
    expect(table.locator("tr", has_text="console_password")).to_contain_text("****")
    assert "owner-pass-4821" not in page.content()
