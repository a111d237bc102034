"""The Vendure API driver against a real Vendure shop: a listing with variants, pictures and
stock as the storefront shows it; an order's whole life (placed through the Shop API, listed,
read, shipped with carrier and tracking, refunded, noted, cancelled) with every write done
once however often it is asked or retried; the last unit sold once; an expired session and
a shop that does not answer."""

from datetime import date

import httpx
import pytest

from store_data.status import OrderStatus
from tools.drivers.browser import PlatformRefused
from tools.drivers.marketplace import ListingDraft
from tools.drivers.vendure_api import VendureApiDriver
from tools.errors import ToolFailed

pytestmark = pytest.mark.vendure

STOREFRONT_PRODUCT = """query($slug: String!) { product(slug: $slug) { name description enabled
  facetValues { name facet { code } }
  featuredAsset { source } assets { source }
  variants { sku name price priceWithTax featuredAsset { source } options { name group { name } } } } }"""


def _tee(pictures, price_m=2199, stock_m=2) -> ListingDraft:
    return ListingDraft(sku="tee", title="Cotton tee", description_html="<p>Soft cotton.</p>", price_cents=1999,
                        stock=5, images=pictures, category="Apparel > Tees",
                        variants=[("TEE-S", "size=S, color=red", 1999, 3), ("TEE-M", "size=M, color=blue", price_m, stock_m)],
                        variant_pictures={"TEE-M": 2})


def _assets(admin) -> int:
    return admin.client.query("{ assets { totalItems } }")["assets"]["totalItems"]


def test_a_listing_with_variants_pictures_and_stock_as_the_storefront_shows_it(admin, vendure, shop_api, pictures):
    product_id = admin.publish_listing(_tee(pictures))
    assert admin.find_listing("tee") == (product_id, "published") == admin.find_listing("TEE-M")
    assert admin.find_listing("NO-SUCH-SKU") is None

    cart = shop_api.Cart(vendure.url)
    seen = cart.query(STOREFRONT_PRODUCT, {"slug": "tee"})["product"]
    cart.close()
    assert seen["name"] == "Cotton tee" and seen["description"] == "<p>Soft cotton.</p>" and seen["enabled"]
    assert [(f["facet"]["code"], f["name"]) for f in seen["facetValues"]] == [("category", "Apparel > Tees")]
    variants = {v["sku"]: v for v in seen["variants"]}
    assert {sku: v["price"] for sku, v in variants.items()} == {"TEE-S": 1999, "TEE-M": 2199}
    assert variants["TEE-M"]["name"] == "Cotton tee (M, blue)"
    assert {o["group"]["name"]: o["name"] for o in variants["TEE-M"]["options"]} == {"size": "M", "color": "blue"}
    assert len(seen["assets"]) == 2 and seen["featuredAsset"]["source"] == seen["assets"][0]["source"]
    assert variants["TEE-M"]["featuredAsset"]["source"] == seen["assets"][1]["source"]
    picture = httpx.get(seen["assets"][1]["source"], timeout=10)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert picture.content == pictures[1].read_bytes()
    assert admin.stock("TEE-S") == 3 and admin.stock("TEE-M") == 2

    # Published again with a new price and stock: the same product, variants and pictures, updated.
    assets = _assets(admin)
    assert admin.publish_listing(_tee(pictures, price_m=2499, stock_m=7)) == product_id
    assert _assets(admin) == assets
    raw = admin._product_by("tee")
    assert [v["sku"] for v in raw["variants"]] == ["TEE-S", "TEE-M"] and len(raw["optionGroups"]) == 2
    assert len(raw["facetValues"]) == 1
    assert {v["sku"]: v["price"] for v in raw["variants"]}["TEE-M"] == 2499 and admin.stock("TEE-M") == 7

    # A variant the shop dropped stops selling; the storefront shows the one left.
    smaller = _tee(pictures)
    smaller.variants = smaller.variants[:1]
    assert admin.publish_listing(smaller) == product_id
    assert {v["sku"]: v["enabled"] for v in admin._product_by("tee")["variants"]} == {"TEE-S": True, "TEE-M": False}
    cart = shop_api.Cart(vendure.url)
    assert [v["sku"] for v in cart.query(STOREFRONT_PRODUCT, {"slug": "tee"})["product"]["variants"]] == ["TEE-S"]
    cart.close()

    admin.pause_listing(product_id)
    assert admin.find_listing("tee") == (product_id, "hidden")


def test_an_orders_life_with_every_write_done_once(admin, vendure, shop_api, pictures):
    admin.publish_listing(ListingDraft(sku="MUG-V", title="Stoneware mug", description_html="<p>A mug.</p>",
                                       price_cents=1450, stock=5, images=pictures[:1]))
    number = shop_api.place_order(vendure.url, {"MUG-V": 2}, email="bo@example.com")

    [row] = [r for r in admin.list_orders(since=date.today()) if r.number == number]
    assert row.status == "PaymentSettled" and row.shop_status == OrderStatus.PAID and row.total_cents == 2 * 1450 + 500
    placed = admin.get_order(number)
    assert [(li.sku, li.quantity, li.unit_cents) for li in placed.lines] == [("MUG-V", 2, 1450)]
    assert placed.buyer_email == "bo@example.com" and placed.address["city"] == "London"
    assert placed.paid_cents == placed.total_cents == 3400 and placed.refunded_cents == 0
    assert admin.stock("MUG-V") == 3  # Vendure holds the two units for the order

    shipped = admin.ship(number, "Royal Mail", "RM100")
    assert shipped.shop_status == OrderStatus.SHIPPED and shipped.status == "Shipped"
    assert [(s.carrier, s.tracking) for s in shipped.shipments] == [("Royal Mail", "RM100")]
    assert shipped.shipments[0].shipped_at is not None
    again = admin.ship(number, "Royal Mail", "RM999")
    assert [(s.carrier, s.tracking) for s in again.shipments] == [("Royal Mail", "RM100")]
    assert len(admin._read(number)[1]["fulfillments"]) == 1
    assert [r.number for r in admin.list_orders(status="Shipped")] == [number]

    refunded = admin.refund(number, 500, "shopagent key-1")
    assert refunded.refunded_cents == 500 and refunded.shop_status == OrderStatus.SHIPPED
    assert admin.refund(number, 500, "shopagent key-1").refunded_cents == 500
    assert [(p.amount_cents, p.note) for p in admin.get_order(number).payments if p.kind == "refund"] == \
        [(500, "shopagent key-1")]
    with pytest.raises(PlatformRefused, match="2900 cents left to refund, less than the 5000"):
        admin.refund(number, 5000, "shopagent key-2")
    with pytest.raises(PlatformRefused, match="has shipped"):
        admin.cancel(number)

    admin.add_note(number, "gift wrap")
    admin.add_note(number, "gift wrap")
    assert admin.notes(number) == ["gift wrap"]

    # A cancellation gives back what was paid and the units, once.
    second = shop_api.place_order(vendure.url, {"MUG-V": 1}, email="cy@example.com")
    assert admin.stock("MUG-V") == 2
    cancelled = admin.cancel(second)
    assert cancelled.shop_status == OrderStatus.CANCELLED and cancelled.refunded_cents == cancelled.paid_cents == 1950
    assert admin.stock("MUG-V") == 3
    # Vendure empties a cancelled order's lines; the order still says what was bought and paid.
    assert [(li.sku, li.quantity) for li in cancelled.lines] == [("MUG-V", 1)] and cancelled.total_cents == 1950
    assert [r.total_cents for r in admin.list_orders(status="Cancelled") if r.number == second] == [1950]
    assert admin.cancel(second).refunded_cents == 1950
    assert [p.amount_cents for p in admin.get_order(second).payments if p.kind == "refund"] == [1950]
    assert admin.ship(second, "Royal Mail", "RM101").shipments == []  # a cancelled order is not shipped
    assert admin.capabilities >= {"orders", "ship", "cancel", "refund", "listings"}
    assert "messages" not in admin.capabilities and admin.open_request_count() == 0
    with pytest.raises(ToolFailed, match="no buyer refund or return requests"):
        admin.decide_request(number, "x", True)


WRITES = ("createProduct(", "createFacet", "createProductOptionGroup", "addOptionGroupToProduct", "createAssets",
          "createProductVariants", "addFulfillmentToOrder", "refundOrder", "cancelOrder")  # createFacet: or its values


def test_a_write_whose_answer_is_lost_is_not_done_twice(admin, vendure, shop_api, pictures, monkeypatch):
    real_post, lost = admin.client.http.post, []

    def post(url, **kwargs):
        """The write reaches Vendure; its answer is lost once per kind of write."""
        answer = real_post(url, **kwargs)
        query = (kwargs.get("json") or {}).get("query", "") or (kwargs.get("data") or {}).get("operations", "")
        for write in WRITES:
            if write in query and write not in lost:
                lost.append(write)
                raise httpx.ReadTimeout("the answer was lost")
        return answer
    monkeypatch.setattr(admin.client.http, "post", post)
    admin.client.retries = len(WRITES)  # one publish loses six answers, one per try

    assets = _assets(admin)
    cup = ListingDraft(sku="cup", title="Cup", description_html="", price_cents=900, stock=4, images=pictures[:1],
                       category="Kitchen > Cups", variants=[("CUP-V", "size=small", 900, 4), ("CUP-L", "size=large",
                                                                                                 1100, 2)])
    product_id = admin.publish_listing(cup)
    raw = admin._product_by("cup")
    assert raw["id"] == product_id and [v["sku"] for v in raw["variants"]] == ["CUP-V", "CUP-L"]
    assert len(raw["optionGroups"]) == 1 and len(raw["facetValues"]) == 1 and _assets(admin) == assets + 1
    assert admin.client.query("""{ products(options: { filter: { name: { eq: "Cup" } } }) { totalItems } }""")[
        "products"]["totalItems"] == 1
    groups = admin.client.query("""{ productOptionGroups(options: { filter: { code: { eq: "cup--size" } } })
        { totalItems } }""")["productOptionGroups"]["totalItems"]
    assert groups == 1

    number = shop_api.place_order(vendure.url, {"CUP-V": 1})
    assert admin.ship(number, "DHL", "DHL1").shipments[0].tracking == "DHL1"
    assert admin.refund(number, 300, "shopagent key-9").refunded_cents == 300
    raw = admin._read(number)[1]
    assert len(raw["fulfillments"]) == 1 and sum(len(p["refunds"]) for p in raw["payments"]) == 1

    other = shop_api.place_order(vendure.url, {"CUP-V": 1})
    cancelled = admin.cancel(other)
    assert cancelled.shop_status == OrderStatus.CANCELLED and cancelled.refunded_cents == 1400
    assert sorted(lost) == sorted(WRITES)  # each kind of write lost its answer once
    assert [p.amount_cents for p in cancelled.payments if p.kind == "refund"] == [1400]


def test_the_last_unit_is_sold_once(admin, vendure, shop_api):
    admin.publish_listing(ListingDraft(sku="LAST-1", title="Last lamp", description_html="", price_cents=3500, stock=9))
    assert admin.set_stock({"LAST-1": 1, "NOT-LISTED": 4}) == {"LAST-1": 1}  # a SKU it does not list is left out
    assert admin.stock("LAST-1") == 1 and admin.listed_stock()["LAST-1"] == 1
    assert admin.set_stock({"LAST-1": 1}) == {}  # the same units again: nothing to write
    ids = shop_api.variant_ids(vendure.url)
    first, second = shop_api.Cart(vendure.url), shop_api.Cart(vendure.url)
    first.add(ids["LAST-1"])
    second.add(ids["LAST-1"])  # both carts hold it: no order is placed yet
    number = first.checkout("ann@example.com")
    with pytest.raises(shop_api.OutOfStock):
        second.checkout("bo@example.com")
    first.close()
    second.close()
    assert admin.stock("LAST-1") == 0 and [li.sku for li in admin.get_order(number).lines] == ["LAST-1"]
    with pytest.raises(shop_api.OutOfStock):
        shop_api.place_order(vendure.url, {"LAST-1": 1}, ids=ids)
    # Stock set while an order holds a unit: buyers may buy the units set, the held one apart.
    assert admin.set_stock({"LAST-1": 2}) == {"LAST-1": 2}
    assert admin.stock("LAST-1") == 2
    assert admin.set_stock({"NOPE": 1}) == {}  # a SKU the shop does not list: nothing to set


def test_an_expired_session_signs_in_again_and_a_silent_shop_fails_clearly(admin, vendure, monkeypatch):
    admin.login()
    admin.client.token = "expired-session"
    assert admin.find_listing("nothing-here") is None and admin.logins == 2
    # A 502 from a proxy in front of the shop (the shop itself never sends one here): read again.
    real_post, failed = admin.client.http.post, []

    def post(url, **kwargs):
        if not failed:
            failed.append(url)
            return httpx.Response(502, text="Bad Gateway")
        return real_post(url, **kwargs)
    monkeypatch.setattr(admin.client.http, "post", post)
    assert admin.find_listing("nothing-here") is None and failed == [admin.client.endpoint]
    monkeypatch.setattr(admin.client.http, "post", real_post)
    gone = VendureApiDriver("http://127.0.0.1:9", "superadmin", "vendure-admin", retries=1, backoff_s=0.01)
    with pytest.raises(ToolFailed, match="could not list orders on the Vendure shop .* after 2 tries"):
        list(gone.list_orders())
    euros = VendureApiDriver(vendure.url, "superadmin", "vendure-admin", currency="EUR")
    with pytest.raises(ToolFailed, match="sells in USD, the shop's currency is EUR; set currency"):
        euros.publish_listing(ListingDraft(sku="EUR-1", title="Euro", description_html="", price_cents=100, stock=1))
    with pytest.raises(ToolFailed, match="sells in USD"):
        list(euros.list_orders())
    assert euros.find_listing("EUR-1") is None  # nothing was made
    dollars = VendureApiDriver(vendure.url, "superadmin", "vendure-admin", currency="usd")
    assert list(dollars.list_orders(status="NoSuchState")) == []
    euros.close()
    dollars.close()
    wrong = VendureApiDriver(vendure.url, "superadmin", "not-the-password", backoff_s=0.01)
    with pytest.raises(ToolFailed, match="refused the login of 'superadmin'.*marketplace_password"):
        wrong.login()
    gone.close()
    wrong.close()
