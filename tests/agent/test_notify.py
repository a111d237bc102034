"""Owner notifications reach a local webhook receiver and a local SMTP server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller

from agent.local_model import free_port
from agent.notify import notify
from agent.runner import start_run
from agent.workspace import load_settings, open_workspace
from tools.llm import LLM
from tools.registry import Risk, ToolSpec
from tools.scripted_model import ScriptedChatModel


@pytest.fixture
def webhook():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


@pytest.fixture
def mailbox():
    messages = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            messages.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, messages
    controller.stop()


def test_webhook_and_mail(workdir, webhook, mailbox):
    url, received = webhook
    port, messages = mailbox
    settings = load_settings(workdir, notify_webhook_url=url, notify_email_to="owner@example.com",
                             smtp_host="127.0.0.1", smtp_port=port, notify_shop_label="Clay & Calm")
    assert notify(settings, "report_ready", {"path": "assets/reports/r.html"}) == []
    assert received[0]["event"] == "report_ready"
    assert received[0]["text"] == "[Clay & Calm] the sales report is ready: assets/reports/r.html"
    assert messages[0].rcpt_tos == ["owner@example.com"] and b"report_ready" in messages[0].content


def test_unreachable_channels_are_reported_not_raised(workdir):
    settings = load_settings(workdir, notify_webhook_url="http://127.0.0.1:9/none",
                             notify_email_to="owner@example.com", smtp_host="127.0.0.1", smtp_port=9)
    problems = notify(settings, "run_failed", {"error": "boom"})
    assert len(problems) == 2 and problems[0].startswith("webhook http://127.0.0.1:9/****")


def pay(deps, order: str) -> dict:
    """Pay an order back."""
    return {"paid": order}


def test_a_paused_run_tells_the_owner(workdir, webhook):
    url, received = webhook
    workspace = open_workspace(load_settings(workdir, notify_webhook_url=url))
    model = LLM(chat=ScriptedChatModel([{"steps": [{"tool": "pay", "arguments": {"order": "A-1"}}]}]))
    outcome = start_run(workspace, "ask", "refund A-1", llm=model,
                        tools={"pay": ToolSpec(pay, Risk(writes=True, moves_money=True))})
    assert outcome.status == "paused"
    assert [r["event"] for r in received] == ["approvals_waiting"]
    assert received[0]["details"] == {"count": 1, "run_id": outcome.run_id}
