"""The approval policy: decided in code from risk flags, arguments and facts."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from agent.policy import gate_for, promises_money
from tools.registry import Risk, ToolSpec


def _tool(deps, **kwargs):
    """A tool under test."""


def settings(mode):
    return SimpleNamespace(approval_mode=mode, approval_refund_above=Decimal("50"), approval_price_change_pct=Decimal("10"))


READ = Risk()
MONEY = Risk(writes=True, moves_money=True)
PUBLISH = Risk(writes=True, publishes=True)
PRICE = Risk(changes_price=True)
REPLY = Risk(writes=True, contacts_buyer=True)
WRITE = Risk(writes=True)

CASES = [
    # mode, risk, arguments, facts, gated
    ("auto", READ, {}, {}, False),
    ("auto", MONEY, {}, {"amount_cents": 2000}, False),
    ("auto", MONEY, {}, {"amount_cents": 5001}, True),
    ("auto", MONEY, {}, {}, True),  # no amount stated: never let through on a guess
    ("auto", MONEY, {}, {"amount_cents": None}, True),
    ("auto", PUBLISH, {}, {"first_publish": True}, False),
    ("auto", WRITE, {}, {"needs_person": "human check"}, True),
    ("risky", MONEY, {}, {"amount_cents": 100}, True),
    ("risky", PUBLISH, {}, {"first_publish": True}, True),
    ("risky", PUBLISH, {}, {"first_publish": False}, False),
    ("risky", PRICE, {}, {"change_pct": 9.9}, False),
    ("risky", PRICE, {}, {"change_pct": 10.5}, True),
    ("risky", REPLY, {"text": "Your parcel left today."}, {}, False),
    ("risky", REPLY, {"text": "We will refund you in full."}, {}, True),
    ("risky", REPLY, {"text": "给您补偿10元"}, {}, True),
    ("risky", WRITE, {}, {}, False),
    ("all", WRITE, {}, {}, True),
    ("all", READ, {}, {}, False),
]


@pytest.mark.parametrize(("mode", "risk", "arguments", "facts", "gated"), CASES)
def test_gate(mode, risk, arguments, facts, gated):
    assert bool(gate_for(ToolSpec(_tool, risk), arguments, facts, settings(mode))) is gated


def test_gate_says_why():
    gate = gate_for(ToolSpec(_tool, MONEY), {}, {"amount_cents": 9000}, settings("auto"))
    assert gate.reason == "moves 90.00, above the 50.00 limit"


@pytest.mark.parametrize(("text", "promise"), [
    ("Thanks, it ships tomorrow", False), ("I'll send you a coupon", True), ("$5 back", True), ("退款已处理", True),
])
def test_money_promises(text, promise):
    assert promises_money(text) is promise
