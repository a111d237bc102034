"""Answers written by code from the thread's facts, in the buyer's language (English or
Chinese), so a shop with no model, or a small one, still answers the common questions.

Each answer states only what the records show. It is sent like any other reply: the approval
policy checks its claims against the order's records first. The words are chosen so an
answer makes no claim the records would not support (no refund, cancel or address-change
words unless the records show them); what needs a decision goes to the owner instead, with a
holding reply that promises nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from tools.desk.facts import ProductFacts, ThreadFacts
from tools.desk.questions import ASPECTS, Question
from tools.order_address import ADDRESS_HOLD, CANCEL_HOLD, parse_address

SHIPPED = {"shipped", "delivered", "return_requested", "returned", "closed"}
# Attribute names as a Chinese reply shows them (values stay as the catalog writes them).
ZH_LABELS = {"material": "材质", "size": "尺码", "sizes": "可选尺码", "dimensions": "尺寸", "height": "高度",
             "width": "宽度", "length": "长度", "diameter": "直径", "capacity": "容量", "weight": "重量",
             "colour": "颜色", "color": "颜色", "care": "保养"}


@dataclass(frozen=True)
class Answer:
    text: str
    escalate: bool = False
    reason: str = ""
    # Calls that must run before the reply is sent (an address change), as follow-up calls.
    calls: tuple[dict, ...] = ()
    hold_order: bool = False  # keep the order from shipping until those calls are done
    hold_flag: str = ADDRESS_HOLD  # why it is held (an address change, a cancellation)


def _zh(question: Question) -> bool:
    return question.language == "zh-CN"


def _day(moment) -> str:
    return f"{moment:%Y-%m-%d}"


def holding(question: Question, facts: ThreadFacts, reason: str) -> Answer:
    """A reply that promises nothing, for a thread the owner must decide."""
    number = facts.order["number"] if facts.order else ""
    if _zh(question):
        about = f"关于订单 {number} 的" if number else ""
        return Answer(f"您好，我们已收到您{about}留言，店主会亲自查看并在这里回复您。", True, reason)
    about = f" about order {number}" if number else ""
    return Answer(f"Thank you for your message{about}. The shop owner will look at it personally and reply here.",
                  True, reason)


def _no_order(question: Question) -> Answer:
    if _zh(question):
        return Answer("您好，请在订单页面点击“联系卖家”留言，或告诉我们您的订单号，我们会马上为您查询。")
    return Answer("Hello! Please write to us from your order's page (Message the seller), or tell us your order "
                  "number, and we will check it for you right away.")


def status_answer(question: Question, facts: ThreadFacts) -> Answer:
    """Where the order is: shipped (when, carrier, tracking) or when it will ship."""
    order = facts.order
    if order is None:
        return _no_order(question)
    number, status, zh = order["number"], order["status"], _zh(question)
    if order["shipments"]:
        parts = [(_day(s["shipped_at"]), s["carrier"], s["tracking"]) for s in order["shipments"]]
        if zh:
            sent = "；".join(f"{day} 由 {carrier} 发出，快递单号 {tracking}" for day, carrier, tracking in parts)
            done = "，已签收" if status in ("delivered", "closed") else ""
            return Answer(f"您好，您的订单 {number} 已于 {sent}{done}。可用快递单号在 {parts[0][1]} 查询物流。")
        sent = "; ".join(f"on {day} with {carrier}, tracking number {tracking}" for day, carrier, tracking in parts)
        done = " It has been delivered." if status in ("delivered", "closed") else ""
        return Answer(f"Hello! Your order {number} was shipped {sent}.{done} You can follow it with the "
                      f"tracking number on {parts[0][1]}'s site.")
    if status in ("paid", "pending"):
        ship_by = facts.ship_by(order)
        if ship_by.date() < facts.now.date():
            return holding(question, facts, f"order {number} is past its ship-by date ({_day(ship_by)}) "
                                            "and the buyer asks where it is")
        by = _day(ship_by)
        placed = _day(order["placed_at"])
        if zh:
            return Answer(f"您好，您的订单 {number}（{placed} 下单）还未发货。我们在 {facts.ship_within_days} 个"
                          f"工作日内发货，预计 {by} 前发出，发货后您会收到快递单号。")
        return Answer(f"Hello! Your order {number} (placed {placed}) has not left us yet. We send orders within "
                      f"{facts.ship_within_days} working days, so it should leave by {by}; you will get the "
                      "tracking number when it does.")
    return holding(question, facts, f"the buyer asks where order {number} is; its status is {status}")


def _options(product: ProductFacts, zh: bool) -> str:
    labels = []
    for variant in product.variants:
        label = ", ".join(variant["options"].values()) or variant["sku"]
        state = ("有货" if variant["available"] else "已售罄") if zh else \
            ("in stock" if variant["available"] else "sold out")
        labels.append(f"{label}: {state}")
    return ("；" if zh else "; ").join(labels)


def stock_answer(question: Question, facts: ThreadFacts) -> Answer:
    if not facts.products:
        return holding(question, facts, "the buyer asks about stock but names no product the shop knows")
    zh = _zh(question)
    lines = [f"{p.name}（{_options(p, zh)}）" if zh else f"{p.name} ({_options(p, zh)})" for p in facts.products]
    if zh:
        return Answer("您好，目前库存情况：" + "；".join(lines) + "。")
    return Answer("Hello! Here is what we have right now: " + "; ".join(lines) + ".")


def product_answer(question: Question, facts: ThreadFacts) -> Answer:
    """The attributes the question asks about, for the products of the thread; when the
    records cannot answer every part of the question, the owner does (half an answer to
    "how big is it?" would mislead)."""
    if not facts.products:
        return holding(question, facts, "the buyer asks about a product the shop cannot tell from the message")
    zh, said, missing = _zh(question), [], set()
    keys = {name: keys for name, _, keys in ASPECTS}
    for product in facts.products:
        values = []
        for aspect in question.aspects or ("material",):
            found = [(k, product.attributes[k]) for k in keys[aspect] if product.attributes.get(k)]
            sizes = [v["options"]["size"] for v in product.variants if v["options"].get("size")]
            if aspect == "size" and sizes:
                found.append(("sizes", ("、" if zh else ", ").join(sizes)))
            if not found:
                missing.add(aspect)
            values += [item for item in found if item not in values]
        joined = ("；" if zh else "; ").join(f"{ZH_LABELS.get(k, k) if zh else k}: {v}" for k, v in values)
        said.append(f"{product.name}：{joined}" if zh else f"{product.name}: {joined}")
    if missing:
        return holding(question, facts, f"the buyer asks about {', '.join(sorted(missing))}, which the catalog "
                                        "does not state")
    if zh:
        return Answer("您好，根据商品资料：" + "。".join(said) + "。")
    return Answer("Hello! From the product's details: " + ". ".join(said) + ".")


def returns_answer(question: Question, facts: ThreadFacts) -> Answer:
    zh, days, order = _zh(question), facts.return_days, facts.order
    shipped = [s["shipped_at"] for s in order["shipments"]] if order else []
    if order is not None and shipped:
        until = _day(min(shipped) + timedelta(days=days))
        if zh:
            return Answer(f"您好，商品发货后 {days} 天内可以退货。您的订单 {order['number']} 可在 {until} 前在订单页面"
                          "提交退货申请，我们会按店铺政策处理。")
        return Answer(f"Hello! Items can be returned within {days} days of shipment. For order {order['number']} "
                      f"you can open a return request on the order's page until {until}; we decide it by the shop's "
                      "policy.")
    if zh:
        return Answer(f"您好，商品发货后 {days} 天内可以退货：收到商品后，在订单页面提交退货申请即可。")
    return Answer(f"Hello! Items can be returned within {days} days of shipment: once it arrives, open a return "
                  "request on the order's page.")


def cancel_answer(question: Question, facts: ThreadFacts) -> Answer:
    """Only the platform's request goes through the order policy; a message is answered with
    how to make one (unshipped) or why it is too late (shipped)."""
    order, zh = facts.order, _zh(question)
    if order is None:
        return _no_order(question)
    if order["status"] in SHIPPED or order["shipments"]:
        if zh:
            return Answer(f"您好，您的订单 {order['number']} 已经发出，无法再拦截。收到商品后，可在发货后 "
                          f"{facts.return_days} 天内在订单页面申请退货。")
        return Answer(f"Hello! Your order {order['number']} has already left us, so it can no longer be stopped. "
                      f"Once it arrives you can open a return request on the order's page within "
                      f"{facts.return_days} days of shipment.")
    # Held: it must not ship while the buyer's cancellation is on its way.
    if zh:
        return Answer(f"您好，您的订单 {order['number']} 还未发货，我们已暂停发货。请在订单页面提交申请，我们会按店铺政策尽快处理。",
                      hold_order=True, hold_flag=CANCEL_HOLD)
    return Answer(f"Hello! Your order {order['number']} has not left us yet, and we are holding it. Please open a "
                  "request on the order's page and we will decide it by the shop's policy right away.",
                  hold_order=True, hold_flag=CANCEL_HOLD)


def floor_cents(variant: dict, facts: ThreadFacts) -> int | None:
    """The lowest price the owner allows for `variant`: price_floor_pct of its list price, and
    never below cost x price_min_markup; None when it has no list price."""
    if not variant.get("price_cents"):
        return None
    by_list = (Decimal(variant["price_cents"]) * facts.floor_pct / 100).to_integral_value(ROUND_CEILING)
    by_cost = (Decimal(variant["cost_cents"]) * facts.min_markup).to_integral_value(ROUND_CEILING)
    return int(max(by_list, by_cost))


def haggle_answer(question: Question, facts: ThreadFacts) -> Answer:
    """No lower price, or one at the owner's floor; an offer names money, so it waits for the
    owner before the buyer reads it."""
    zh = _zh(question)
    for product in facts.products:
        variant = next((v for v in product.variants if v["available"] and v.get("price_cents")), None)
        floor = floor_cents(variant, facts) if variant else None
        if variant is not None and floor is not None and floor < variant["price_cents"]:
            offer = f"{floor / 100:.2f} {facts.currency}"
            reason = (f"a price offer for {product.name}: {offer} (list {variant['price_cents'] / 100:.2f}; floor "
                      f"{facts.floor_pct}% of list, never below cost x {facts.min_markup})")
            if zh:
                return Answer(f"您好，感谢您的关注！{product.name} 我们最低可以给到 {offer}。", True, reason)
            return Answer(f"Hello, and thank you for your interest! For the {product.name} the best we can do is "
                          f"{offer}.", True, reason)
    if zh:
        return Answer("您好，感谢您的关注！我们的价格已经是实价，暂时没有额外优惠。")
    return Answer("Hello, and thank you for your interest! Our prices are already as low as we can make them, "
                  "so we cannot offer a lower one.")


def address_answer(question: Question, facts: ThreadFacts, text: str) -> Answer:
    """An unshipped order goes to the new address the buyer gives in full (street, city,
    postcode): the change is made on the platform first, and the reply confirming it names the
    street, which the reply check finds in the order's records only once the change is made."""
    order, zh = facts.order, _zh(question)
    if order is None:
        return _no_order(question)
    number = order["number"]
    if order["status"] != "paid" or order["shipments"]:
        if zh:
            return Answer(f"您好，您的订单 {number} 已经发出，收货信息无法再修改，请留意快递的派送通知。")
        return Answer(f"Hello! Your order {number} has already left us, so its delivery details can no longer be "
                      "altered by us; the carrier's notice will tell you how to redirect it.")
    wanted = parse_address(text)
    if wanted is None:
        if zh:
            return Answer(f"您好，我们已暂停订单 {number} 的发货。请回复完整的收货信息（街道、城市、邮编），我们收到后立即处理。",
                          hold_order=True)
        return Answer(f"Hello! We are holding order {number} for now. Please reply with the full delivery details "
                      "(street, city and postcode) and we will update them at once.", hold_order=True)
    where = f"{wanted['address1']}, {wanted['city']} {wanted['region']} {wanted['postcode']}".replace("  ", " ")
    call = {"tool": "change_order_address", "why": "the buyer asked for a new delivery address",
            "arguments": {"order_id": number, **wanted}}
    if zh:
        return Answer(f"您好，已为您修改地址：订单 {number} 将寄往 {where}。",
                      calls=(call,), hold_order=True)
    return Answer(f"Hello! We have changed your delivery address: order {number} now goes to {where}.",
                  calls=(call,), hold_order=True)


def code_answer(question: Question, facts: ThreadFacts, faq: str | None = None, text: str = "") -> Answer | None:
    """The code's answer to `question` from `facts`, or None when the model should draft one.
    `faq` is the owner's FAQ answer the message matched, if any; `text` the buyer's words (an
    address is read from them)."""
    kind = question.kind
    if kind in ("abuse", "complaint", "refund"):
        return holding(question, facts, {"abuse": "an abusive message", "complaint": "a complaint",
                                         "refund": "the buyer asks for money back"}[kind])
    if faq:
        return Answer(faq)
    if kind == "address":
        return address_answer(question, facts, text)
    if kind == "haggle":
        return haggle_answer(question, facts)
    answers = {"status": status_answer, "stock": stock_answer, "product": product_answer,
               "returns": returns_answer, "cancel": cancel_answer}
    if kind in answers:
        return answers[kind](question, facts)
    return None
