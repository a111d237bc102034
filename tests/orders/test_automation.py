"""The browser drivers act as an identified automated agent: their User-Agent names shopagent
(and a platform's header is sent where it asks for one), they keep to the platform's rate
limit, and a platform that says automated access must stop ends the run with the reason."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.operator import make_driver
from agent.runs import get_run, steps_of
from agent.workspace import load_settings, open_workspace
from tests.order_helpers import run
from tools.drivers.automation import Automation, stop_reason
from tools.errors import PlatformStopped

pytestmark = pytest.mark.browser


class Platform(BaseHTTPRequestHandler):
    """A platform that answers every page with `answer` (status, headers, body)."""

    answer: tuple[int, dict[str, str], str] = (200, {}, "<html><body>Log in</body></html>")
    post_answer: tuple[int, dict[str, str]] = (204, {})
    seen: list[dict[str, str]] = []
    posted: list[str] = []
    posted_headers: list[dict[str, str]] = []

    def do_GET(self):
        if self.path != "/favicon.ico":  # the browser's own fetch
            type(self).seen.append({"path": self.path, **dict(self.headers)})
        status, headers, body = self.answer
        self.send_response(status)
        for name, value in {"Content-Type": "text/html", **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self):
        type(self).posted.append(self.rfile.read(int(self.headers["Content-Length"])).decode(errors="replace"))
        type(self).posted_headers.append({k.lower(): v for k, v in self.headers.items()})
        status, headers = self.post_answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def platform():
    Platform.seen, Platform.posted, Platform.posted_headers = [], [], []
    Platform.post_answer = (204, {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _driver(workdir, platform, **settings):
    workspace = open_workspace(load_settings(workdir, marketplace_url=f"http://127.0.0.1:{platform.server_port}",
                                             marketplace_password="x", browser_retries=0, **settings))
    driver, _ = make_driver(workspace)
    return workspace, driver


def test_a_platform_saying_stop_ends_the_run_and_the_agent_says_who_it_is(workdir, platform):
    Platform.answer = (403, {}, "<h1>Forbidden</h1><p>Automated access to this site is not permitted. Stop now.</p>")
    workspace, driver = _driver(workdir, platform, browser_user_agent_suffix="shopagent/0.1 (seller 42)",
                                browser_headers={"sandbox": {"X-Automated-Agent": "shopagent"}},
                                notify_webhook_url=f"http://127.0.0.1:{platform.server_port}/hook")
    try:
        outcome = run(workspace, driver, ("sync_orders", {}), ("fulfil_orders", {}), ("check_stock", {}))
    finally:
        driver.close()
    assert outcome.status == "stopped"
    steps = steps_of(workspace.engine, outcome.run_id)
    assert [(s.tool, s.status) for s in steps if s.status != "planned"] == [("sync_orders", "failed")]
    assert "asked automated access to stop" in steps[0].error and "not permitted" in steps[0].error
    assert "asked automated access to stop" in get_run(workspace.engine, outcome.run_id).summary["stopped"]
    [told] = Platform.posted  # the owner's webhook
    assert "a run stopped" in told and "not permitted" in told
    [asked] = Platform.seen  # one page, then nothing more: no retry after a stop
    assert asked["User-Agent"].endswith(" shopagent/0.1 (seller 42)") and "Chrome" in asked["User-Agent"]
    assert asked["X-Automated-Agent"] == "shopagent"


def test_the_stop_header_stops_even_a_page_that_loaded(workdir, platform):
    Platform.answer = (200, {"X-Automation-Stop": "agents paused for maintenance"}, "<p>Log in</p>")
    _, driver = _driver(workdir, platform)
    try:
        with pytest.raises(PlatformStopped, match="agents paused for maintenance"):
            driver.login()
    finally:
        driver.close()


FORM_PAGE = """<form id="product" method="post" action="/save"><input name="title" value="Mug">
<input type="file" name="picture"><button name="action" value="save">Save</button>
<button name="action" value="continue">Save and continue</button></form>"""


def test_a_form_sent_without_loading_its_landing_page_says_who_it_is_and_obeys_a_stop(workdir, platform):
    Platform.answer = (200, {}, FORM_PAGE)
    Platform.post_answer = (302, {"Location": "/products/7/"})
    _, driver = _driver(workdir, platform, browser_user_agent_suffix="shopagent/0.1 (seller 42)",
                        browser_headers={"sandbox": {"X-Automated-Agent": "shopagent"}})
    photo = workdir / "mug.png"
    photo.write_bytes(b"\x89PNG picture bytes")
    try:
        driver._goto("/form")
        landing = driver._send_form("#product", "button[value=continue]", "save the mug", {"picture": photo})
        Platform.post_answer = (403, {"X-Automation-Stop": "agents paused"})
        with pytest.raises(PlatformStopped, match="agents paused"):
            driver._send_form("#product", "button[value=save]", "save the mug again")
    finally:
        driver.close()
    assert landing == f"http://127.0.0.1:{platform.server_port}/products/7/"
    assert [seen["path"] for seen in Platform.seen] == ["/form"]  # the page after the save is never loaded
    sent, _ = Platform.posted
    # The button pressed, the form's field and the picture, as the browser would send them
    assert 'name="action"\r\n\r\ncontinue' in sent and 'name="title"\r\n\r\nMug' in sent
    assert 'filename="mug.png"' in sent and "PNG picture bytes" in sent and "save\r\n" not in sent
    for headers in Platform.posted_headers:
        assert headers["user-agent"].endswith(" shopagent/0.1 (seller 42)") and "Chrome" in headers["user-agent"]
        assert headers["x-automated-agent"] == "shopagent" and headers["referer"].endswith("/form")


def test_only_a_refusal_about_automated_access_is_a_stop():
    assert stop_reason(429, {}, lambda: "Too many failed logins. Wait 15 minutes and try again.") == ""
    assert stop_reason(200, {}, lambda: "Bots are not allowed") == ""  # a page's own words, not a refusal
    assert stop_reason(429, {}, lambda: "Robot traffic detected: automated requests are blocked")
    assert stop_reason(503, {"x-automation-stop": ""}, lambda: "")


def test_requests_keep_to_the_rate_limit():
    now, waits = [100.0], []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        now[0] += seconds

    paced = Automation(requests_per_s=4, clock=lambda: now[0], sleep=sleep)
    for gap in (0, 0, 0.1, 1.0, 0):
        now[0] += gap
        paced.pace()
    assert waits == [0.25, 0.15, 0.25]  # nothing waits after a pause longer than the interval
    unpaced = Automation(clock=lambda: now[0], sleep=sleep)
    unpaced.pace()
    unpaced.pace()
    assert len(waits) == 3
