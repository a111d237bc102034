"""Buyer traffic: visits, carts, orders, messages, requests and reviews over simulated days.

Everything goes through the storefront's own HTTP endpoints, as a buyer's browser would.
All choices come from one ``random.Random(seed)``, and every request carries its
simulated time in ``X-Sim-Time`` (honoured by a server started with ``--sim-clock``),
so the same seed against the same shop gives the same traffic.

Demand responds to what a buyer sees: listings with pictures, a video, a fuller
description and a lower price than the shop's median get more visits and convert better.
"""

from __future__ import annotations

import re
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx

FIRST = ["Ava", "Ben", "Chloe", "Dan", "Emma", "Finn", "Grace", "Hugo", "Isla", "Jack", "Lena", "Maya",
         "Noah", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Wei", "Yuki", "Zoe"]
LAST = ["Smith", "Jones", "Garcia", "Chen", "Patel", "Kim", "Müller", "Rossi", "Silva", "Nguyen", "Brown"]
CITIES = [("Denver", "CO", "80202"), ("Austin", "TX", "73301"), ("Boston", "MA", "02108"),
          ("Seattle", "WA", "98101"), ("Chicago", "IL", "60601")]
# What buyers write to the seller, by kind, in English and Chinese: the questions a service
# desk must answer ({product}, {size}, {street}, {city} are filled in), plus complaints,
# abuse and off-topic ones it must hand to a person or answer with care.
QUESTIONS = {
    "status": ["When will my order ship?", "Has my parcel left yet?", "Where is my order? Can I get the tracking number?",
               "我的订单什么时候发货？", "快递到哪了？有单号吗？"],
    "product": ["What is the {product} made of?", "What are the exact measurements of the {product} in size {size}?",
                "Is the {product} dishwasher safe? How do I care for it?", "这个{product}是什么材质的？", "{product}的尺寸是多少？"],
    "stock": ["Is the {product} still in stock?", "Do you still have the {product} in size {size}?", "{product}还有货吗？"],
    "returns": ["Can I return it if it does not fit?", "What is your return policy?", "不合适可以退货吗？"],
    "address": ["Please change my delivery address to {street}, {city} {postcode}.",
                "I moved — can you send it to {street}, {city} instead?", "我搬家了，请把收货地址改成{city}{street}。"],
    "cancel": ["Please cancel my order, I ordered by mistake.", "我不想要了，请取消订单。"],
    "haggle": ["Can you do a discount if I buy two?", "Any chance of a better price?", "能便宜点吗？"],
    "complaint": ["The item arrived scratched. Not happy.", "It is not what the pictures showed.", "收到的东西坏了，很不满意。"],
    "abuse": ["You are scammers, useless shop!", "垃圾店铺，骗子！"],
    "off_topic": ["Can you ship to a P.O. box?", "Do you sell gift cards?", "What is the weather like where you are?"],
}
# The kinds a buyer asks about an order, by its status on the platform.
ORDER_KINDS = {"pending": ["status", "address", "cancel", "status"],
               "shipped": ["status", "returns", "complaint", "status"],
               "delivered": ["returns", "complaint", "product"]}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STATUS = re.compile(r'id="order-status" data-status="(\w+)"')


class SimulationError(Exception):
    """The simulator cannot run against this server; the text says what to do."""


@dataclass
class Buyer:
    name: str
    email: str
    city: tuple[str, str, str]
    street: str


@dataclass
class Placed:
    number: str
    key: str
    buyer: Buyer
    quality: float
    plan: dict = field(default_factory=dict)  # what this buyer will do after buying
    done: set = field(default_factory=set)


@dataclass
class Summary:
    """What the simulator did, per kind of action, and per simulated day."""

    counts: Counter = field(default_factory=Counter)
    orders_by_day: dict[str, int] = field(default_factory=dict)
    order_numbers: list[str] = field(default_factory=list)


def quality(product: dict) -> float:
    """How appealing a listing looks: pictures, a video, a description worth reading."""
    pictures = 0.35 if product["images"] == 0 else 1.0 + 0.1 * min(product["images"] - 1, 3)
    video = 1.25 if product["has_video"] else 1.0
    copy = 0.6 + 0.4 * min(product["description_chars"], 600) / 600
    return pictures * video * copy


class Simulator:
    """Drives one storefront with simulated buyers; call ``run`` once."""

    def __init__(self, client: httpx.Client, seed: int, rate: float = 40.0, start: date | None = None):
        self.client = client
        self.rng = random.Random(seed)
        self.rate = rate
        self.start = start
        self.buyers: list[Buyer] = []
        self.placed: list[Placed] = []
        self.summary = Summary()

    # -- HTTP -------------------------------------------------------------------------
    def _request(self, method: str, url: str, at: datetime, **kw) -> httpx.Response:
        headers = {"X-Sim-Time": at.isoformat()}
        for _ in range(4):  # a flaky platform (fault switches) gets a few retries
            response = self.client.request(method, url, headers=headers, **kw)
            if response.status_code < 500:
                return response
            self.summary.counts["server_errors"] += 1
        return response

    def _token(self, html: str) -> str:
        found = CSRF.search(html)
        if not found:
            raise SimulationError("The storefront page has no CSRF token: is the URL a sandbox marketplace?")
        return found.group(1)

    def _new_visitor(self) -> None:
        self.client.cookies.clear()

    # -- the run -------------------------------------------------------------------------
    def run(self, days: int) -> Summary:
        """Simulate ``days`` days of traffic and return what happened."""
        health = self.client.get("/health")
        if health.status_code != 200 or not health.json().get("sim_clock"):
            raise SimulationError("The marketplace ignores simulated time, so every order would land today. "
                                  "Restart it with `python -m marketplace serve --sim-clock ...` "
                                  "(or MARKETPLACE_SIM_CLOCK=1).")
        start = self.start or (datetime.now(UTC).date() - timedelta(days=days))
        for day in range(days):
            self._day(datetime.combine(start + timedelta(days=day), datetime.min.time()))
        return self.summary

    def _day(self, midnight: datetime) -> None:
        listed = self._request("GET", "/products.json", midnight)  # retried, like every request on a flaky platform
        if listed.status_code != 200:
            return
        products = [p for p in listed.json()["products"] if p["stock"] > 0]
        if not products:
            return
        median = sorted(p["price_cents"] for p in products)[len(products) // 2]
        weekend = 1.2 if midnight.weekday() >= 5 else 1.0
        visits = max(0, round(self.rng.gauss(self.rate * weekend, (self.rate * weekend) ** 0.5)))
        times = sorted(midnight + timedelta(seconds=self.rng.uniform(8 * 3600, 23 * 3600)) for _ in range(visits))
        weights = [quality(p) * (p["price_cents"] / median) ** -0.5 for p in products]
        day_key = midnight.date().isoformat()
        self.summary.orders_by_day.setdefault(day_key, 0)
        for at in times:
            product = self.rng.choices(products, weights)[0]
            self._visit(product, at, median, day_key)
        for placed in list(self.placed):
            self._follow_up(placed, midnight + timedelta(hours=self.rng.uniform(9, 21)))

    def _buyer(self) -> Buyer:
        if self.buyers and self.rng.random() < 0.2:
            return self.rng.choice(self.buyers)  # a returning customer
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        buyer = Buyer(name=f"{first} {last}", email=f"{first}.{last}.{len(self.buyers) + 1}@example.com".lower(),
                      city=self.rng.choice(CITIES), street=f"{self.rng.randint(1, 999)} {self.rng.choice(LAST)} Street")
        self.buyers.append(buyer)
        return buyer

    def _visit(self, product: dict, at: datetime, median: int, day_key: str) -> None:
        self._new_visitor()
        page = self._request("GET", product["url"], at)
        self.summary.counts["visits"] += 1
        if page.status_code != 200:
            return
        q = quality(product)
        price = (product["price_cents"] / median) ** -1.0
        roll = self.rng.random()
        if roll < 0.02:
            self._question(at, product, self.rng.choice(["product", "stock", "haggle", "off_topic", "abuse"]))
            return
        if roll > min(0.6, 0.15 * q * price):
            return
        token = self._token(page.text)
        in_stock = [v for v in product["variants"] if v["stock"] > 0]
        if product["variants"] and not in_stock:
            return
        variant = self.rng.choice(in_stock)["id"] if in_stock else 0
        at += timedelta(seconds=self.rng.randint(20, 240))
        self._request("POST", "/cart/add", at, data={"csrf_token": token, "listing_id": product["id"],
                                                     "variant_id": variant, "qty": 1 + (self.rng.random() < 0.15)})
        self.summary.counts["add_to_carts"] += 1
        if self.rng.random() > 0.55:
            return  # an abandoned cart
        buyer = self._buyer()
        city, region, postcode = buyer.city
        at += timedelta(seconds=self.rng.randint(60, 600))
        response = self._request("POST", "/checkout", at, data={
            "csrf_token": token, "name": buyer.name, "email": buyer.email, "address1": buyer.street,
            "city": city, "region": region, "postcode": postcode, "country": "USA",
            "card_number": "4242424242424242"})
        found = re.search(r"/orders/(\w+)\?key=([\w-]+)", str(response.url))
        if not found:
            self.summary.counts["checkout_failed"] += 1
            return
        placed = Placed(found.group(1), found.group(2), buyer, q, plan={
            "message": self.rng.random() < 0.12, "review": self.rng.random() < 0.4,
            "return": self.rng.random() < 0.05 / q, "refund": self.rng.random() < 0.03 / q,
            "confirm_after": self.rng.randint(1, 4)})
        self.placed.append(placed)
        self.summary.counts["orders"] += 1
        self.summary.orders_by_day[day_key] += 1
        self.summary.order_numbers.append(placed.number)

    def question_text(self, kind: str, product_title: str = "item", street: str = "",
                      city: tuple[str, str, str] = ("", "", "")) -> str:
        """One buyer question of `kind` (a QUESTIONS key), its blanks filled in."""
        return self.rng.choice(QUESTIONS[kind]).format(product=product_title, size=self.rng.choice("SML"),
                                                       street=street, city=city[0], postcode=city[2])

    def _question(self, at: datetime, product: dict, kind: str) -> None:
        buyer = self._buyer()
        page = self._request("GET", "/contact", at)
        text = self.question_text(kind, product["title"], buyer.street, buyer.city)
        self._request("POST", "/contact", at, data={"csrf_token": self._token(page.text), "name": buyer.name,
                                                     "email": buyer.email, "subject": f"{kind} question",
                                                     "body": text})
        self.summary.counts["messages"] += 1

    def _order_post(self, placed: Placed, action: str, at: datetime, token: str, **data) -> None:
        self._request("POST", f"/orders/{placed.number}/{action}", at,
                      data={"csrf_token": token, "key": placed.key, **data})

    def _follow_up(self, placed: Placed, at: datetime) -> None:
        """What a buyer does about an order on a later day, depending on its status."""
        self._new_visitor()
        page = self._request("GET", f"/orders/{placed.number}?key={placed.key}", at)
        found = STATUS.search(page.text)
        if page.status_code != 200 or not found:
            return
        status, token, plan = found.group(1), self._token(page.text), placed.plan
        if plan["message"] and "message" not in placed.done:
            placed.done.add("message")
            kind = self.rng.choice(ORDER_KINDS.get(status, ["status"]))
            text = self.question_text(kind, street=f"{self.rng.randint(1, 999)} Oak Lane", city=self.rng.choice(CITIES))
            self._order_post(placed, "message", at, token, body=text)
            self.summary.counts["messages"] += 1
        elif status == "shipped":
            placed.plan["confirm_after"] -= 1
            if placed.plan["confirm_after"] <= 0:
                self._order_post(placed, "received", at, token)
                self.summary.counts["deliveries_confirmed"] += 1
            elif plan["refund"] and "refund" not in placed.done:
                placed.done.add("refund")
                self._order_post(placed, "request", at, token, kind="refund", reason="Parcel has not arrived.")
                self.summary.counts["refund_requests"] += 1
        elif status == "delivered":
            if plan["return"] and "return" not in placed.done:
                placed.done.add("return")
                self._order_post(placed, "request", at, token, kind="return",
                                 reason=self.rng.choice(["Wrong size.", "Not as described.", "Changed my mind."]))
                self.summary.counts["return_requests"] += 1
            elif plan["review"] and "review" not in placed.done:
                placed.done.add("review")
                listing = re.search(r'<option value="(\d+)">', page.text.split('id="review-form"', 1)[-1])
                if listing:
                    rating = max(1, min(5, round(self.rng.gauss(3.2 + placed.quality, 0.8))))
                    self._order_post(placed, "review", at, token, listing_id=listing.group(1), rating=str(rating),
                                     body=self.rng.choice(["Great value.", "As described.", "Could be better.",
                                                           "Love it!", "Fast delivery."]))
                    self.summary.counts["reviews"] += 1
            else:
                self.placed.remove(placed)  # nothing left for this buyer to do
        elif status in ("cancelled", "returned"):
            self.placed.remove(placed)


def simulate(url: str, days: int, seed: int, rate: float = 40.0, start: date | None = None,
             client: httpx.Client | None = None) -> Summary:
    """Run the simulator against ``url`` (or a given client, e.g. a TestClient)."""
    own = client is None
    client = client or httpx.Client(base_url=url, timeout=30, follow_redirects=True)
    try:
        return Simulator(client, seed, rate, start).run(days)
    finally:
        if own:
            client.close()
