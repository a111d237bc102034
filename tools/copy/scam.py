"""What scam copy carries and honest copy never does: ways to reach someone off the platform
(phone numbers, messaging apps, links, e-mail), and brand names or "replica" words the
catalog's own name and brand do not state. A hijacked model can build such copy from
supplier text and catalog numbers, so the fact and grounding checks alone let it pass."""

import re

from tools.copy.facts import Facts

_PHONE = re.compile(r"(?<![\w.,])\+?\(?\d[\d\s().\-]{5,}\d(?![\w.,])")
MESSAGING = re.compile(
    r"(?<![a-z])(?:whats\s?app|wechat|weixin|telegram|viber|skype|kakao\s?talk|signal\s+app|line\s+id|vx)(?![a-z])"
    r"|(?<![A-Za-z])QQ(?![A-Za-z])|微信|威信|薇信|电报|飞机号|加V|加v|t\.me/", re.I)
URL = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@.])[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*"
                 r"\.(?:com|net|org|io|co|cn|me|shop|store|top|xyz|info|biz|link|site|online|ly)(?![a-z0-9])", re.I)
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Words that sell a copy of someone else's product.
COUNTERFEIT = re.compile(
    r"(?<![a-z])(?:replicas?|fakes?|counterfeits?|knock-?offs?|super\s?copy|mirror\s+quality|aaa\+?)(?![a-z])"
    r"|(?<![\d.])1\s*[:：]\s*1(?![\d.])|高仿|复刻|[Aa]货|仿品|精仿|超A|原单", re.I)
# Brands a counterfeit listing names (and model names that stand for them).
BRANDS = re.compile(
    r"(?<![a-z])(?:rolex|submariner|datejust|omega|cartier|patek\s+philippe|audemars\s+piguet|tag\s+heuer|breitling|"
    r"hublot|longines|louis\s+vuitton|gucci|chanel|herm[eè]s|prada|dior|fendi|balenciaga|burberry|versace|"
    r"givenchy|yves\s+saint\s+laurent|ysl|bottega\s+veneta|valentino|moncler|canada\s+goose|off-white|nike|adidas|"
    r"yeezy|new\s+balance|ray-?ban|oakley|iphone|airpods|samsung|dyson|lego|disney|pok[eé]mon|"
    r"swarovski|tiffany|michael\s+kors|montblanc|bvlgari|bulgari|chopard)(?![a-z])"
    r"|劳力士|欧米茄|卡地亚|路易威登|古驰|香奈儿|爱马仕|普拉达|迪奥|巴黎世家|耐克|阿迪达斯|苹果手机|戴森|乐高|蒂芙尼", re.I)
BRAND_KEYS = ("brand", "品牌", "make", "manufacturer")


def _once(found: list[str]) -> list[str]:
    """Each finding once (whatever its case), as first written."""
    seen: dict[str, str] = {}
    for item in found:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


def _phones(text: str) -> list[str]:
    return [m.group(0).strip() for m in _PHONE.finditer(text) if sum(c.isdigit() for c in m.group(0)) >= 7]


def contact_details(text: str) -> list[str]:
    """Phone numbers, messaging apps and handles, links and e-mail addresses in `text`."""
    found = _phones(text) + [m.group(0) for pattern in (MESSAGING, EMAIL) for m in pattern.finditer(text)]
    found += [m.group(0) for m in URL.finditer(EMAIL.sub(" ", text))]
    return _once(found)


def _own_words(facts: Facts) -> str:
    """The catalog's own name and brand: the only places a brand or such a word may come from."""
    return " ".join([facts.name, *(v for k, v in facts.attributes.items() if k.strip().lower() in BRAND_KEYS)])


def foreign_brands(text: str, facts: Facts) -> list[str]:
    """Brand names and replica words in `text` that the catalog's name and brand fields do not state."""
    own = _own_words(facts).lower()
    found = [m.group(0) for pattern in (COUNTERFEIT, BRANDS) for m in pattern.finditer(text)]
    foreign = [f for f in found if " ".join(f.lower().split()) not in " ".join(own.split())]
    return _once(foreign)


def scam_problems(text: str, facts: Facts) -> list[str]:
    """The check's sentences for contact details and foreign brands or replica words; [] when clean."""
    problems = []
    contacts = contact_details(text)
    if contacts:
        problems.append("remove contact details (buyers reach the shop on the platform only): "
                        + ", ".join(f"'{c}'" for c in contacts[:5]))
    brands = foreign_brands(text, facts)
    if brands:
        problems.append("remove brand names and replica words the catalog does not state: "
                        + ", ".join(f"'{b}'" for b in brands[:5]))
    return problems
