"""A real headless Chromium: a buyer buys on the storefront, the seller logs in and ships it."""

import re

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def test_buyer_buys_and_seller_ships(live_server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            buyer = browser.new_context().new_page()
            buyer.goto(live_server.url + "/")
            buyer.get_by_role("link", name="Organic cotton T-shirt").click()
            buyer.get_by_label("Option").select_option(label="size: M — $19.99")
            buyer.get_by_label("Quantity").fill("2")
            buyer.get_by_role("button", name="Add to cart").click()
            expect(buyer.locator("#cart-total")).to_have_text("$39.98")
            buyer.get_by_role("link", name="Checkout").click()
            for label, value in [("Full name", "Ada Buyer"), ("Email", "ada@example.com"), ("Street", "5 Elm St"),
                                 ("City", "Austin"), ("Postcode", "73301"), ("Country", "USA"),
                                 ("Card number", "4242 4242 4242 4242")]:
                buyer.get_by_label(label, exact=True).fill(value)
            buyer.get_by_role("button", name="Pay and place order").click()
            expect(buyer.locator("#order-status")).to_have_text("pending")
            number = buyer.locator("#order-number").inner_text()

            seller = browser.new_context().new_page()
            seller.goto(live_server.url + "/seller/orders")
            seller.get_by_label("Email").fill("seller@example.com")
            seller.get_by_label("Password").fill("sandbox-seller")
            seller.get_by_role("button", name="Log in").click()
            seller.get_by_label("Status").select_option("pending")
            seller.get_by_role("button", name="Filter").click()
            seller.get_by_role("link", name=number).click()
            expect(seller.locator("#order-status")).to_have_text("pending")
            seller.get_by_label("Carrier").fill("UPS")
            seller.get_by_label("Tracking number").fill("1Z999AA10123456784")
            seller.get_by_role("button", name="Ship").click()
            expect(seller.locator("#order-status")).to_have_text("shipped")
            expect(seller.get_by_role("status")).to_contain_text(f"Order {number} shipped.")

            buyer.reload()
            expect(buyer.locator("#order-status")).to_have_text("shipped")
            expect(buyer.locator(".tracking")).to_have_text("1Z999AA10123456784")
            assert re.fullmatch(r"S\d{7}", number)
        finally:
            browser.close()
