"""The service desk, measured: a fixed mix of buyer questions (the simulator's kinds, English
and Chinese, some abusive or off-topic) sent through a real sandbox marketplace's storefront
over `--minutes`, while the desk runs every `desk_interval` seconds as `shopagent serve` runs it,
with the embedded model (or `--provider scripted`: no model at all).

    .venv/bin/python bench/desk.py [--questions 120] [--minutes 5] [--interval 60] [--provider embedded]

Prints, from the platform's and the shop's databases (checked by code, never by a model):
answered %, factual answers whose facts match the records %, escalated %, silent threads,
false claims, and the median and p95 wait from the buyer's message reaching the platform to
the reply on it (the platform's own timestamps).
"""

import argparse
import os
import random
import re
import sqlite3
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from agent.approvals import list_approvals
from agent.scheduler import desk_pass
from agent.workspace import load_settings, open_workspace
from marketplace.simulator import QUESTIONS
from order_bench import form_token, start_marketplace  # bench/order_bench.py, beside this file
from store_data.audit import Step
from store_data.db import session_scope
from store_data.orders import Order
from store_data.rows import row_id
from store_data.shop import Product, Variant
from tools.drivers.sandbox_browser import SandboxBrowserDriver
from tools.order_sync import sync_orders
from tools.orders import ship_order, show_order
from tools.reply_claims import unsupported

SELLER = ("seller@example.com", "sandbox-seller")
# The demo marketplace's listings (marketplace/demo.py) as the shop's catalog knows them: the
# facts its description states. TEE-01-L is sold out in the shop's own stock.
# handle, name, attributes, variants (sku, options, stock), the demo listing's id
CATALOG: list[tuple[str, str, dict[str, str], list[tuple[str, dict[str, str], int]], int]] = [
    ("tee", "Organic cotton T-shirt", {"material": "organic cotton", "weight": "180 g/m²", "care": "machine wash 30°C",
                                       "dimensions": "chest 48 / 51 / 54 cm, length 68 / 71 / 74 cm (S / M / L)"},
     [("TEE-01-S", {"size": "S"}, 20), ("TEE-01-M", {"size": "M"}, 30), ("TEE-01-L", {"size": "L"}, 0)], 1),
    ("mug", "Stoneware coffee mug", {"material": "stoneware", "capacity": "350 ml", "care": "dishwasher safe",
                                     "dimensions": "9.6 cm high, 8.5 cm across"},
     [("MUG-01", {}, 25)], 2),
    ("bottle", "Insulated water bottle", {"material": "double-wall stainless steel", "capacity": "750 ml",
                                          "care": "hand wash", "dimensions": "7.5 cm across, 26 cm high",
                                          "features": "keeps drinks cold for 24 hours and hot for 12"},
     [("BOTTLE-01", {}, 25)], 3),
    # The lamp's catalog row states no material or care: questions about them go to the owner.
    ("lamp", "Desk lamp", {"features": "dimmable LED", "dimensions": "42 cm high"}, [("LAMP-01", {}, 25)], 4),
]
# How many questions of each kind per 120 (the mix scales with --questions); order questions
# are asked by an order's buyer on the order's page, the others through the contact form.
MIX = {"status": 30, "returns": 8, "cancel": 8, "address": 8, "complaint": 6,
       "product": 22, "stock": 12, "haggle": 8, "abuse": 6, "off_topic": 12}
ORDER_KINDS = {"status", "returns", "cancel", "address", "complaint"}
FACTUAL = {"status", "returns", "cancel", "product", "stock"}
# What each product question needs from the catalog (a "size" is a size attribute or size variants).
PRODUCT_NEEDS = {"made of": ("material",), "measurements": ("dimensions", "size"), "dishwasher": ("care",),
                 "材质": ("material",), "尺寸": ("dimensions",)}




def make_shop(root: Path, url: str, provider: str, interval: int):
    settings = {"marketplace_url": url, "marketplace_password": SELLER[1], "llm_provider": provider,
                "desk_interval": interval, "approval_mode": "risky", "browser_retries": 4}
    if provider == "scripted":
        (root / "script.json").write_text("[]")
        settings["llm_script"] = root / "script.json"
    workspace = open_workspace(load_settings(root / "shop", **settings))
    with session_scope(workspace.engine) as session:
        for handle, name, attributes, variants, _ in CATALOG:
            product = Product(handle=handle, name=name, attributes=attributes)
            session.add(product)
            session.flush()
            for sku, options, stock in variants:
                session.add(Variant(sku=sku, product_id=row_id(product), options=options, cost_cents=500, stock=stock))
    return workspace


def buy(url: str, n: int, listing: int, variant: int) -> tuple[str, httpx.Client, str]:
    buyer = httpx.Client(base_url=url, follow_redirects=True, timeout=30)
    email = f"order-buyer-{n}@example.com"
    token = form_token(buyer.get(f"/products/{listing}").text)
    buyer.post("/cart/add", data={"csrf_token": token, "listing_id": listing, "variant_id": variant, "qty": 1})
    r = buyer.post("/checkout", data={
        "csrf_token": token, "name": f"Buyer {n}", "email": email, "address1": "1 Main St", "city": "Denver",
        "region": "CO", "postcode": "80202", "country": "USA", "card_number": "4242 4242 4242 4242"})
    return r.url.path.rsplit("/", 1)[1], buyer, email


def ask(url: str, question: dict) -> None:
    """The buyer writes: on the order's page, or through the contact form."""
    if question["order"]:
        client = question["client"]
        token = form_token(client.get(f"/orders/{question['order']}").text)
        client.post(f"/orders/{question['order']}/message", data={"csrf_token": token, "body": question["text"]})
        return
    with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as client:
        token = form_token(client.get("/contact").text)
        client.post("/contact", data={"csrf_token": token, "name": "Asking Buyer", "email": question["email"],
                                      "subject": "Question", "body": question["text"]})


def plan_questions(total: int, rng: random.Random, orders: list[dict]) -> list[dict]:
    """The fixed mix: each kind's share of `total`, its templates taken in turn (so both
    languages come up), one thread per question."""
    counts = {kind: max(1, round(n * total / 120)) for kind, n in MIX.items()}
    questions: list[dict] = []
    order_pool = list(orders)
    rng.shuffle(order_pool)
    for kind, count in counts.items():
        for i in range(count):
            template = QUESTIONS[kind][i % len(QUESTIONS[kind])]
            product = CATALOG[i % len(CATALOG)]
            text = template.format(product=product[1], size="SML"[i % 3], street=f"{i + 1} Oak Lane", city="Austin",
                                   postcode="73301")
            question = {"kind": kind, "text": text, "order": None, "client": None, "email": f"q{len(questions)}@example.com",
                        "product": product[1]}
            if kind in ORDER_KINDS:
                placed = order_pool.pop()
                question.update(order=placed["number"], client=placed["client"], email=placed["email"])
            questions.append(question)
    rng.shuffle(questions)
    return questions


def run_desk(settings, all_sent: threading.Event, passes: list, limit_s: float) -> None:
    """`shopagent serve`'s desk job: a pass every desk_interval seconds, until a pass after the
    last question finds nothing waiting (or `limit_s` has passed)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        begin, sent = time.monotonic(), all_sent.is_set()
        try:
            outcome = desk_pass(settings)
            passes.append((round(begin - started), round(time.monotonic() - begin, 1),
                           outcome.status if outcome else "nothing waiting"))
            if sent and outcome is None:
                return
        except Exception as exc:
            passes.append((round(begin - started), round(time.monotonic() - begin, 1), f"error: {exc}"[:200]))
        time.sleep(max(0.0, settings.desk_interval - (time.monotonic() - begin)))


def platform_rows(data: Path) -> dict:
    """Per buyer message on the platform: its thread, time, and the first seller reply after it."""
    with sqlite3.connect(data / "marketplace.db") as db:
        rows = db.execute("SELECT m.thread_id, m.body, m.at, b.email FROM message m JOIN thread t ON t.id = m.thread_id "
                          "JOIN buyer b ON b.id = t.buyer_id WHERE m.sender = 'buyer'").fetchall()
        found = {}
        for thread, body, at, email in rows:
            reply = db.execute("SELECT body, at FROM message WHERE thread_id = ? AND sender = 'seller' AND at >= ? "
                               "ORDER BY id LIMIT 1", (thread, at)).fetchone()
            found[(email, body)] = {"thread": str(thread), "at": at, "reply": reply}
        addresses = dict(db.execute('SELECT number, address1 FROM "order"').fetchall())
        shipments: dict[str, list[str]] = {}
        for number, tracking in db.execute('SELECT o.number, s.tracking FROM shipment s JOIN "order" o '
                                           "ON o.id = s.order_id"):
            shipments.setdefault(number, []).append(tracking)
    return {"messages": found, "shipments": shipments, "addresses": addresses}


def seconds(later: str, earlier: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def answerable(question: dict, workspace) -> bool:
    """Whether the shop's records hold the facts the question asks for (a product question
    about what its catalog row does not state is the owner's to answer)."""
    if question["kind"] != "product":
        return True
    with Session(workspace.engine) as session:
        product = session.exec(select(Product).where(Product.name == question["product"])).one()
        sized = any(v.options.get("size") for v in session.exec(select(Variant).where(Variant.product_id == product.id)))
    needs = next(keys for words, keys in PRODUCT_NEEDS.items() if words in question["text"])
    return all(product.attributes.get(key) or (key == "size" and sized) for key in needs)


def facts_match(question: dict, reply: str, workspace, shipments: dict) -> tuple[bool, bool]:
    """(the reply states the records' facts for this question, it states something they contradict),
    checked against the platform's shipments and the shop's catalog and stock."""
    zh, number, kind = bool(re.search(r"[\u4e00-\u9fff]", question["text"])), question["order"], question["kind"]
    all_tracking = {t for ts in shipments.values() for t in ts}
    if number:
        mine = set(shipments.get(number, []))
        if {t for t in all_tracking if t in reply} - mine:
            return False, True  # another order's tracking number
        not_left = ("还未发货" in reply) if zh else ("has not left us yet" in reply)
        if mine and not_left:
            return False, True
    if kind == "status":
        mine = shipments.get(number, [])
        return (all(t in reply for t in mine) if mine else ("还未发货" if zh else "has not left us yet") in reply), False
    if kind == "cancel":
        shipped = bool(shipments.get(number))
        expected = ("无法再拦截" if zh else "can no longer be stopped") if shipped else \
            ("还未发货" if zh else "has not left us yet")
        return expected in reply, False
    if kind == "returns":
        return ("7 天" if zh else "7 days") in reply, False
    with Session(workspace.engine) as session:
        product = session.exec(select(Product).where(Product.name == question["product"])).one()
        variants = session.exec(select(Variant).where(Variant.product_id == product.id).order_by(col(Variant.id))).all()
    if kind == "stock":
        states = [(", ".join(v.options.values()) or v.sku, (v.stock - v.reserved) > 0) for v in variants]
        words = ("有货", "已售罄") if zh else ("in stock", "sold out")
        right = all(f"{label}: {words[0] if available else words[1]}" in reply for label, available in states)
        wrong = any(f"{label}: {words[1] if available else words[0]}" in reply for label, available in states)
        return right and not wrong, wrong
    # product: every attribute value the reply states is the catalog's, and it states at least one
    stated = [v for v in product.attributes.values() if v in reply]
    sizes = [str(v.options["size"]) for v in variants if v.options.get("size")]
    return bool(stated) or bool(sizes and all(s in reply for s in sizes)), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--minutes", type=float, default=5.0, help="the questions are spread over this long")
    parser.add_argument("--interval", type=int, default=60, help="desk_interval, seconds")
    parser.add_argument("--provider", choices=["embedded", "scripted"], default="embedded")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        process, url = start_marketplace(root / "marketplace")
        try:
            workspace = make_shop(root, url, args.provider, args.interval)
            needed = max(1, round(sum(n for k, n in MIX.items() if k in ORDER_KINDS) * args.questions / 120)) + 2
            orders: list[dict] = []
            for n in range(needed):
                handle, name, _, variants, listing = CATALOG[n % len(CATALOG)]
                number, client, email = buy(url, n, listing, 0 if len(variants) == 1 else 1 + n % 2)
                orders.append({"number": number, "client": client, "email": email})
            driver = SandboxBrowserDriver(url, SELLER[0], SELLER[1], workspace.runs)
            deps = workspace.tool_deps(driver=driver)
            sync_orders(deps)
            for placed in orders[::2]:  # half the orders have left when their buyers write
                ship_order(deps, placed["number"])
            driver.close()
            questions = plan_questions(args.questions, rng, orders)
            print(f"setup: {len(orders)} orders ({len(orders[::2])} shipped), {len(questions)} questions: "
                  + ", ".join(f"{k} {n}" for k, n in Counter(q["kind"] for q in questions).items()))

            all_sent, passes = threading.Event(), list[dict]()
            desk = threading.Thread(target=run_desk, args=(workspace.settings, all_sent, passes,
                                                           args.minutes * 60 + 900), daemon=True)
            desk.start()
            gap = args.minutes * 60 / len(questions)
            began = time.monotonic()
            for i, question in enumerate(questions):
                time.sleep(max(0.0, began + i * gap - time.monotonic()))
                ask(url, question)
            all_sent.set()
            desk.join()
            rows = platform_rows(root / "marketplace")
            held = {a.arguments.get("thread_id") for a in list_approvals(workspace) if a.tool == "reply_message"}
            with Session(workspace.engine) as session:
                step_times: defaultdict[tuple[str, str], float] = defaultdict(float)
                for step in session.exec(select(Step)):
                    step_times[(step.tool, "n")] += 1
                    step_times[(step.tool, "s")] += (step.duration_ms or 0) / 1000
        finally:
            process.terminate()
            process.wait(15)

        answered, escalated, silent, waits, false_claims = 0, 0, 0, list[float](), 0
        by_kind: Counter[tuple[str, str]] = Counter()
        factual, factual_right, unchecked_model, moved = 0, 0, 0, 0
        unanswerable, unanswerable_escalated = 0, 0
        for question in questions:
            row = rows["messages"].get((question["email"], question["text"]))
            reply = row["reply"] if row else None
            can = answerable(question, workspace)
            if question["kind"] in FACTUAL and can:
                factual += 1
            if not can:
                unanswerable += 1
                unanswerable_escalated += reply is None and bool(row) and row["thread"] in held
            if reply is None:
                if row and row["thread"] in held:
                    escalated += 1
                    by_kind[(question["kind"], "escalated")] += 1
                else:
                    silent += 1
                    by_kind[(question["kind"], "silent")] += 1
                continue
            answered += 1
            by_kind[(question["kind"], "answered")] += 1
            waits.append(seconds(reply[1], row["at"]))
            text = reply[0]
            order = None
            if question["order"]:
                with Session(workspace.engine) as session:
                    known = session.exec(select(Order).where(Order.remote_id == question["order"])).first()
                order = show_order(workspace.tool_deps(), question["order"]) if known else None
            if unsupported(text, order):
                false_claims += 1
            if question["kind"] in FACTUAL:
                right, wrong = facts_match(question, text, workspace, rows["shipments"])
                factual_right += right and can
                false_claims += wrong or not can  # an answer the records cannot back
            elif question["kind"] == "address" and "changed your delivery address" in text:
                street = re.search(r"goes to ([^,]+),", text)
                changed = street is not None and street.group(1) == rows["addresses"].get(question["order"])
                moved += changed
                false_claims += not changed
            elif question["kind"] in ("off_topic",):
                unchecked_model += 1
    total = len(questions)
    samples = {}
    for question in questions:
        row = rows["messages"].get((question["email"], question["text"]))
        if row and row["reply"] and question["kind"] not in samples:
            samples[question["kind"]] = f"{question['text']!r} -> {row['reply'][0]!r}"
    for kind, sample in samples.items():
        print(f"sample {kind}: {sample[:300]}")
    print("time in desk steps: " + ", ".join(f"{tool} {step_times[(tool, 'n')]} steps {step_times[(tool, 's')]:.0f} s"
                                             for tool, kind in sorted(step_times) if kind == "n"))
    print("desk passes (start s, took s, outcome): " + "; ".join(f"{a} {b} {c}" for a, b, c in passes))
    print("by kind: " + ", ".join(f"{k} {s} {n}" for (k, s), n in sorted(by_kind.items())))
    print(f"answered: {answered} of {total} ({100 * answered / total:.1f} %)")
    print(f"factual questions the records can answer, answered with the records' facts: {factual_right} of {factual} "
          f"({100 * factual_right / max(factual, 1):.1f} %, target >= 90 %)")
    print(f"factual questions the records cannot answer: {unanswerable}, escalated to the owner: "
          f"{unanswerable_escalated}")
    print(f"addresses changed on the platform as the reply said: {moved}")
    print(f"escalated to the owner: {escalated} of {total} ({100 * escalated / total:.1f} %)")
    print(f"silent (neither answered nor escalated): {silent}")
    print(f"false claims: {false_claims} (target 0); off-topic replies sent that code cannot check: {unchecked_model}")
    if waits:
        waits.sort()
        p95 = waits[min(len(waits) - 1, int(round(0.95 * len(waits))) - 1)]
        print(f"wait from the message on the platform to the reply: median {statistics.median(waits):.0f} s, "
              f"p95 {p95:.0f} s (desk_interval {args.interval} s; target median < 90 s)")


if __name__ == "__main__":
    main()
