"""A buyer on the fixture Oscar shop's storefront, over HTTP with Django's CSRF tokens.

The path is Oscar's own checkout: add to basket, the gateway (checkout as a guest with an
e-mail), the shipping address, the payment details page and the preview's "place order".
The order number is read from the thank-you page (Oscar numbers orders by basket id).
"""

import re

import httpx

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ORDER_NUMBER = re.compile(r'your order number is\s*<strong>\s*(\d+)', re.S | re.I)
# The thank-you page in another language: Oscar's order numbers are 100000 + the basket's id.
ANY_ORDER_NUMBER = re.compile(r'<strong>\s*(1\d{5,})\s*</strong>')
ADDRESS = {"first_name": "Ann", "last_name": "Lee", "line1": "1 Main St", "line4": "Denver", "state": "CO",
           "postcode": "80202", "country": "US", "phone_number": "", "notes": ""}


class CheckoutFailed(Exception):
    """The storefront did not take the order; the message names the step."""


def _token(response: httpx.Response, step: str) -> str:
    found = CSRF.search(response.text)
    if found is None:
        raise CheckoutFailed(f"{step}: no form on {response.url} (HTTP {response.status_code})")
    return found.group(1)


def place_order(url: str, product_id: int | str, quantity: int = 1, email: str = "ann@example.com",
                client: httpx.Client | None = None, child_id: int | str | None = None) -> str:
    """Buy `quantity` of product `product_id` (of its variant `child_id`, for a parent
    product) as a guest; returns Oscar's order number."""
    own = client is None
    buyer = client or httpx.Client(base_url=url, follow_redirects=True, timeout=30)
    try:
        page = buyer.get(f"/catalogue/_{product_id}/")
        form = {"csrfmiddlewaretoken": _token(page, "product page"), "quantity": quantity,
                **({"child_id": child_id} if child_id is not None else {})}
        added = buyer.post(f"/basket/add/{product_id}/", data=form,
                           headers={"Referer": str(page.url)})
        gateway = buyer.get("/checkout/")
        address = buyer.post("/checkout/", data={"csrfmiddlewaretoken": _token(gateway, "gateway"),
                                                 "username": email, "options": "anonymous"},
                             headers={"Referer": str(gateway.url)})
        if "shipping-address" not in address.url.path:
            raise CheckoutFailed(f"gateway: landed on {address.url.path} after adding to basket "
                                 f"(HTTP {added.status_code})")
        # One shipping method and no payment integration: Oscar goes on to the preview.
        preview = buyer.post("/checkout/shipping-address/",
                             data={"csrfmiddlewaretoken": _token(address, "shipping address"), **ADDRESS},
                             headers={"Referer": str(address.url)})
        if "preview" not in preview.url.path:
            preview = buyer.get("/checkout/preview/")
        done = buyer.post("/checkout/preview/", data={"csrfmiddlewaretoken": _token(preview, "preview"),
                                                      "action": "place_order"},
                          headers={"Referer": str(preview.url)})
        found = ORDER_NUMBER.search(done.text) or ANY_ORDER_NUMBER.search(done.text)
        if found is None:
            raise CheckoutFailed(f"place order: no order number on {done.url.path} (HTTP {done.status_code})")
        return found.group(1)
    finally:
        if own:
            buyer.close()
