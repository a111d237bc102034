"""The storefront's theme in a real Chromium, at a phone's and a desktop's width: a product
grid, a product page with its gallery beside (desktop) or above (phone) the buying box,
styled links and buttons, and nothing wider than the screen."""

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]


def test_grid_and_product_page_at_desktop_and_phone_widths(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            for width, columns in ((1280, 4), (390, 2)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(live_server.url + "/")
                cards = page.locator(".product-card")
                lefts = {round(cards.nth(i).bounding_box()["x"]) for i in range(min(cards.count(), 4))}
                assert len(lefts) == columns
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                link = page.locator(".product-card a").first
                assert "underline" not in link.evaluate("a => getComputedStyle(a).textDecorationLine")
                page.goto(live_server.url + "/products/1")
                button = page.get_by_role("button", name="Add to cart")
                assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(42, 111, 106)"
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                gallery = page.locator("#gallery").bounding_box()
                title = page.locator("#product-title").bounding_box()
                buy = page.locator("#add-to-cart-form").bounding_box()
                if width > 700:  # side by side: the gallery left, title and buying box right
                    assert gallery["x"] + gallery["width"] <= title["x"] and buy["x"] == title["x"]
                    assert buy["y"] < gallery["y"] + gallery["height"]
                else:  # one column: title, gallery, then the buying box at full width
                    assert title["y"] < gallery["y"] < buy["y"] and buy["width"] > width * 0.85
                # A form's text box (the contact page; the order page's are alike) fits the screen.
                page.goto(live_server.url + "/contact")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.close()
        finally:
            browser.close()
