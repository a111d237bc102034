"""The sandbox driver's reading of back-office pages, fed the page's data without a browser."""

from types import SimpleNamespace

import pytest

from tools.drivers.page_locale import PageFormatError
from tools.drivers.sandbox_browser import SandboxBrowserDriver


def test_an_order_page_whose_summary_cannot_be_read_is_a_clear_error(tmp_path):
    driver = SandboxBrowserDriver("http://127.0.0.1:9", "seller@example.com", "pw", tmp_path)
    shown = {"number": "S1001", "summary": "placed yesterday", "buyer": "Ada", "requests": [], "address": "",
             "status": "paid", "items": [], "payments": [], "shipments": []}
    driver._page = SimpleNamespace(evaluate=lambda script: shown)  # the page as its script reads it
    with pytest.raises(PageFormatError, match=r"order S1001 shows no summary .*'placed yesterday'.*SUMMARY"):
        driver._read_order()
