"""The owner decides in a real Chromium; the console resumes the run through the same code
path as the CLI, with the real browser driver against the real sandbox marketplace."""

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import Session, select

from agent.runner import start_run
from agent.workspace import open_workspace
from store_data.audit import Approval
from store_data.db import session_scope
from store_data.orders import BuyerMessage
from store_data.shop import Asset, Listing, Product, Shop, Variant
from tools.drivers.sandbox_browser import SandboxBrowserDriver
from tools.llm import LLM
from tools.scripted_model import ScriptedChatModel

pytestmark = pytest.mark.browser
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def market_settings(market):
    # Approval mode 'all': every write waits, so the queue holds a low-risk action too.
    return {"marketplace_url": market.url, "marketplace_password": "sandbox-seller", "approval_mode": "all"}


@pytest.fixture
def workspace(settings_for, market_settings):
    return open_workspace(settings_for(**market_settings))


def planned(*steps) -> LLM:
    """A scripted model whose one reply is this plan."""
    plan = {"answer": "", "steps": [{"tool": tool, "arguments": args, "why": why} for tool, args, why in steps]}
    return LLM(chat=ScriptedChatModel([plan]))


def add_product(workspace, make_photo, handle: str, name: str, sku: str, price_cents: int) -> int:
    photo = make_photo(workspace.workdir / "assets" / "catalog" / handle / "photo.jpg", size=(320, 320))
    with session_scope(workspace.engine) as session:
        product = Product(handle=handle, name=name, category="Kitchen", description=f"{name}, made by hand.")
        session.add(product)
        session.flush()
        assert product.id is not None
        session.add(Variant(sku=sku, product_id=product.id, cost_cents=900, price_cents=price_cents, stock=5))
        session.add(Asset(kind="supplier_photo", path=photo.relative_to(workspace.workdir).as_posix(),
                          product_id=product.id))
        return product.id


def live_titles(market) -> list[str]:
    return [p["title"] for p in httpx.get(market.url + "/products.json", timeout=30).json()["products"]]


def test_approve_publishes_the_listing_reject_skips_the_other(market, workspace, console, page, log_in,
                                                              make_photo, make_clip):
    from playwright.sync_api import expect

    board = add_product(workspace, make_photo, "board", "Walnut serving board", "BOARD-01", 2499)
    add_product(workspace, make_photo, "cup", "Speckled espresso cup", "CUP-01", 1299)
    movie = make_clip(workspace.assets / "clips" / "board.mp4")
    with session_scope(workspace.engine) as session:
        session.add(Asset(kind="clip", path=movie.relative_to(workspace.workdir).as_posix(), product_id=board))
    outcome = start_run(workspace, "ask", "put the board and the cup on sale", llm=planned(
        ("publish_listing", {"sku": "BOARD-01"}, "the board is priced and has pictures"),
        ("publish_listing", {"sku": "CUP-01"}, "the cup is priced and has pictures")))
    assert outcome.status == "paused" and len(outcome.waiting) == 2

    log_in(page, console)
    card = page.locator("section.approval").filter(has_text="Walnut serving board")
    expect(card.locator(".listing-title")).to_have_text("Walnut serving board")
    expect(card).to_contain_text("BOARD-01: USD 24.99")
    expect(card).to_contain_text("first publish")
    expect(card).to_contain_text("the board is priced and has pictures")
    expect(card.locator("pre.arguments")).to_contain_text('"sku": "BOARD-01"')
    picture = card.locator("img.pic").first.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=picture)
    video = card.locator("video").element_handle()
    page.wait_for_function("v => v.readyState >= 1 && v.duration > 0.5", arg=video)

    card.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{console.url}/runs/{outcome.run_id}")
    expect(page.locator("#resume-state")).to_contain_text("resumed: paused; 1 action(s) still wait", timeout=90_000)
    expect(page.locator("#step-0 .step-status")).to_have_text("done")
    assert "Walnut serving board" in live_titles(market)

    page.goto(console.url + "/approvals")
    cup = page.locator("section.approval").filter(has_text="Speckled espresso cup")
    cup.get_by_label(re.compile("Reason for rejecting")).fill("not this season")
    cup.get_by_role("button", name="Reject").click()
    expect(page.locator("#resume-state")).to_contain_text("resumed: completed", timeout=90_000)
    expect(page.locator("#run-status")).to_have_text("completed")
    expect(page.locator("#step-1 .step-status")).to_have_text("skipped")
    expect(page.locator("#step-1")).to_contain_text("not this season")
    assert "Speckled espresso cup" not in live_titles(market)
    with Session(workspace.engine) as session:
        listing = session.exec(select(Listing).where(Listing.product_id == board)).one()
        decisions = {a.arguments["sku"]: (a.status, a.decided_by) for a in session.exec(select(Approval))}
    assert listing.status == "published" and listing.remote_id
    assert decisions == {"BOARD-01": ("approved", "owner (console)"), "CUP-01": ("rejected", "owner (console)")}

    page.goto(console.url + "/shop")
    shop_card = page.locator("section.product[data-handle=board]")
    expect(shop_card.locator(".listing-status")).to_have_text("published")
    page.wait_for_function("v => v.readyState >= 1 && v.duration > 0.5", arg=shop_card.locator("video").element_handle())


def buyer_asks(market, subject: str, body: str) -> None:
    with httpx.Client(base_url=market.url, follow_redirects=True, timeout=30) as buyer:
        found = CSRF.search(buyer.get("/contact").text)
        assert found, "no CSRF token on the contact form"
        token = found.group(1)
        sent = buyer.post("/contact", data={"csrf_token": token, "name": "Ann Lee", "email": "ann@example.com",
                                            "subject": subject, "body": body})
        assert sent.status_code == 200, sent.text[:300]


def as_seller(market, workspace, job):
    """`job(driver)` with the shop's browser driver, in a thread of its own: this thread's
    Playwright drives the owner's browser."""
    def run():
        driver = SandboxBrowserDriver(market.url, "seller@example.com", "sandbox-seller", workspace.runs)
        try:
            return job(driver)
        finally:
            driver.close()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_bulk_approve_low_risk_then_edit_the_reply(market, workspace, console, page, log_in):
    from playwright.sync_api import expect

    question = "My mug arrived chipped. What can you do?"
    buyer_asks(market, "Chipped mug", question)
    [thread] = [t for t in as_seller(market, workspace, lambda d: d.list_threads(waiting_only=True))
                if t.subject == "Chipped mug"]
    with session_scope(workspace.engine) as session:
        session.add(BuyerMessage(thread_id=thread.remote_id, direction="in", text=question))
        session.add(Shop(name="Grain & Glaze", slogan="Wood and clay for small kitchens"))
    drafted = "So sorry! We will refund you $5 today."
    outcome = start_run(workspace, "ask", f"answer the buyer in thread {thread.remote_id}", llm=planned(
        ("set_shop_profile", {}, "the profile shows the new brand"),
        ("reply_message", {"thread_id": thread.remote_id, "text": drafted}, "the buyer waits for an answer")))
    assert outcome.status == "paused" and len(outcome.waiting) == 2

    log_in(page, console)
    bulk = page.locator("form[action='/approvals/bulk']")
    expect(bulk).to_contain_text("set_shop_profile")
    expect(bulk).not_to_contain_text("reply_message")  # text for a buyer is never bulk-approved
    reply = page.locator("section.approval[data-tool=reply_message]")
    expect(reply.locator(".bubble.in")).to_have_text(question)
    expect(reply.locator(".reply-draft")).to_have_text(drafted)

    bulk.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("status")).to_contain_text(f"resuming {outcome.run_id}")
    page.goto(f"{console.url}/runs/{outcome.run_id}")
    expect(page.locator("#resume-state")).to_contain_text("resumed: paused", timeout=90_000)
    expect(page.locator("#step-0 .step-status")).to_have_text("done")

    page.goto(console.url + "/approvals")
    page.locator("section.approval[data-tool=reply_message]").get_by_role("link", name="Edit…").click()
    fixed = "So sorry it arrived chipped. A new mug ships to you tomorrow."
    page.get_by_label("text", exact=True).fill(fixed)
    page.get_by_role("button", name="Approve with these arguments").click()
    page.wait_for_url(f"{console.url}/runs/{outcome.run_id}")
    expect(page.locator("#resume-state")).to_contain_text("resumed: completed", timeout=90_000)
    expect(page.locator("#step-1 .step-status")).to_have_text("done")

    _, messages = as_seller(market, workspace, lambda d: d.get_thread(thread.remote_id))
    sent = [m.text for m in messages if m.sender == "seller"]
    assert sent == [fixed]  # the edited text went out, the drafted one never did
    with Session(workspace.engine) as session:
        edited = session.exec(select(Approval).where(Approval.tool == "reply_message")).one()
    assert edited.status == "edited" and edited.edited_arguments["text"] == fixed
