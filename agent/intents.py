"""The owner's common requests, recognised by code: the plan `ask` falls back to when the
model cannot plan (the small embedded model rarely can).

Each intent maps words of the request (English or Chinese) to a fixed plan of registered
tools. Money is computed here, never read from the model: "mugs 10% off this weekend"
becomes one price test per matching SKU at its current price less 10 %, which then runs
under the approval policy like any other price change.

Only the owner's own words are matched: what the request quotes or pastes (a buyer's
message, a supplier's mail) is data and is taken out first (`owner_words`).
"""

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from agent.executor import PlanStep
from store_data.money import format_money
from store_data.shop import Product, Variant
from tools.copy.grounding import name_words, pairs


@dataclass(frozen=True)
class Intent:
    name: str
    pattern: re.Pattern
    steps: tuple[tuple[str, dict], ...]
    answer: str


# Checked in order; the first that matches plans the request.
INTENTS = (
    Intent("messages", re.compile(r"\b(messages?|questions?|inbox|unanswered|repl(y|ies)|buyers? ask)|留言|回复|咨询|客服", re.I),
           (("answer_messages", {}),),
           "Drafting replies to the buyers waiting for one."),
    Intent("ship", re.compile(r"\b(ship|shipping|fulfil+|dispatch|send out)\w*|发货", re.I),
           (("sync_orders", {}), ("fulfil_orders", {})),
           "Bringing the orders in from the marketplace and shipping the paid ones that have stock."),
    Intent("stock", re.compile(r"\b(stock|inventory|sold out|run(ning)? out)\b|库存|缺货|断货", re.I),
           (("check_stock", {}),),
           "Checking which SKUs are low or sold out."),
    Intent("sales", re.compile(r"\b(sales?|revenue|sold|sell(ing)?|orders?|report|perform\w*|drop\w*|down)\b"
                               r"|销售|销量|营业额|卖得|报表", re.I),
           (("sales_report", {}),),
           "Making the sales report of {period}: revenue, orders, conversion, refunds, top products "
           "and what changed."),
)

# Quoted spans: "...", “...”, „...“, «...», 「...」, 『...』, ‘...’, and '...' not inside a word
# (an apostrophe is not a quote). An opening quote never closed runs to the end.
QUOTED = re.compile(r'"[^"]*(?:"|$)|“[^”]*(?:”|$)|„[^“”]*(?:[“”]|$)|«[^»]*(?:»|$)|「[^」]*(?:」|$)|『[^』]*(?:』|$)'
                    r"|‘[^’]*(?:’|$)|(?<!\w)'[^']*(?:'(?!\w)|$)", re.S)
# Reported or pasted speech: what follows "wrote:", "said:", a speaker's label ("SYSTEM:",
# "Buyer:") at a line's start, 写道 / 说： / 留言：, is someone else's text up to the end.
REPORTED = re.compile(r"\b(wrote|writes|said|says|asked|asks|replied|messaged|forwarded|pasted|quote[ds]?)\s*[:：]"
                      r"|(^|\n)\s*[\[(]?(system|assistant|user|owner|admin|seller|buyer|customer|supplier|note)[\])]?\s*[:：]"
                      r"|(写道|说|留言|问|来信|消息|原话|转发)\s*[:：]", re.I)
BLOCK_QUOTE = re.compile(r"^[ \t]*>.*$", re.M)


# Opening mark -> the marks that close it.
QUOTE_MARKS = {'"': '"', "“": "”", "„": "“”", "«": "»", "「": "」", "『": "』", "‘": "’"}


def _outer_quote_end(text: str) -> int | None:
    """Where the quoted span that `text` opens with ends: at the LAST closing mark of its kind
    in `text` (a pasted text that quotes in turn stays whole: reading too much as data only
    makes the shop refuse more), or at the end when never closed. None when it opens none."""
    closing = QUOTE_MARKS.get(text[:1])
    if closing is None:
        return None
    last = max(text.rfind(mark, 1) for mark in closing)
    return len(text) if last < 1 else last + 1


def _drop_quoted(text: str) -> str:
    """Every quoted span, each kind of quote taken from its first opening mark to its last
    closing one; apostrophe-quoted spans ('...') as single spans."""
    for opening in QUOTE_MARKS:
        start = text.find(opening)
        if start >= 0:
            end = _outer_quote_end(text[start:])
            assert end is not None, "the text from `start` opens with a quote mark"
            text = text[:start] + " " + text[start + end:]
    return QUOTED.sub(" ", text)


def owner_words(goal: str) -> str:
    """The request without what it quotes or pastes: block quotes, quoted spans, and
    everything after a reported-speech marker ("A buyer wrote: ..."), which is data."""
    text = BLOCK_QUOTE.sub(" ", goal or "")
    # A marker followed by a quoted span loses only that span; the owner may go on after it.
    while True:
        marker = REPORTED.search(text)
        if marker is None:
            break
        rest = text[marker.end():].lstrip()
        end = _outer_quote_end(rest)
        if end is None and (quoted := QUOTED.match(rest)):
            end = quoted.end()
        text = text[:marker.start()] + (" " + rest[end:] if end is not None else "")
    return re.sub(r"\s+", " ", _drop_quoted(text)).strip()


def named_orders(goal: str) -> set[str]:
    """The order numbers the owner's own words name (S1000012, #12, 12), lower case."""
    return {token.lower().lstrip("#") for token in re.findall(r"#?[A-Za-z]*\d[A-Za-z0-9_-]*", owner_words(goal))}


PERCENT_OFF = re.compile(r"(\d{1,2})\s*%\s*(off|discount|cheaper|lower)|(?:cut|lower|reduce|discount)\w*\s.*?(\d{1,2})\s*%"
                         r"|降价\s*(\d{1,2})\s*%|便宜\s*(\d{1,2})\s*%|(\d{1,2})\s*%\s*(折扣|优惠)", re.I)
ZH_DISCOUNT = re.compile(r"打\s*(\d)(?:\.(\d))?\s*折|打\s*(\d\d)\s*折")  # 打9折 = 10 % off, 打85折 = 15 % off
ALL_PRODUCTS = re.compile(r"\b(all|every|everything|whole shop|storewide)\b|全部|所有|全店", re.I)
ZH_NOT_PRODUCT = re.compile(r"全部|所有|全店|降价|便宜|优惠|折扣|打折|周末|昨天|今天|明天|本周|这周|本月|这个月|天内|商品|产品|价格")
STOP = {"put", "make", "the", "this", "that", "for", "off", "all", "every", "everything", "weekend", "week",
        "month", "days", "day", "today", "tomorrow", "price", "prices", "discount", "cheaper", "lower", "cut",
        "reduce", "our", "shop", "store", "products", "items", "and", "with", "sale", "please"}


def period_days(goal: str, default: int = 7) -> int:
    """How many days the request speaks of: 'yesterday' 1, 'this weekend' 2, 'N days' N,
    'week' 7, 'month' 30."""
    text = goal.lower()
    number = re.search(r"(\d{1,3})\s*(days?|天)", text)
    if number:
        return max(1, min(int(number.group(1)), 365))
    for pattern, days in ((r"yesterday|昨天", 1), (r"weekend|周末", 2), (r"week|周|星期", 7), (r"month|月", 30)):
        if re.search(pattern, text):
            return days
    return default


def percent_off(goal: str) -> int | None:
    """The discount asked for, in whole percent, or None."""
    found = PERCENT_OFF.search(goal)
    if found:
        return int(next(g for g in found.groups() if g and g.isdigit()))
    zh = ZH_DISCOUNT.search(goal)
    if zh:
        tenths = int(zh.group(3)) if zh.group(3) else int(zh.group(1)) * 10 + int(zh.group(2) or 0)
        return 100 - tenths
    return None


def _matching_skus(session: Session, goal: str) -> tuple[list[Variant], str]:
    """The priced SKUs the request names (by product name or category words, or Chinese
    name characters), every priced SKU when it says 'all', and what was looked for."""
    wanted = name_words(goal) - STOP
    rest = ZH_NOT_PRODUCT.sub(" ", ZH_DISCOUNT.sub(" ", goal))  # the Chinese words left may name products
    cjk = sorted(pairs(rest))
    variants = session.exec(select(Variant).where(col(Variant.price_cents).is_not(None)).order_by(Variant.sku)).all()
    if not wanted and not cjk:
        return (list(variants) if ALL_PRODUCTS.search(goal) else []), "every product"
    chosen = []
    for variant in variants:
        product = session.get(Product, variant.product_id)
        if product is None:
            raise LookupError(f"SKU {variant.sku} belongs to product {variant.product_id}, which is not stored")
        names = name_words(f"{product.name} {product.category}")
        text = f"{product.name} {product.category}"
        if wanted & names or any(w in text for w in cjk):
            chosen.append(variant)
    return chosen, ", ".join(sorted(wanted) + cjk)


def price_plan(session: Session, goal: str) -> tuple[list[PlanStep], str] | None:
    """Price tests for a request like 'put all mugs 10% off this weekend', or None. Read
    from the owner's own words only."""
    goal = owner_words(goal)
    percent = percent_off(goal)
    if percent is None:
        return None
    if not 1 <= percent <= 90:
        return [], f"A {percent}% discount is outside 1-90%; nothing was planned."
    days = period_days(goal)
    variants, looked_for = _matching_skus(session, goal)
    if not variants:
        return [], (f"No priced product matches '{looked_for}'; nothing was planned. Name products by "
                    f"their name or category, or say 'all'.")
    steps = []
    for v in variants:
        assert v.price_cents is not None, "_matching_skus picks priced SKUs only"
        steps.append(PlanStep(tool="start_price_test",
                              arguments={"sku": v.sku, "price_cents": round(v.price_cents * (100 - percent) / 100),
                                         "days": days},
                              why=f"{percent}% off {v.price_cents / 100:.2f} for {days} day(s), as asked"))
    return steps, (f"{len(steps)} SKU(s) at {percent}% off for {days} day(s), each as a price test that "
                   f"returns to the current price afterwards.")


def intent_plan(session: Session, goal: str, tools: dict) -> tuple[list[PlanStep], str] | None:
    """The code's plan for a recognised request, using only tools installed here; else None.
    Only the owner's own words count: quoted or pasted text asks for nothing."""
    goal = owner_words(goal)
    priced = price_plan(session, goal)
    if priced is not None:
        steps, answer = priced
        return (steps, answer) if all(s.tool in tools for s in steps) else None
    for intent in INTENTS:
        if intent.pattern.search(goal) and all(tool in tools for tool, _ in intent.steps):
            days = period_days(goal)
            steps = [PlanStep(tool=tool, arguments=({"days": days} if tool == "sales_report" else dict(arguments)),
                              why=f"recognised request: {intent.name}")
                     for tool, arguments in intent.steps]
            period = "yesterday against the day before" if days == 1 else f"the last {days} days against the {days} before"
            return steps, intent.answer.format(period=period)
    return None


def _change(now, before, money: str | None = None, percent: bool = False) -> str:
    if now is None:
        return "n/a"
    show = (lambda v: format_money(v, money)) if money else (lambda v: f"{v:.1%}") if percent else str
    text = show(now)
    if before is None:
        return text
    text += f" vs {show(before)}"
    if before and not percent:
        text += f" ({(now - before) / before:+.0%})"
    return text


def sales_answer(report: dict) -> str:
    """The sales report's headline figures as sentences, written by code from its output."""
    period, now, before = report["period"], report["summary"], report["previous"]
    currency = period.get("currency", "USD")
    when = (f"{period['first']}" if period["first"] == period["last"] else f"{period['first']} to {period['last']}")
    lines = [f"{when} against the {period['days']} day(s) before: net sales "
             f"{_change(now['net_cents'], before['net_cents'], currency)}; orders {_change(now['orders'], before['orders'])}; "
             f"visits {_change(now['visits'], before['visits'])}; conversion "
             f"{_change(now['conversion'], before['conversion'], percent=True)}; refunds "
             f"{_change(now['refunds_cents'], before['refunds_cents'], currency)}."]
    drops = [a for a in report.get("anomalies", []) if a.get("kind") == "drop"]
    if drops:
        lines.append("Drops against the week before: " + "; ".join(
            f"{a['day']} {a['metric'].replace('_cents', '')} {a['ratio']:.0%} of usual" for a in drops[:3]) + ".")
    top = report.get("top_products", [])[:3]
    if top:
        lines.append("Top products: " + ", ".join(str(p.get("name") or p.get("sku")) for p in top) + ".")
    lines.append(f"Report: {report['report']}")
    return " ".join(lines)
