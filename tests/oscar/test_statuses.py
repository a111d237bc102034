"""An Oscar shop's own order statuses on shopagent's state machine: placed by their words,
overridden by oscar_status_map, and a pipeline with no shipped status named with the fix.
No browser: the pipeline is the one the order list's filter would show."""

import pytest

from store_data.status import OrderStatus
from tools.drivers.oscar_browser import OscarBrowserDriver, discovered_status
from tools.errors import ToolFailed

PIPELINE = ["Pending", "Being processed", "Complete", "Cancelled"]


def _driver(tmp_path, pipeline, **status_map) -> OscarBrowserDriver:
    driver = OscarBrowserDriver("http://127.0.0.1:9", "staff@example.com", "pw", tmp_path, status_map=status_map)
    driver._pipeline = pipeline  # as read from the shop's order list
    return driver


@pytest.mark.parametrize("word, status", [
    ("Pending", "paid"), ("Being processed", "paid"), ("Shipped", "shipped"), ("Dispatched", "shipped"),
    ("Delivered", "delivered"), ("Returned", "returned"), ("Complete", "closed"), ("Cancelled", "cancelled"),
    ("Cancelled after shipping", "cancelled"), ("Awaiting stock", None), ("On hold", None)])
def test_statuses_are_placed_by_their_words(word, status):
    assert discovered_status(word) == (OrderStatus(status) if status else None)


def test_the_setting_overrides_and_an_unknown_word_names_it(tmp_path):
    driver = _driver(tmp_path, PIPELINE, Complete="shipped")
    assert driver.status_of("Complete") == OrderStatus.SHIPPED and driver.status_of("Pending") == OrderStatus.PAID
    with pytest.raises(ToolFailed, match='oscar_status_map = { "On hold" = "paid" }'):
        driver.status_of("On hold")


def test_a_pipeline_without_a_shipped_status_is_named_with_the_fix(tmp_path):
    problem = _driver(tmp_path, PIPELINE).shipping_problem()
    assert "no status that means shipped (statuses: Pending, Being processed, Complete, Cancelled)" in problem
    assert problem.endswith('oscar_status_map = { "Complete" = "shipped" }')  # not the cancelled status
    assert _driver(tmp_path, PIPELINE, Complete="shipped").shipping_problem() is None
    assert _driver(tmp_path, ["Pending", "Shipped", "Delivered"]).shipping_problem() is None
    assert _driver(tmp_path, PIPELINE, Complete="shipped").open_statuses == ("Pending", "Being processed", "Complete")
