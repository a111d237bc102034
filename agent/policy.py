"""Which tool calls wait for the owner. Decided here, in code, from the tool's risk flags,
the call's arguments and facts read from the shop — never by the model.

Proposals (actions suggested by the sales report) always wait, in every mode.

Modes:
  auto   only hard limits: money above `approval_refund_above` (what the platform will
         move by its rules, as the tool's preview states it, never the amount a buyer
         asked; unknown counts as above), money that would take the run's or the day's
         total past `max_refund_per_run` / `max_refund_per_day`, anything a platform says
         only a person may do;
  risky  (default) also: the first publish of a listing, a publish whose title or
         description changed since it was last published (and so approved), a price change above
         `approval_price_change_pct` %, any refund or cancellation, any buyer reply that
         promises money;
  all    every call that writes outside the shop's own records.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from store_data.money import to_cents
from tools.registry import ToolSpec
from tools.reply_claims import claims_in

# Words and amounts in a reply that commit the shop to money: these need the owner.
MONEY_PROMISE = re.compile(
    r"(refund|reimburse|compensat|voucher|coupon|discount|free of charge|money back|"
    r"退款|赔偿|补偿|优惠券|返现|折扣|免单|[$¥€£]\s?\d|\d+(\.\d+)?\s?(元|块|usd|cny|eur|dollars?))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Gate:
    """Why a call needs the owner (empty reason: it does not)."""

    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.reason)


def promises_money(text: str) -> bool:
    """Whether a reply promises or claims money, a refund, a cancellation or a shipping change."""
    return bool(MONEY_PROMISE.search(text or "") or claims_in(text or ""))


def _reply_claims(arguments: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """The claims of a reply its order's records do not support, as the preview found them;
    without a preview, every claim the text makes."""
    if "unsupported_claims" in facts:
        return list(facts["unsupported_claims"])
    return sorted(claims_in(str(facts.get("reply_text") or arguments.get("text") or "")))


def _over_cap(amount: int, facts: dict[str, Any], settings) -> Gate:
    """Whether this call would take the money moved in its run or today past a cap. The sums
    come from the audit trail (agent/spending.py); missing sums count as the cap itself."""
    for period, key, cap_setting in (("this run", "moved_in_run_cents", "max_refund_per_run"),
                                     ("today", "moved_today_cents", "max_refund_per_day")):
        cap = to_cents(Decimal(getattr(settings, cap_setting)))
        before = facts.get(key)
        before = cap if before is None else int(before)
        if before + amount > cap:
            return Gate(f"moves {amount / 100:.2f}; with {before / 100:.2f} moved {period} that passes the "
                        f"{cap / 100:.2f} cap ({cap_setting})")
    return Gate()


def gate_for(spec: ToolSpec, arguments: dict[str, Any], facts: dict[str, Any], settings,
             proposed: bool = False) -> Gate:
    """Decide whether this call waits for the owner.

    `facts` come from the tool's preview (read from the shop and platform by code): for
    example `amount_cents`, `first_publish`, `change_pct`, `reply_text`, `needs_person`.
    """
    risk, mode = spec.risk, settings.approval_mode
    if proposed:
        return Gate("a proposal from the sales report: the owner decides, in every mode")
    if facts.get("needs_person"):
        return Gate(f"the platform needs a person: {facts['needs_person']}")
    refund_limit = to_cents(Decimal(settings.approval_refund_above))
    # The money the platform will move by its own rules, as the preview computed it; a money
    # call whose preview states no amount is never let through on a guess.
    if risk.moves_money and facts.get("amount_cents") is None:
        return Gate("the money this call would move is not known")
    amount = int(facts.get("amount_cents") or 0)
    if risk.moves_money and amount > refund_limit:
        return Gate(f"moves {amount / 100:.2f}, above the {refund_limit / 100:.2f} limit")
    if risk.moves_money and amount:
        capped = _over_cap(amount, facts, settings)
        if capped:
            return capped
    if risk.contacts_buyer and mode in ("auto", "risky"):
        claims = _reply_claims(arguments, facts)
        if claims:
            return Gate(f"the reply claims what the order's records do not show: {', '.join(claims)}")
    if mode == "auto":
        return Gate()
    if mode == "all" and (risk.writes or risk.publishes or risk.moves_money or risk.contacts_buyer or risk.changes_price):
        return Gate("approval mode 'all': every write waits for the owner")
    if risk.moves_money:
        return Gate("refunds and cancellations wait for the owner in 'risky' mode")
    if risk.publishes and facts.get("first_publish"):
        return Gate("first publish of this listing")
    if risk.publishes and facts.get("copy_changed"):
        return Gate("the listing's title or description changed since the owner last approved it "
                    "(the preview shows the difference)")
    change = abs(Decimal(str(facts.get("change_pct") or 0)))
    if risk.changes_price and change > Decimal(settings.approval_price_change_pct):
        return Gate(f"price change of {change:.1f}% is above {settings.approval_price_change_pct}%")
    # A reply whose preview checked its claims against the order's records was decided above.
    if risk.contacts_buyer and "unsupported_claims" not in facts \
            and promises_money(str(facts.get("reply_text") or arguments.get("text") or "")):
        return Gate("the reply promises money to the buyer")
    return Gate()
