"""Secrets stay secret: masked in `config show`, run summaries, step errors and notifications
(passwords and tokens inside URLs too), and the files that hold them are readable by their
owner only."""

import json
import stat
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.masking import mask_url
from agent.notify import notify
from agent.runner import start_run
from agent.runs import get_run, steps_of
from agent.settings import SETTINGS_FILE, write_settings_file
from agent.workspace import load_settings, open_workspace
from tools.drivers.sandbox_browser import SandboxBrowserDriver
from tools.llm import LLM
from tools.registry import Risk, ToolSpec
from tools.scripted_model import ScriptedChatModel

LLM_PASSWORD = "llm-pass-5512"
MARKET_PASSWORD = "mk-pass-7731"
HOOK_TOKEN = "T0KEN8f3a9c2e1b7d"
HOOK_SIG = "Zx81kq0p"
CONSOLE_PASSWORD = "owner-pass-4821"
SECRETS = (LLM_PASSWORD, MARKET_PASSWORD, HOOK_TOKEN, HOOK_SIG, CONSOLE_PASSWORD)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def refusing_webhook():
    """A webhook receiver at /hook/<token>?sig=<sig> that answers 404, keeping what it got."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            """Quiet: the test reads what the webhook received, not the server's log."""

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook/{HOOK_TOKEN}?sig={HOOK_SIG}", received
    server.shutdown()


def secret_settings(workdir, webhook="https://hooks.example.com/hook/" + HOOK_TOKEN + "?sig=" + HOOK_SIG):
    return {"llm_base_url": f"http://bot:{LLM_PASSWORD}@127.0.0.1:9/v1",
            "marketplace_url": f"http://seller:{MARKET_PASSWORD}@127.0.0.1:9/",
            "notify_webhook_url": webhook, "console_password": CONSOLE_PASSWORD}


def test_config_show_masks_passwords_and_tokens_inside_urls(workdir):
    write_settings_file(workdir, secret_settings(workdir))
    cli = CliRunner()
    shown = cli.invoke(app, ["config", "show", "--workdir", str(workdir)], terminal_width=400)
    assert shown.exit_code == 0, shown.output
    assert leaked(shown.output) == []
    values = json.loads(cli.invoke(app, ["config", "show", "--workdir", str(workdir), "--json"]).output)
    assert values["llm_base_url"] == "http://bot:****@127.0.0.1:9/v1"
    assert values["marketplace_url"] == "http://seller:****@127.0.0.1:9/"
    assert values["notify_webhook_url"] == "https://hooks.example.com/****?sig=****"
    assert values["console_password"] == "****"


def test_mask_url_keeps_what_is_no_secret():
    assert mask_url("postgresql://shop:p%40ss@db/shop?sslmode=require&password=x") == \
        "postgresql://shop:****@db/shop?sslmode=require&password=****"
    assert mask_url("postgresql://shop@db/shop") == "postgresql://shop@db/shop"
    assert mask_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"


def test_notifications_and_run_summaries_hide_the_webhook_token_and_url_passwords(workdir, refusing_webhook):
    url, received = refusing_webhook
    settings = load_settings(workdir, **secret_settings(workdir, webhook=url))
    problems = notify(settings, "run_failed", {"error": f"cannot reach http://bot:{LLM_PASSWORD}@127.0.0.1:9/v1"})
    assert len(problems) == 1 and "404" in problems[0] and leaked(problems[0]) == []
    assert leaked(json.dumps(received)) == [] and "bot:****@127.0.0.1:9/v1" in received[0]["text"]

    def pay(deps, order: str) -> dict:
        """Pay an order back."""
        raise RuntimeError(f"the payment service at {deps.settings.marketplace_url} said no")

    workspace = open_workspace(settings)
    tools = {"check": ToolSpec(pay, Risk()), "pay": ToolSpec(pay, Risk(writes=True, moves_money=True))}
    model = LLM(chat=ScriptedChatModel([{"steps": [{"tool": "check", "arguments": {"order": "A-1"}},
                                                   {"tool": "pay", "arguments": {"order": "A-2"}}]}]))
    outcome = start_run(workspace, "ask", "refunds", llm=model, tools=tools)
    assert outcome.status == "paused"  # the owner is told: the webhook refuses
    assert outcome.summary["notify_problems"] and leaked(json.dumps(outcome.summary)) == []
    [failed, _] = steps_of(workspace.engine, outcome.run_id)
    assert "seller:****@127.0.0.1:9/" in failed.error and leaked(failed.error) == []
    assert leaked(json.dumps(get_run(workspace.engine, outcome.run_id).summary)) == []

    def crash(*_):
        raise ConnectionError(f"model server {settings.llm_base_url} went away")

    with pytest.raises(ConnectionError):
        start_run(workspace, "ask", "refunds", llm=LLM(chat=ScriptedChatModel([{"steps": [
            {"tool": "check", "arguments": {"order": "A-3"}}]}])), tools=tools, progress=crash)
    shown = CliRunner().invoke(app, ["runs", "list", "--json", "--workdir", str(workdir)]).output
    assert "went away" in shown and leaked(shown) == []
    assert leaked(json.dumps(received)) == []


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_settings_file_is_written_and_kept_private(workdir):
    path = write_settings_file(workdir, {"currency": "EUR"})
    assert _mode(path) == 0o600
    path.chmod(0o644)  # one written before files were kept private
    assert load_settings(workdir).currency == "EUR"
    assert _mode(path) == 0o600

    init_dir = workdir / "fresh"
    assert CliRunner().invoke(app, ["init", "--workdir", str(init_dir)]).exit_code == 0
    assert _mode(init_dir / SETTINGS_FILE) == 0o600


def test_browser_session_file_is_private(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    old = runs / "browser-state.json"
    old.write_text(json.dumps({"cookies": [], "origins": []}))
    old.chmod(0o644)
    driver = SandboxBrowserDriver("http://127.0.0.1:9", "seller@example.com", "pw", runs)
    try:
        assert driver.page is not None  # starts the browser with the stored session
        assert _mode(driver.state_path) == 0o600
        driver.state_path.unlink()
        driver._remember_login()
        assert _mode(driver.state_path) == 0o600
        assert "cookies" in json.loads(driver.state_path.read_text())
    finally:
        driver.close()
