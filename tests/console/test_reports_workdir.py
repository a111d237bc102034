"""The Reports page lists the sales reports whatever form the work directory was given in."""

import json
import re

import httpx

from agent.console.server import console_password, make_server, start_in_thread
from agent.workspace import load_settings, open_workspace

PASSWORD = "owner-pass-4821"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_reports_listed_with_a_relative_workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop").mkdir()
    script = tmp_path / "script.json"
    script.write_text(json.dumps([]))
    workspace = open_workspace(load_settings("shop", console_password=PASSWORD, llm_provider="scripted",
                                             llm_script=script))
    reports = workspace.assets / "reports"
    reports.mkdir(parents=True)
    (reports / "report-2026-11-30-30d.html").write_text("<html><body><h1>Sales</h1></body></html>")
    server = make_server(workspace.settings, console_password(workspace.settings), port=0)
    thread = start_in_thread(server)
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        token = CSRF.search(client.get("/login").text).group(1)
        assert client.post("/login", data={"password": PASSWORD, "csrf_token": token}).status_code == 303
        page = client.get("/reports").text
        assert "report-2026-11-30-30d.html" in page
        assert client.get("/files/assets/reports/report-2026-11-30-30d.html").status_code == 200
    finally:
        server.should_exit = True
        thread.join(60)
