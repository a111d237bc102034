"""Nothing without login, no form without its CSRF token, no file outside assets/ and runs/."""

import http.client
import re
import time
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session

from agent.approvals import list_approvals
from agent.runner import start_run
from agent.runs import get_run
from store_data.audit import Approval
from store_data.db import session_scope
from store_data.shop import Product, Variant
from tools.llm import LLM
from tools.scripted_model import ScriptedChatModel

PAGES = ["/", "/approvals", "/approvals/1", "/runs", "/runs/some-run", "/shop", "/reports", "/settings"]


def price_change_waiting(workspace) -> Approval:
    """A run whose price change (from 0.99 to the rule's price) waits for the owner; no platform needed."""
    with session_scope(workspace.engine) as session:
        product = Product(handle="board", name="Walnut serving board")
        session.add(product)
        session.flush()
        assert product.id is not None
        session.add(Variant(sku="BOARD-01", product_id=product.id, cost_cents=1000, price_cents=99, stock=3))
    plan = {"answer": "", "steps": [{"tool": "price_product", "arguments": {"sku": "BOARD-01"}, "why": "priced by rule"}]}
    outcome = start_run(workspace, "ask", "price the board", llm=LLM(chat=ScriptedChatModel([plan])))
    assert outcome.status == "paused"
    [approval] = list_approvals(workspace)
    return approval


@pytest.mark.browser
def test_nothing_is_served_without_login(console, page, make_photo):
    from playwright.sync_api import expect

    make_photo(console.workspace.assets / "catalog" / "board.jpg")
    anonymous = console.client()
    for path in PAGES:
        answer = anonymous.get(path)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), path
    assert anonymous.get("/files/assets/catalog/board.jpg").status_code == 401
    assert anonymous.post("/approvals/1/approve", data={"csrf_token": "x"}).status_code == 401
    assert anonymous.post("/approvals/bulk", data={"approval_id": "1"}).status_code == 401
    anonymous.cookies.set("shopagent_console", "made-up.cookie.value")
    assert anonymous.get("/settings").headers.get("location") == "/login"

    page.goto(console.url + "/settings")
    expect(page).to_have_url(console.url + "/login")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    answer = page.goto(console.url + "/files/assets/catalog/board.jpg")
    assert answer.status == 401 and page.content().count("log in first") == 1

    cookie = [c for c in page.context.cookies() if c["name"] == "shopagent_console_login"][0]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


def test_forms_without_their_csrf_token_are_refused(console):
    workspace = console.workspace
    approval = price_change_waiting(workspace)
    # The login form too: the right password without the form's token is refused.
    assert console.client().post("/login", data={"password": "owner-pass-4821"}).status_code == 403

    owner = console.logged_in()
    session_cookie = owner.cookies.get("shopagent_console")
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}):
        assert owner.post(f"/approvals/{approval.id}/approve", data=data).status_code == 403
        assert owner.post("/approvals/bulk", data={**data, "approval_id": str(approval.id)}).status_code == 403
        assert owner.post("/logout", data=data).status_code == 403
    with Session(workspace.engine) as session:
        assert session.get(Approval, approval.id).status == "pending"

    token = re.search(r'name="csrf_token" value="([^"]+)"', owner.get("/approvals").text).group(1)
    # Bulk approval takes low-risk actions only; a price change is decided on its own.
    owner.post("/approvals/bulk", data={"csrf_token": token, "approval_id": str(approval.id)})
    assert "is not low-risk" in owner.get("/approvals").text
    answer = owner.post(f"/approvals/{approval.id}/approve", data={"csrf_token": token})
    assert (answer.status_code, answer.headers["location"]) == (303, f"/runs/{approval.run_id}")
    deadline = time.monotonic() + 60
    while get_run(workspace.engine, approval.run_id).status != "completed" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert get_run(workspace.engine, approval.run_id).status == "completed"
    with Session(workspace.engine) as session:
        proposed = approval.preview["facts"]["prices"]["BOARD-01"]["new_cents"]
        assert session.get(Variant, 1).price_cents == proposed != 99  # the approved change was made

    assert owner.post("/logout", data={"csrf_token": token}).status_code == 303
    stale = console.client()
    stale.cookies.set("shopagent_console", session_cookie)
    assert stale.get("/approvals").headers.get("location") == "/login"  # the session ended on the server


def raw_get(url: str, path: str, cookie: str) -> tuple[int, bytes]:
    """GET `path` exactly as written (no client-side clean-up of '..')."""
    parts = urlsplit(url)
    assert parts.hostname, url
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": f"shopagent_console={cookie}"})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def test_files_come_only_from_assets_and_runs(console, make_photo, tmp_path):
    workdir = console.workspace.workdir
    photo = make_photo(workdir / "assets" / "catalog" / "board.jpg")
    make_photo(workdir / "runs" / "shot.png")
    (workdir / "shopagent.toml").write_text('llm_api_key = "sk-very-secret"\n')
    outside = make_photo(tmp_path / "elsewhere" / "outside.jpg")
    (workdir / "assets" / "linked.jpg").symlink_to(outside)
    owner = console.logged_in()
    cookie = owner.cookies.get("shopagent_console")

    served = owner.get("/files/assets/catalog/board.jpg")
    assert served.status_code == 200 and served.content == photo.read_bytes()
    assert served.headers["content-security-policy"].startswith("sandbox")
    assert owner.get("/files/runs/shot.png").status_code == 200

    refused = ["/files/../shop.db", "/files/assets/../../shop.db", "/files/..%2Fshop.db", "/files/%2E%2E/shopagent.toml",
               "/files/assets/..%2F..%2Fconsole_secret", "/files/%2Fetc%2Fpasswd", "/files//etc/passwd",
               "/files/shopagent.toml", "/files/console_secret", "/files/shop.db", "/files/assets/linked.jpg",
               f"/files/{outside}", "/files/runs/checkpoints.sqlite", "/files/assets/%00.jpg"]
    for path in refused:
        status, body = raw_get(console.url, path, cookie)
        assert status in (404, 400), (path, status)
        assert b"sk-very-secret" not in body and b"SQLite" not in body and b"root:" not in body, path


def attempt(client, password: str):
    """One try through the login form, as a browser makes it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found, "no CSRF token on the login page"
    token = found.group(1)
    return client.post("/login", data={"password": password, "csrf_token": token})


def test_repeated_wrong_passwords_pause_the_login(console):
    client = console.client()
    for _ in range(5):
        assert attempt(client, "guess").headers["location"] == "/login?problem=wrong"
    paused = attempt(client, "owner-pass-4821")  # even the right password waits out the pause
    assert paused.status_code == 429 and "too many wrong passwords" in paused.text


def test_wrong_passwords_pause_only_their_client(console):
    owner = console.logged_in()  # the owner's browser has logged in before
    stranger = console.client()
    for _ in range(5):
        assert attempt(stranger, "guess").headers["location"] == "/login?problem=wrong"
    assert attempt(stranger, "owner-pass-4821").status_code == 429
    # The owner's browser is its own client: another's wrong guesses do not lock it out.
    back = attempt(owner, "owner-pass-4821")
    assert back.status_code == 303 and back.headers["location"] == "/approvals"
    # And its own wrong guesses pause only itself.
    for _ in range(5):
        attempt(owner, "guess")
    assert attempt(owner, "owner-pass-4821").status_code == 429
