"""What a buyer asks, recognised by code (English and Chinese) so the common questions are
answered from the shop's records without a model.

The buyer's text is only matched against these patterns; nothing in it is followed.
"""

import re
from dataclasses import dataclass

CJK = re.compile(r"[\u4e00-\u9fff]")

# Checked in this order: the first kind whose pattern matches is the question's kind. Insults
# and complaints come first (a person answers them, whatever else the message asks), then
# what moves money or changes an order, then the plain questions.
KINDS: list[tuple[str, re.Pattern]] = [
    ("abuse", re.compile(
        r"\b(idiot|stupid|scam+(er|mers?)?|fraud|liars?|crooks?|useless|garbage|trash|shit|fuck\w*|damn you)\b|"
        r"骗子|垃圾|傻|滚|去死|混蛋|废物", re.I)),
    ("complaint", re.compile(
        r"\b(broken|damaged|scratch\w*|crack\w*|defect\w*|faulty|not happy|unhappy|disappointed|not what the "
        r"pictures?|wrong item|missing)\b|坏了|破损|损坏|划痕|裂|质量差|不满意|发错|少发|和图片不一样", re.I)),
    ("refund", re.compile(r"\b(refund|money back|reimburse\w*|compensat\w*)\b|退款|退钱|赔偿|补偿", re.I)),
    ("cancel", re.compile(r"\bcancel\w*|取消|不要了|撤销订单", re.I)),
    ("address", re.compile(
        r"\baddress\b|\bi (have )?moved\b|send it to .+ instead|deliver(y)? to .+ instead|地址|收货人|寄到.+吧|改寄",
        re.I)),
    ("returns", re.compile(r"\b(return|send (it )?back|exchange)\w*|退货|退换|换货|退回", re.I)),
    ("haggle", re.compile(
        r"\b(discount|cheaper|lower (the )?price|best price|better price|deal|bargain|coupon|any offers?|"
        r"knock .* off|\d+\s?% off)\b|便宜|优惠|打折|折扣|少点|砍价|最低价|包邮吗", re.I)),
    ("status", re.compile(
        r"\b(where is|where's|has (it|my \w+) (shipped|left|been sent)|left yet|shipped yet|track\w*|"
        r"when will (it|my \w+|this|the \w+) (ship|arrive|be sent|be delivered|come)|when do you ship|"
        r"status of my|still nothing|not (arrived|received)|delivery date|dispatch\w*)\b|"
        r"到哪|物流|快递单号|单号|发货了吗|什么时候发货|何时发货|多久发货|什么时候到|还没到|还没收到|发货时间|"
        r"订单状态|到了吗", re.I)),
    ("stock", re.compile(
        r"\b(in stock|available|availability|sold out|restock\w*|back in stock|do you (still )?have)\b|"
        r"有货|有没有货|库存|还有吗|缺货|补货|售罄", re.I)),
    ("product", re.compile(
        r"\b(made of|material|fabric|size|sizes|sizing|fit|fits|measurements?|dimensions?|how (big|large|tall|"
        r"wide|heavy)|capacity|weight|colou?rs?|dishwasher|microwave|wash(ing|able)?|care)\b|"
        r"材质|材料|什么做的|面料|尺寸|尺码|大小|多大|多高|多重|容量|重量|颜色|洗碗机|微波炉|怎么洗|偏大|偏小", re.I)),
]

# What a product question asks about: the attribute keys that answer it (tools/copy/attributes.py
# names the keys a catalog may carry).
ASPECTS: list[tuple[str, re.Pattern, tuple[str, ...]]] = [
    ("material", re.compile(r"made of|material|fabric|材质|材料|什么做的|面料", re.I), ("material",)),
    ("measurements", re.compile(r"measurements?|dimensions?|how (big|large|tall|wide|long)|尺寸|多大|多高|多长",
                                re.I), ("dimensions", "height", "width", "length", "diameter", "size")),
    ("size", re.compile(r"\bsizes?\b|sizing|\bfits?\b|尺码|偏大|偏小|大小", re.I), ("size",)),
    ("capacity", re.compile(r"capacity|how much (does it|can it) hold|容量", re.I), ("capacity",)),
    ("weight", re.compile(r"weight|how heavy|重量|多重", re.I), ("weight",)),
    ("colour", re.compile(r"colou?rs?|颜色", re.I), ("colour", "color")),
    ("care", re.compile(r"dishwasher|microwave|wash(ing|able)?|care|洗碗机|微波炉|怎么洗", re.I), ("care",)),
]


@dataclass(frozen=True)
class Question:
    kind: str  # a KINDS name, or "other"
    language: str  # en | zh-CN
    aspects: tuple[str, ...] = ()  # for product questions: material, size, ...


def language_of(text: str, default: str = "en") -> str:
    """zh-CN when the buyer writes Chinese, else English (or the shop's language when the text
    has no letters to go by)."""
    if CJK.search(text or ""):
        return "zh-CN"
    return "en" if re.search(r"[A-Za-z]", text or "") else default


def classify(text: str, default_language: str = "en") -> Question:
    """The kind of question `text` asks, its language and, for a product question, what about."""
    language = language_of(text, default_language)
    for kind, pattern in KINDS:
        if pattern.search(text or ""):
            aspects = tuple(name for name, aspect, _ in ASPECTS if aspect.search(text)) if kind == "product" else ()
            return Question(kind, language, aspects)
    return Question("other", language)


def waiting_text(messages) -> str:
    """What the buyer wrote since the shop's last reply (messages with .sender and .text, oldest
    first): the question to answer."""
    waiting: list[str] = []
    for message in messages:
        waiting = [] if message.sender != "buyer" else waiting + [message.text]
    return "\n".join(waiting)
