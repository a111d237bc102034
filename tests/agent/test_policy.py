"""The approval policy: decided in code from risk flags, arguments and facts."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from agent.policy import gate_for, promises_money
from tools.reply_claims import unsupported
from tools.registry import Risk, ToolSpec


def _tool(deps, **kwargs):
    """A tool under test."""


def settings(mode, per_run="100", per_day="200"):
    return SimpleNamespace(approval_mode=mode, approval_refund_above=Decimal("50"), approval_price_change_pct=Decimal("10"),
                           max_refund_per_run=Decimal(per_run), max_refund_per_day=Decimal(per_day))


NONE_MOVED = {"moved_in_run_cents": 0, "moved_today_cents": 0}


READ = Risk()
MONEY = Risk(writes=True, moves_money=True)
PUBLISH = Risk(writes=True, publishes=True)
PRICE = Risk(changes_price=True)
REPLY = Risk(writes=True, contacts_buyer=True)
WRITE = Risk(writes=True)

CASES = [
    # mode, risk, arguments, facts, gated
    ("auto", READ, {}, {}, False),
    ("auto", MONEY, {}, {"amount_cents": 2000, **NONE_MOVED}, False),
    ("auto", MONEY, {}, {"amount_cents": 2000}, True),  # what was moved before is not known: it waits
    ("auto", MONEY, {}, {"amount_cents": 5001}, True),
    ("auto", MONEY, {}, {}, True),  # no amount stated: never let through on a guess
    ("auto", MONEY, {}, {"amount_cents": None}, True),
    ("auto", PUBLISH, {}, {"first_publish": True}, False),
    ("auto", WRITE, {}, {"needs_person": "human check"}, True),
    ("risky", MONEY, {}, {"amount_cents": 100}, True),
    ("risky", PUBLISH, {}, {"first_publish": True}, True),
    ("risky", PUBLISH, {}, {"first_publish": False}, False),
    ("risky", PUBLISH, {}, {"first_publish": False, "copy_changed": False, "copy_diff": []}, False),
    ("risky", PUBLISH, {}, {"first_publish": False, "copy_changed": True, "copy_diff": ["+title: x"]}, True),
    ("auto", PUBLISH, {}, {"first_publish": False, "copy_changed": True, "copy_diff": ["+title: x"]}, False),
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


@pytest.mark.parametrize("mode", ["auto", "risky", "all"])
def test_money_past_a_run_or_day_cap_waits_in_every_mode(mode):
    money = ToolSpec(_tool, MONEY)
    # Each call is under the 50.00 per-action limit; together they pass the caps.
    run_gate = gate_for(money, {}, {"amount_cents": 3000, "moved_in_run_cents": 8000, "moved_today_cents": 8000},
                        settings(mode))
    assert run_gate.reason == ("moves 30.00; with 80.00 moved this run that passes the 100.00 cap "
                               "(max_refund_per_run)") or mode != "auto"
    assert run_gate
    day_gate = gate_for(money, {}, {"amount_cents": 3000, "moved_in_run_cents": 0, "moved_today_cents": 18000},
                        settings(mode))
    assert day_gate and ("max_refund_per_day" in day_gate.reason or mode != "auto")


def test_money_within_the_caps_follows_the_mode():
    money = ToolSpec(_tool, MONEY)
    facts = {"amount_cents": 2000, "moved_in_run_cents": 8000, "moved_today_cents": 18000}
    assert not gate_for(money, {}, facts, settings("auto"))  # exactly at both caps
    assert gate_for(money, {}, {**facts, "amount_cents": 2001}, settings("auto"))
    assert not gate_for(money, {}, {"amount_cents": 0}, settings("auto", per_run="0", per_day="0"))  # nothing moves


REWORDED_PROMISES = [
    "We will pay you back the full amount today", "Your card will be credited with the whole order value",
    "USD 30 will be sent to you", "You'll get 30 dollars back", "我们今天会把全部货款退给您", "我们会给您退钱",
    "给您补偿10元", "Wir erstatten Ihnen den vollen Betrag zurück", "Sie bekommen das Geld heute zurücküberwiesen",
    "Wir haben Ihnen 14,50 € gutgeschrieben", "Nous vous remboursons intégralement aujourd'hui",
    "Vous recevrez un avoir de 30 €", "I'll cancel your order now", "Ihre Bestellung wird storniert",
    "Votre commande est annulée", "We changed the shipping address for you", "我们已为您修改地址",
    "we'll send you a coupon",
]


@pytest.mark.parametrize("text", REWORDED_PROMISES)
@pytest.mark.parametrize("mode", ["auto", "risky"])
def test_a_reply_claiming_what_no_record_shows_waits(mode, text):
    assert promises_money(text)
    reply = ToolSpec(_tool, REPLY)
    assert gate_for(reply, {"text": text}, {}, settings(mode))  # no preview: every claim waits
    claims = unsupported(text, {"status": "paid", "total_cents": 1450, "paid_cents": 1450, "refunded_cents": 0})
    assert claims and gate_for(reply, {"text": text}, {"unsupported_claims": claims}, settings(mode))


def test_a_reply_stating_what_the_records_show_goes_out():
    refunded = {"status": "refunded", "total_cents": 1450, "paid_cents": 1450, "refunded_cents": 1450, "payments": []}
    assert unsupported("We refunded 14.50 USD to your card today.", refunded) == []
    assert unsupported("We refunded USD 30 to your card.", refunded) == ["money"]
    assert unsupported("Votre commande est annulée.", {**refunded, "status": "cancelled"}) == []
    for text in ("Your parcel left today with Sandbox Post, tracking SP123.", "订单已发货，单号SP123",
                 "Ihr Paket ist unterwegs.", "Votre colis est en route."):
        assert not promises_money(text) and unsupported(text, None) == []
    reply = ToolSpec(_tool, REPLY)
    assert not gate_for(reply, {"text": "We refunded 14.50 USD."}, {"unsupported_claims": []}, settings("risky"))
