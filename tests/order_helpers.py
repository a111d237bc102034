"""Helpers the order tests share, on the sandbox and on Oscar alike."""

import re

import httpx
from sqlmodel import Session, select

from agent.runner import start_run
from agent.workflows.orders import goal_for
from store_data.orders import Order


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NOTICE = re.compile(r'role="alert"[^>]*>([^<]+)<')


def csrf_token(page: str) -> str:
    """The CSRF token in a page's form."""
    found = CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def buy_on_sandbox(client: httpx.Client, listing_id: int | str | None, variant_id: int | str = 0, qty: int = 1,
                   email: str = "ann@example.com") -> str:
    """A buyer (`client`, on the sandbox storefront's address) orders through the storefront;
    returns the order number."""
    token = csrf_token(client.get(f"/products/{listing_id}").text)
    client.post("/cart/add", data={"csrf_token": token, "listing_id": listing_id, "variant_id": variant_id, "qty": qty})
    r = client.post("/checkout", data={
        "csrf_token": token, "name": "Ann Lee", "email": email, "address1": "1 Main St", "city": "Denver",
        "region": "CO", "postcode": "80202", "country": "USA", "card_number": "4242 4242 4242 4242"})
    assert r.url.path.startswith("/orders/"), NOTICE.findall(r.text) or r.text[:500]
    return r.url.path.rsplit("/", 1)[1]


def run(workspace, driver, *calls):
    """An `orders` run of the given (tool, arguments) calls."""
    return start_run(workspace, "orders", goal_for([{"tool": t, "arguments": a, "why": "test"} for t, a in calls]),
                     driver=driver)


def order(workspace, number) -> Order:
    """The shop's record of the marketplace order `number`."""
    with Session(workspace.engine) as session:
        return session.exec(select(Order).where(Order.remote_id == number)).one()
