"""The driver `platform` names: Vendure's API driver from settings, and a clear error when a
setting it needs is missing. Nothing is reached: a driver connects on first use."""

import httpx
import pytest

from agent.errors import UserError
from agent.operator import make_driver
from agent.workspace import load_settings, open_workspace
from tools.drivers.vendure_api import VendureApiDriver
from tools.errors import PlatformStopped


def test_platform_vendure_makes_the_api_driver_from_settings(workdir):
    settings = load_settings(workdir, platform="vendure", marketplace_url="http://127.0.0.1:3000/",
                             marketplace_user="admin", marketplace_password="secret", browser_retries=5)
    driver, process = make_driver(open_workspace(settings))
    assert isinstance(driver, VendureApiDriver) and process is None
    assert driver.client.endpoint == "http://127.0.0.1:3000/admin-api" and driver.client.retries == 5
    assert (driver.client.user, driver.client.password) == ("admin", "secret") and driver.client.requests == 0
    driver.close()


def test_platform_vendure_without_an_address_or_login_says_what_to_set(workdir):
    workspace = open_workspace(load_settings(workdir, platform="vendure"))
    with pytest.raises(UserError, match="platform 'vendure' needs .* marketplace_url .* marketplace_password"):
        make_driver(workspace)


def test_the_api_driver_is_an_identified_agent_and_stops_when_the_platform_says_so(workdir, monkeypatch):
    settings = load_settings(workdir, platform="vendure", marketplace_url="http://127.0.0.1:3000",
                             marketplace_user="admin", marketplace_password="secret",
                             browser_headers={"vendure": {"X-Automated-Agent": "shopagent"}})
    driver, _ = make_driver(open_workspace(settings))
    assert isinstance(driver, VendureApiDriver)
    headers = driver.client.http.headers
    assert headers["User-Agent"].endswith("shopagent/0.1 (automated seller agent)")
    assert headers["X-Automated-Agent"] == "shopagent"
    # A platform's answer the test shop never gives: the stop header (a real platform's, faked here).
    sent: list[str] = []

    def post(url, **kwargs):
        sent.append(url)
        return httpx.Response(503, headers={"X-Automation-Stop": "agents paused"}, json={"errors": []})
    monkeypatch.setattr(driver.client.http, "post", post)
    with pytest.raises(PlatformStopped, match="asked automated access to stop .*agents paused.*resume the run"):
        driver.get_order("ANY")
    assert sent == ["http://127.0.0.1:3000/admin-api"]  # not retried
    driver.close()
