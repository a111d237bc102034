"""The console under test: uvicorn in a thread on 127.0.0.1, a real headless Chromium, and
(for decisions that reach the platform) the real sandbox marketplace as its own process.
Only the model is scripted; the console resumes runs exactly as `shopagent serve` does."""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from agent.console.server import console_password, make_server, start_in_thread
from agent.workspace import load_settings, open_workspace

PASSWORD = "owner-pass-4821"
SELLER_PASSWORD = "sandbox-seller"  # the demo seller of `marketplace serve --seed-demo`
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class Market:
    url: str


@dataclass
class Console:
    url: str
    workspace: object

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def logged_in(self) -> httpx.Client:
        """An HTTP client holding a live session, logged in through the login form."""
        client = self.client()
        found = CSRF.search(client.get("/login").text)
        assert found, "no CSRF token on the login page"
        token = found.group(1)
        response = client.post("/login", data={"password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == "/approvals", response.text
        return client


@pytest.fixture(scope="session")
def market(tmp_path_factory):
    data = tmp_path_factory.mktemp("marketplace")
    process = subprocess.Popen([sys.executable, "-m", "marketplace", "serve", "--port", "0", "--data", str(data),
                                "--seed-demo"], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        assert match, f"the marketplace did not start: {line!r}"
        yield Market(url=match.group(1))
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture
def settings_for(workdir):
    """Settings of the test's work directory; the model is scripted with no replies, so a
    resumed run can only do what its checkpointed plan says."""
    script = workdir / "script.json"
    script.write_text(json.dumps([]))

    def make(**overrides):
        return load_settings(workdir, console_password=PASSWORD, llm_provider="scripted", llm_script=script,
                             **overrides)
    return make


@pytest.fixture
def workspace(settings_for):
    return open_workspace(settings_for())


@pytest.fixture
def console(workspace):
    """The console of the test's work directory, on a free port of 127.0.0.1."""
    server = make_server(workspace.settings, console_password(workspace.settings), port=0)
    thread = start_in_thread(server)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Console(url=f"http://127.0.0.1:{port}", workspace=workspace)
    server.should_exit = True
    thread.join(60)


@pytest.fixture(scope="module")
def chromium():
    # Module scope: Playwright's sync API allows one instance per thread at a time, and the
    # tests of other folders start their own.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def log_in():
    """Log the browser page in through the console's login form."""
    def run(page, console: Console) -> None:
        page.goto(console.url + "/approvals")
        assert page.url.endswith("/login")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(console.url + "/approvals")
    return run


def clip(path: Path) -> Path:
    """A real one-second MP4 the browser can play."""
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=teal:s=160x284:d=1:r=10", "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)],
                   check=True, timeout=60)
    return path


@pytest.fixture
def make_clip():
    return clip
