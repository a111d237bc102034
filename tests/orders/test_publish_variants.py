"""Publishing through the browser keeps the listing's variants the same as the product's."""

import httpx

from tools.drivers.marketplace import ListingDraft


def listed(market, remote: str) -> dict:
    return next(p for p in httpx.get(f"{market.url}/products.json").json()["products"] if str(p["id"]) == remote)


def test_variants_the_product_no_longer_has_come_off_the_listing(driver, market):
    draft = ListingDraft(sku="SPLIT-BOWL", title="Stoneware bowl", description_html="<p>A bowl.</p>", price_cents=1299,
                         stock=9, variants=[("SPLIT-BOWL-SND", "color=sand", 1299, 5), ("SPLIT-BOWL-CHR", "color=charcoal", 1299, 4)])
    remote = driver.publish_listing(draft)
    assert {v["sku"] for v in listed(market, remote)["variants"]} == {"SPLIT-BOWL-SND", "SPLIT-BOWL-CHR"}

    # The charcoal bowl became a product of its own: the sand one is now a single-variant
    # product, listed under its own SKU, on the same listing.
    single = ListingDraft(sku="SPLIT-BOWL-SND", title="Stoneware bowl, sand", description_html="<p>A bowl.</p>",
                          price_cents=1299, stock=5)
    assert driver.publish_listing(single, remote) == remote
    now = listed(market, remote)
    assert (now["sku"], now["variants"], now["stock"]) == ("SPLIT-BOWL-SND", [], 5)

    # Of two variants, one dropped: only that one goes.
    draft2 = ListingDraft(sku="SPLIT-BOWL", title="Stoneware bowl", description_html="<p>A bowl.</p>", price_cents=1299,
                          stock=9, variants=[("SPLIT-BOWL-A", "color=sand", 1299, 5), ("SPLIT-BOWL-B", "color=grey", 1299, 4)])
    driver.publish_listing(draft2, remote)
    draft2.variants = draft2.variants[:1]
    draft2.stock = 5
    driver.publish_listing(draft2, remote)
    assert [v["sku"] for v in listed(market, remote)["variants"]] == ["SPLIT-BOWL-A"]
