"""The console shows no secret: its settings page masks passwords and tokens inside URLs, a
run's page shows step errors with them masked, and a failed resume's message and log line
hide the settings' secrets."""

import logging
import time

import pytest
from agent.console.jobs import Resumer
from agent.runner import start_run
from agent.workspace import open_workspace
from tools.llm import LLM
from tools.registry import Risk, ToolSpec
from tools.scripted_model import ScriptedChatModel

LLM_PASSWORD = "llm-pass-5512"
HOOK_TOKEN = "T0KEN8f3a9c2e1b7d"
LLM_URL = f"http://bot:{LLM_PASSWORD}@127.0.0.1:9/v1"
HOOK_URL = f"http://127.0.0.1:9/hook/{HOOK_TOKEN}?sig=Zx81kq0p"


@pytest.fixture
def workspace(settings_for):
    return open_workspace(settings_for(llm_base_url=LLM_URL, notify_webhook_url=HOOK_URL))


def check(deps, sku: str) -> dict:
    """Check a SKU with the model server."""
    raise ConnectionError(f"model server {deps.settings.llm_base_url} went away")


def test_settings_and_run_pages_hide_url_secrets(console):
    workspace = console.workspace
    model = LLM(chat=ScriptedChatModel([{"steps": [{"tool": "check", "arguments": {"sku": "MUG-1"}}]}]))
    run = start_run(workspace, "ask", "check the mug", llm=model, tools={"check": ToolSpec(check, Risk())})
    client = console.logged_in()
    settings_page, run_page = client.get("/settings").text, client.get(f"/runs/{run.run_id}").text
    client.close()
    assert "bot:****@127.0.0.1:9/v1" in settings_page and "http://127.0.0.1:9/****" in settings_page
    assert "model server http://bot:****@127.0.0.1:9/v1 went away" in run_page  # the step's error, masked
    for page in (settings_page, run_page):
        assert LLM_PASSWORD not in page and HOOK_TOKEN not in page and "Zx81kq0p" not in page


def test_a_failed_resume_shows_and_logs_no_secret(workspace, caplog):
    def resume(run_id):
        raise ConnectionError(f"model server {LLM_URL} went away")

    resumer = Resumer(resume, redact=workspace.settings.redact)
    with caplog.at_level(logging.ERROR):
        resumer.submit("daily-1")
        while resumer.state("daily-1").busy:  # close() would drop a resume not yet started
            time.sleep(0.05)
        resumer.close()
    state = resumer.state("daily-1")
    assert state.state == "failed" and "bot:****@127.0.0.1:9/v1" in state.message
    assert "went away" in caplog.text and LLM_PASSWORD not in caplog.text and LLM_PASSWORD not in state.message
