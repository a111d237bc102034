"""The τ² retail policy replayed over the imported τ² shop, scenario by scenario.

    .venv/bin/python bench/tau_policy.py [--per-kind 12] [--seed 3] [--return-days 60]

Imports the τ² records (`store_data/tau.py`, as `shopagent catalog import-tau` does) into a
fresh SQLite shop, then plays scenarios written from policy.md: for each operation the allowed
case and each way it must be refused (wrong status, second change, wrong reason, payment
method not allowed, item not in the order, variant out of stock or of another product, gift
card short, return window passed). Each scenario goes through the tools' policy step
(`preview_*` / `decide_*`: the verdict and the money) and, when allowed, the records step
(`apply_verdict`), then checks the order against what the raw τ² record says it must become
(status, total, money paid and refunded, returned items, gift card balance). No platform is
involved: the platform side of the new operations is not in this bench.

Prints the allowed actions that ended in the expected state and amounts, and the violations
refused (a return past the shop's window counts as refused when code hands it to the owner
instead of doing it), as two percentages with their counts. Targets: 100 % and 100 %.

Latest figures (SQLite, the shipped τ² records):
    default (12 per kind, seed 3):  154 scenarios; allowed 84/84 = 100.0 %, violations refused 70/70 = 100.0 %
    --per-kind 20 --seed 11:        234 scenarios; allowed 140/140 = 100.0 %, refused 94/94 = 100.0 %
A first run of the second set showed 90/91: a gift card the bench took for short from the raw
records had been refunded to by an earlier scenario on the same buyer; balances are now read
from the shop's records.
"""

import argparse
import gzip
import json
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, select

from store_data.clock import utcnow
from store_data.db import make_engine, session_scope, sqlite_url
from store_data.order_changes import record_address
from store_data.orders import Buyer, Order, OrderLine, Shipment
from store_data.tau import SAMPLE_FILE, import_tau, order_number, tau_sku
from tools import order_changes as changes
from tools.deps import ToolDeps
from tools.errors import ToolRetry
from tools.order_address import preview_change_address
from tools.orders import preview_cancel, preview_refund
from tools.retail_policy import CANCEL_REASONS


class Bench:
    def __init__(self, deps: ToolDeps, records: dict[str, Any], rng: random.Random, return_days: int):
        self.deps, self.rng, self.return_days = deps, rng, return_days
        self.products, self.users = records["products"], records["users"]
        self.orders = {order_number(k): v for k, v in records["orders"].items()}
        self.allowed: Counter[str] = Counter()
        self.allowed_ok: Counter[str] = Counter()
        self.violations: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.failures: list[str] = []
        self.used: set[str] = set()

    # --- what the shop's records say ------------------------------------------------------
    def order(self, session: Session, number: str) -> Order:
        return session.exec(select(Order).where(Order.remote_id == number)).one()

    def state(self, number: str) -> dict[str, Any]:
        with Session(self.deps.engine) as session:
            order = self.order(session, number)
            buyer = session.get(Buyer, order.buyer_id)
            lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
            shipped = session.exec(select(Shipment.shipped_at).where(Shipment.order_id == order.id)).all()
            return {"status": order.status, "total": order.total_cents, "paid": order.paid_cents,
                    "refunded": order.refunded_cents, "modified": order.items_modified, "exchanged": order.exchanged,
                    "returned": {li.sku: li.returned_quantity for li in lines if li.returned_quantity},
                    "skus": Counter({li.sku: li.quantity for li in lines}),
                    "exchange": {li.sku: li.exchange_sku for li in lines if li.exchange_sku},
                    "address": dict(order.address), "shipped_at": min(shipped) if shipped else None,
                    "methods": {k: dict(v) for k, v in buyer.payment_methods.items()} if buyer else {}}

    # --- the τ² records: what the policy says must happen ---------------------------------
    def pick(self, status: str, test: Callable[[dict], bool] = lambda _: True) -> str | None:
        numbers = [n for n, o in sorted(self.orders.items()) if o["status"] == status and n not in self.used
                   and test(o)]
        if not numbers:
            return None
        number = self.rng.choice(numbers)
        self.used.add(number)
        return number

    def user(self, number: str) -> dict[str, Any]:
        return self.users[self.orders[number]["user_id"]]

    def original(self, number: str) -> str:
        return self.orders[number]["payment_history"][0]["payment_method_id"]

    def methods(self, number: str, source: str | None = None) -> list[str]:
        return sorted(k for k, m in self.user(number)["payment_methods"].items() if source in (None, m["source"]))

    def balance(self, number: str, method: str) -> int:
        """A gift card's balance now: earlier scenarios on the same buyer's other orders move it."""
        return int(self.state(number)["methods"].get(method, {}).get("balance_cents", 0))

    def options(self, item: dict, available: bool | None = True, same_product: bool = True) -> list[dict]:
        if same_product:
            pool = self.products[item["product_id"]]["variants"].values()
        else:
            pool = (v for p, rec in sorted(self.products.items()) if p != item["product_id"]
                    for v in rec["variants"].values())
        return [v for v in pool if v["item_id"] != item["item_id"] and (available is None or v["available"] == available)]

    # --- playing a scenario --------------------------------------------------------------
    def allow(self, kind: str, act: Callable[[], Any], check: Callable[[], list[str]]) -> None:
        self.allowed[kind] += 1
        try:
            act()
        except ToolRetry as refusal:
            self.failures.append(f"{kind}: allowed, but refused: {refusal}")
            return
        wrong = check()
        if wrong:
            self.failures.append(f"{kind}: {'; '.join(wrong)}")
        else:
            self.allowed_ok[kind] += 1

    def refuse(self, kind: str, act: Callable[[], Any]) -> None:
        self.violations[kind] += 1
        try:
            facts = act()
        except ToolRetry:
            self.refused[kind] += 1
            return
        if isinstance(facts, dict) and facts.get("needs_person"):
            self.refused[kind] += 1  # handed to the owner, not done by code
            return
        self.failures.append(f"{kind}: a violation was let through: {facts}")


def expect(state: dict, **wanted: Any) -> list[str]:
    return [f"{key} is {state[key]!r}, expected {value!r}" for key, value in wanted.items() if state[key] != value]


def cents(amount: float) -> int:
    return round(amount * 100)


def cancels(b: Bench, n: int) -> None:
    for i in range(n):
        number = b.pick("pending")
        if number is None:
            return
        record, before = b.orders[number], b.state(number)
        method = b.original(number)
        paid = sum(cents(p["amount"]) for p in record["payment_history"])
        gift = method in b.methods(number, "gift_card")

        def act(number=number, reason=CANCEL_REASONS[i % 2]) -> None:
            preview_cancel(b.deps, number, reason)
            changes.apply_verdict(b.deps, number, "cancel", changes.decide_cancel(b.deps, number, reason)[1])

        def check(number=number, before=before, method=method, paid=paid, gift=gift) -> list[str]:
            after = b.state(number)
            wrong = expect(after, status="cancelled", refunded=paid)
            if gift and after["methods"][method]["balance_cents"] != before["methods"][method]["balance_cents"] + paid:
                wrong.append("the gift card was not refunded")
            return wrong

        b.allow("cancel", act, check)
    b.refuse("cancel", lambda: preview_cancel(b.deps, b.pick("pending") or "", "changed my mind"))
    b.refuse("cancel", lambda: preview_cancel(b.deps, b.pick("pending") or "", ""))
    for status in ("processed", "delivered", "cancelled"):
        number = b.pick(status)
        if status == "cancelled":
            # Cancelling what is cancelled already is no new cancellation: the tool finds it done.
            b.violations["cancel"] += 1
            facts = preview_cancel(b.deps, number or "", "no longer needed")
            if facts.get("already_done") and facts["amount_cents"] == 0:
                b.refused["cancel"] += 1
            else:
                b.failures.append(f"cancel: a cancelled order would be refunded again: {facts}")
            continue

        def cancel_in_status(number: str | None = number) -> dict:
            return preview_cancel(b.deps, number or "", "no longer needed")

        b.refuse("cancel", cancel_in_status)
    b.refuse("refund", lambda: preview_refund(b.deps, b.pick("pending") or "", 100))


def returns(b: Bench, n: int) -> None:
    now = utcnow()
    recent = []
    for number in sorted(b.orders):
        if b.orders[number]["status"] == "delivered" and number not in b.used:
            shipped = b.state(number)["shipped_at"]
            if shipped is not None and now - shipped.replace(tzinfo=now.tzinfo) < timedelta(days=b.return_days - 1):
                recent.append(number)
    b.rng.shuffle(recent)
    for number in recent[:n]:
        b.used.add(number)
        items = b.orders[number]["items"]
        chosen = b.rng.sample(items, b.rng.randint(1, len(items)))
        gift_cards = b.methods(number, "gift_card")
        method = gift_cards[0] if gift_cards and b.rng.random() < 0.5 else b.original(number)
        skus = [tau_sku(i["item_id"]) for i in chosen]
        amount = sum(cents(i["price"]) for i in chosen)
        before = b.state(number)

        def act(number=number, skus=skus, method=method) -> None:
            facts = changes.preview_return_items(b.deps, number, skus, method)
            if facts.get("needs_person"):
                raise ToolRetry(facts["needs_person"])
            changes.apply_verdict(b.deps, number, "return", changes.decide_return(b.deps, number, skus, method)[1])

        def check(number=number, skus=skus, method=method, amount=amount, before=before) -> list[str]:
            after = b.state(number)
            wrong = expect(after, status="return_requested", refunded=before["refunded"] + amount,
                           returned=dict(Counter(skus)))
            if method in after["methods"] and after["methods"][method]["source"] == "gift_card" and \
                    after["methods"][method]["balance_cents"] != before["methods"][method]["balance_cents"] + amount:
                wrong.append("the gift card balance did not rise by the refund")
            return wrong

        b.allow("return", act, check)
    # Past the shop's window: the owner's decision, not code's.
    late = [n for n in sorted(b.orders) if b.orders[n]["status"] == "delivered" and n not in b.used
            and n not in recent and now - b.state(n)["shipped_at"].replace(tzinfo=now.tzinfo)
            > timedelta(days=b.return_days + 1)]
    for number in b.rng.sample(late, min(3, len(late))):
        b.used.add(number)
        item = tau_sku(b.orders[number]["items"][0]["item_id"])

        def return_late(number: str = number, item: str = item) -> dict:
            return changes.preview_return_items(b.deps, number, [item], b.original(number))

        b.refuse("return", return_late)
    for status in ("pending", "processed", "cancelled"):
        picked = b.pick(status)
        item = tau_sku(b.orders[picked]["items"][0]["item_id"]) if picked else ""

        def return_in_status(number: str | None = picked, item: str = item) -> dict:
            return changes.preview_return_items(b.deps, number or "", [item], b.original(number or "") if number else "")

        b.refuse("return", return_in_status)
    spare = recent[n] if len(recent) > n else None
    if spare:
        b.used.add(spare)
        items = b.orders[spare]["items"]
        item = tau_sku(items[0]["item_id"])
        other = b.options(items[0], available=None)[0]
        b.refuse("return", lambda: changes.preview_return_items(b.deps, spare, [tau_sku(other["item_id"])],
                                                                b.original(spare)))
        b.refuse("return", lambda: changes.preview_return_items(b.deps, spare, [item] * (len(items) + 1),
                                                                b.original(spare)))
        others = [m for m in b.methods(spare) if m != b.original(spare) and "gift_card" not in m]
        if others:
            b.refuse("return", lambda: changes.preview_return_items(b.deps, spare, [item], others[0]))
        b.refuse("return", lambda: changes.preview_return_items(b.deps, spare, [item], "credit_card_0000000"))


def swaps(b: Bench, n: int, exchange: bool) -> None:
    kind, status = ("exchange", "delivered") if exchange else ("modify_items", "pending")
    preview = changes.preview_exchange_items if exchange else changes.preview_modify_items
    for _ in range(n):
        number = b.pick(status, lambda o: any(b.options(i) for i in o["items"]))
        if number is None:
            return
        item = next(i for i in b.orders[number]["items"] if b.options(i))
        new = b.rng.choice(b.options(item))
        difference = cents(new["price"]) - cents(item["price"])
        usable = [m for m in b.methods(number) if "gift_card" not in m or b.balance(number, m) >= difference]
        if not usable:  # only gift cards too small for this difference: not an allowed case
            continue
        method = b.rng.choice(usable)
        before = b.state(number)
        old_sku, new_sku = tau_sku(item["item_id"]), tau_sku(new["item_id"])

        def act(number=number, old_sku=old_sku, new_sku=new_sku, method=method) -> None:
            preview(b.deps, number, {old_sku: new_sku}, method)
            changes.apply_verdict(b.deps, number, kind, changes.decide_swap(
                b.deps, number, {old_sku: new_sku}, method, exchange=exchange)[1])

        def check(number=number, old_sku=old_sku, new_sku=new_sku, difference=difference, before=before,
                  method=method) -> list[str]:
            after = b.state(number)
            charged, back = max(difference, 0), max(-difference, 0)
            wrong = expect(after, paid=before["paid"] + charged, refunded=before["refunded"] + back)
            if exchange:
                wrong += expect(after, status="exchange_requested", exchanged=True, exchange={old_sku: new_sku})
            else:
                skus = before["skus"] - Counter({old_sku: 1}) + Counter({new_sku: 1})
                wrong += expect(after, status="paid", modified=True, total=before["total"] + difference, skus=skus)
            if "gift_card" in method and after["methods"][method]["balance_cents"] != \
                    before["methods"][method]["balance_cents"] - difference:
                wrong.append("the gift card balance did not follow the difference")
            return wrong

        b.allow(kind, act, check)
        # Once per order: a second change is refused.
        again = b.options(item)
        asked = {new_sku if not exchange else old_sku: tau_sku(again[0]["item_id"])}

        def change_again(number: str = number, asked: dict[str, str] = asked, method: str = method) -> dict:
            return preview(b.deps, number, asked, method)

        b.refuse(kind, change_again)
    with_gone = b.pick(status, lambda o: any(b.options(i, available=False) for i in o["items"]))
    if with_gone:
        item = next(i for i in b.orders[with_gone]["items"] if b.options(i, available=False))
        gone = tau_sku(b.options(item, available=False)[0]["item_id"])
        b.refuse(kind, lambda: preview(b.deps, with_gone, {tau_sku(item["item_id"]): gone}, b.original(with_gone)))
    any_order = b.pick(status)
    if any_order:
        item = b.orders[any_order]["items"][0]
        elsewhere = tau_sku(b.options(item, same_product=False)[0]["item_id"])
        b.refuse(kind, lambda: preview(b.deps, any_order, {tau_sku(item["item_id"]): elsewhere},
                                       b.original(any_order)))
        b.refuse(kind, lambda: preview(b.deps, any_order, {tau_sku(item["item_id"]): tau_sku(item["item_id"])},
                                       b.original(any_order)))
        b.refuse(kind, lambda: preview(b.deps, any_order, {tau_sku(item["item_id"]): elsewhere},
                                       "credit_card_0000000"))
    wrong_status = b.pick("processed")
    if wrong_status:
        item = b.orders[wrong_status]["items"][0]
        option = b.options(item, available=None)[0]
        b.refuse(kind, lambda: preview(b.deps, wrong_status, {tau_sku(item["item_id"]): tau_sku(option["item_id"])},
                                       b.original(wrong_status)))


def gift_card_short(b: Bench) -> None:
    """A gift card that cannot cover the price difference (or the total) is refused."""
    for number, record in sorted(b.orders.items()):
        if record["status"] != "pending" or number in b.used:
            continue
        cards = b.methods(number, "gift_card")
        for item in record["items"]:
            dearer = [v for v in b.options(item) if cents(v["price"]) - cents(item["price"]) > 0]
            short = [c for c in cards if dearer and b.balance(number, c) < cents(dearer[0]["price"]) - cents(item["price"])]
            if short:
                b.used.add(number)
                change = {tau_sku(item["item_id"]): tau_sku(dearer[0]["item_id"])}

                def pay_with_short_card(number: str = number, change: dict[str, str] = change,
                                        card: str = short[0]) -> dict:
                    return changes.preview_modify_items(b.deps, number, change, card)

                b.refuse("modify_items", pay_with_short_card)
                return


def payments(b: Bench, n: int) -> None:
    for _ in range(n):
        number = b.pick("pending", lambda o: len(o["payment_history"]) == 1 and any(
            m != o["payment_history"][0]["payment_method_id"] and (
                "gift_card" not in m or b.users[o["user_id"]]["payment_methods"][m].get("balance", 0) * 100
                >= sum(cents(i["price"]) for i in o["items"]))
            for m in b.users[o["user_id"]]["payment_methods"]))
        if number is None:
            return
        total = sum(cents(i["price"]) for i in b.orders[number]["items"])
        method = next((m for m in b.methods(number) if m != b.original(number) and (
            "gift_card" not in m or b.balance(number, m) >= total)), None)
        if method is None:
            continue
        before = b.state(number)

        def act(number=number, method=method) -> None:
            changes.preview_modify_payment(b.deps, number, method)
            changes.apply_verdict(b.deps, number, "payment", changes.decide_payment(b.deps, number, method)[1])

        def check(number=number, method=method, total=total, before=before) -> list[str]:
            after = b.state(number)
            wrong = expect(after, status="paid", paid=before["paid"] + total, refunded=before["refunded"] + total)
            if "gift_card" in method and after["methods"][method]["balance_cents"] != \
                    before["methods"][method]["balance_cents"] - total:
                wrong.append("the new gift card was not charged the total")
            old = b.original(number)
            if "gift_card" in old and after["methods"][old]["balance_cents"] != \
                    before["methods"][old]["balance_cents"] + total:
                wrong.append("the old gift card was not paid back")
            return wrong

        b.allow("modify_payment", act, check)

        def change_payment_again(number: str = number, method: str = method) -> dict:
            return changes.preview_modify_payment(b.deps, number, method)

        b.refuse("modify_payment", change_payment_again)
    pending = b.pick("pending")
    if pending:
        b.refuse("modify_payment", lambda: changes.preview_modify_payment(b.deps, pending, b.original(pending)))
        b.refuse("modify_payment", lambda: changes.preview_modify_payment(b.deps, pending, "paypal_0000000"))
    for number, record in sorted(b.orders.items()):
        total = sum(cents(i["price"]) for i in record["items"])
        short = [m for m in b.methods(number, "gift_card") if m != b.original(number) and b.balance(number, m) < total]
        if record["status"] == "pending" and number not in b.used and short:
            b.used.add(number)

            def pay_with_short_card(number: str = number, short: list[str] = short) -> dict:
                return changes.preview_modify_payment(b.deps, number, short[0])

            b.refuse("modify_payment", pay_with_short_card)
            break
    for status in ("processed", "delivered"):
        number = b.pick(status)
        other = [m for m in b.methods(number or "") if m != b.original(number or "")] if number else []
        if number and other:
            def change_payment_in_status(number: str = number, other: list[str] = other) -> dict:
                return changes.preview_modify_payment(b.deps, number, other[0])

            b.refuse("modify_payment", change_payment_in_status)


def addresses(b: Bench, n: int) -> None:
    for i in range(n):
        number = b.pick("pending")
        if number is None:
            return
        street = f"{100 + i} Policy Lane"

        def act(number=number, street=street) -> None:
            preview_change_address(b.deps, number, street, "Austin", "73301", "TX")
            with session_scope(b.deps.engine) as session:
                order = b.order(session, number)
                record_address(order, {"address1": street, "city": "Austin", "postcode": "73301", "region": "TX"})
                session.add(order)

        def check(number: str = number, street: str = street) -> list[str]:
            return [] if b.state(number)["address"]["address1"] == street else ["the address did not change"]

        b.allow("modify_address", act, check)
    for status in ("processed", "delivered", "cancelled"):
        number = b.pick(status)

        def change_address_in_status(number: str | None = number) -> dict:
            return preview_change_address(b.deps, number or "", "1 Late St", "Austin", "73301")

        b.refuse("modify_address", change_address_in_status)
    for email in sorted(u["email"] for u in b.users.values())[:n]:
        def act_buyer(email: str = email) -> None:
            facts = changes.preview_modify_buyer_address(b.deps, email, "9 Home Row", "Boston", "02101", "USA", "MA")
            changes.apply_buyer_address(b.deps, email, facts["address_new"])

        def check_buyer(email: str = email) -> list[str]:
            with Session(b.deps.engine) as session:
                buyer = session.exec(select(Buyer).where(Buyer.email == email)).one()
                return [] if buyer.address.get("address1") == "9 Home Row" else ["the buyer's address did not change"]

        b.allow("buyer_address", act_buyer, check_buyer)
    b.refuse("buyer_address", lambda: changes.preview_modify_buyer_address(
        b.deps, sorted(u["email"] for u in b.users.values())[0], "9 Home Row", "", "02101", "USA"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=12, help="allowed scenarios per operation")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--return-days", type=int, default=60, help="the shop's return window (settings win)")
    parser.add_argument("--file", default=str(SAMPLE_FILE))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "shop.db"))
        with session_scope(engine) as session:
            import_tau(session, Path(args.file))
        settings = SimpleNamespace(platform="sandbox", marketplace_user="bench", return_days=args.return_days)
        deps = ToolDeps(engine=engine, workdir=Path(folder), settings=settings)
        with gzip.open(args.file, "rt", encoding="utf-8") as handle:
            records = json.load(handle)
        b = Bench(deps, records, random.Random(args.seed), args.return_days)
        cancels(b, args.per_kind)
        returns(b, args.per_kind)
        swaps(b, args.per_kind, exchange=True)
        swaps(b, args.per_kind, exchange=False)
        gift_card_short(b)
        payments(b, args.per_kind)
        addresses(b, args.per_kind)
        engine.dispose()
    allowed, ok = sum(b.allowed.values()), sum(b.allowed_ok.values())
    violations, refused = sum(b.violations.values()), sum(b.refused.values())
    print(f"τ² policy scenarios: {allowed + violations} ({allowed} allowed, {violations} violations), "
          f"return window {args.return_days} days, seed {args.seed}")
    for kind in sorted(set(b.allowed) | set(b.violations)):
        print(f"  {kind:15} allowed {b.allowed_ok[kind]}/{b.allowed[kind]}   refused {b.refused[kind]}/"
              f"{b.violations[kind]}")
    print(f"allowed actions ending in the expected state and amounts: {ok}/{allowed} = {100 * ok / max(allowed, 1):.1f} %")
    print(f"violations refused: {refused}/{violations} = {100 * refused / max(violations, 1):.1f} %")
    for failure in b.failures:
        print("  FAIL", failure)
    return 0 if ok == allowed and refused == violations else 1


if __name__ == "__main__":
    raise SystemExit(main())
