"""What a reply to a buyer claims or promises, found by code (English, Chinese, German,
French), and which of those claims the shop's records support.

A reply may state facts of the buyer's own order and the shop's policy. Money amounts,
refunds, credits, cancellations, shipping or address changes are claims: each must match
the order's records (the order really was refunded that amount, really is cancelled), or
the reply waits for the owner.
"""

import re
from decimal import Decimal, InvalidOperation

CLAIMS = {
    "money": re.compile(
        r"[$¥€£]\s?\d|\d\s?[$¥€£]|\b(usd|cny|rmb|eur|gbp)\s?\d|\d+([.,]\d+)?\s?(元|块|円|usd|cny|rmb|eur|euros?|gbp|"
        r"dollars?|bucks|pounds?)\b|full amount|whole (order )?(value|amount|price)|全额|全款|全部费用|"
        r"(gesamt|voll)(en|er)?\s?(betrag|preis)|montant (total|intégral)|intégralité", re.I),
    "refund": re.compile(
        r"refund|reimburs|compensat|money back|pay (you )?back|paid back|pay you|credit(ed)?\b|repay|voucher|coupon|"
        r"discount|free of charge|for free|(be|is|are) (sent|returned|transferred|wired) to you|send you|"
        r"退款|退钱|退还|退回|退给|货款|返还|返现|赔偿|补偿|赔付|优惠券|折扣|免单|打款|"
        r"erstatt|zurückzahl|rückzahlung|gutschr|gutgeschrieben|entschädig|überwiesen|"
        r"rembours|dédommag|crédit|avoir|bon d'achat|réduction|geste commercial|versé|virement", re.I),
    "cancel": re.compile(r"cancel|取消|撤销|stornier|storno|annul", re.I),
    "shipping": re.compile(
        r"(chang|updat|correct)\w* (the |your )?(shipping |delivery )?address|new address|ship (it )?to|"
        r"express|upgrad\w* (the |your )?shipping|expedit|"
        r"改地址|修改地址|更改地址|新地址|改发|加急|顺丰|"
        r"adresse (ändern|geändert|ge-?ändert)|neue adresse|expressversand|"
        r"(changer|modifier|modifié|changé) (l'|votre )?adresse|nouvelle adresse|livraison express", re.I),
}
# Faster shipping: the shop records no such change, whatever address the reply names.
SPEED = re.compile(r"express|upgrad\w* (the |your )?shipping|expedit|加急|顺丰|expressversand|livraison express", re.I)
# A figure beside a currency: the amounts a reply states.
AMOUNT = re.compile(r"(?:[$¥€£]|\b(?:usd|cny|rmb|eur|gbp))\s?(\d+(?:[.,]\d{1,2})?)"
                    r"|(\d+(?:[.,]\d{1,2})?)\s?(?:[$¥€£]|元|块|(?:usd|cny|rmb|eur|euros?|gbp|dollars?|pounds?)\b)", re.I)


def claims_in(text: str) -> set[str]:
    """The kinds of claim a reply makes: money, refund, cancel, shipping."""
    return {kind for kind, pattern in CLAIMS.items() if pattern.search(text or "")}


def unsupported(text: str, order: dict | None) -> list[str]:
    """The claims of `text` the order's records (show_order's view; None: no order) do not
    support. A refund is supported when the order was refunded, each amount stated when it is
    one the order's records show, a cancellation when the order is cancelled, an address
    change when the reply names the street the order's records now ship to; other shipping
    changes never are (the shop records none)."""
    found = claims_in(text)
    if not found:
        return []
    if order is None:
        return sorted(found)
    problems = []
    refunded = int(order.get("refunded_cents") or 0)
    if "refund" in found and refunded <= 0:
        problems.append("refund")
    if "cancel" in found and order.get("status") != "cancelled":
        problems.append("cancel")
    street = str((order.get("address") or {}).get("street") or "").strip().lower()
    if "shipping" in found and (SPEED.search(text or "") or not (street and street in (text or "").lower())):
        problems.append("shipping")
    if "money" in found:
        known = {refunded, int(order.get("total_cents") or 0), int(order.get("paid_cents") or 0)}
        known |= {int(p.get("amount_cents") or 0) for p in order.get("payments", [])}
        stated = {_cents(a or b) for a, b in AMOUNT.findall(text)} - {None}
        # "the full amount" with no figure: only when all that was paid went back.
        if not stated and refunded < int(order.get("paid_cents") or 0) or not stated <= known:
            problems.append("money")
    return problems


def _cents(figure: str) -> int | None:
    try:
        return int(Decimal(figure.replace(",", ".")) * 100)
    except InvalidOperation:
        return None
