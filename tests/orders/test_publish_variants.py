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


def test_a_listing_opens_on_the_variant_its_title_names_with_that_variants_picture_and_price(workspace, driver, market):
    """The catalog's first row names the product (the medium board); the listing opens on it,
    at its price, and each variant with a picture of its own shows it."""
    import re

    from PIL import Image

    from store_data.db import session_scope
    from store_data.shop import Asset, Product, Variant
    from tools.listings import publish_listing

    folder = workspace.workdir / "assets" / "images" / "board"
    folder.mkdir(parents=True)
    with session_scope(workspace.engine) as session:
        product = Product(handle="true-board", name="Bamboo Cutting Board with Juice Groove, Medium")
        session.add(product)
        session.flush()
        # The large board's SKU sorts first, as in the sample catalog; it was not the row that named the product.
        for sku, price, colour in (("TRUE-BRD-M", 1399, (200, 160, 90)), ("TRUE-BRD-A-L", 1799, (120, 80, 40))):
            variant = Variant(sku=sku, product_id=product.id, cost_cents=500, price_cents=price, stock=5,
                              options={"size": sku[-1]})
            session.add(variant)
            session.flush()
            path = folder / f"{sku}.jpg"
            Image.new("RGB", (64, 64), colour).save(path)
            session.add(Asset(kind="main_image", path=path.relative_to(workspace.workdir).as_posix(), platform="1:1-800",
                              product_id=product.id, variant_id=variant.id))
    result = publish_listing(workspace.tool_deps(driver=driver), "TRUE-BRD-A-L")
    assert (result["price_cents"], result["images"]) == (1399, 2)
    feed = listed(market, result["remote_id"])
    assert feed["price_cents"] == 1399
    assert [(v["sku"], v["price_cents"], v["picture"]) for v in feed["variants"]] == [
        ("TRUE-BRD-M", 1399, 1), ("TRUE-BRD-A-L", 1799, 2)]
    page = httpx.get(f"{market.url}/products/{result['remote_id']}").text
    assert re.search(r'id="product-price">\$13\.99<', page) and re.search(r'data-picture="1" data-video="0" selected>size: M', page)


def test_each_colourway_is_published_with_its_own_clip(workspace, driver, market, tmp_path):
    """Two colours with photos of their own: a clip each; the page plays the clip of the
    option it opens on, and choosing another colour in its menu (in Chromium) plays that one's."""
    import re

    from store_data.db import session_scope
    from store_data.shop import Asset, Product, Variant
    from PIL import Image

    from tests.orders.test_video_upload import tiny_mp4
    from tools.listings import publish_listing

    folder = workspace.workdir / "assets" / "clips" / "look-mug"
    folder.mkdir(parents=True)
    with session_scope(workspace.engine) as session:
        product = Product(handle="look-mug", name="Stoneware Mug, Gloss White")
        session.add(product)
        session.flush()
        for sku, colour, stock in (("LOOK-MUG-W", "white", 3), ("LOOK-MUG-N", "navy", 4), ("LOOK-MUG-N-L", "navy", 2)):
            variant = Variant(sku=sku, product_id=product.id, cost_cents=300, price_cents=1299, stock=stock,
                              options={"color": colour, **({"size": "L"} if sku.endswith("-L") else {})})
            session.add(variant)
            session.flush()
            photo = folder / f"{sku}.jpg"
            Image.new("RGB", (64, 64), (240, 240, 240) if colour == "white" else (30, 40, 90)).save(photo)
            session.add(Asset(kind="supplier_photo", path=photo.relative_to(workspace.workdir).as_posix(),
                              product_id=product.id, variant_id=variant.id, sha256=colour))
            if not sku.endswith("-L"):
                clip = tiny_mp4(folder / f"{sku}.mp4")
                session.add(Asset(kind="clip", path=clip.relative_to(workspace.workdir).as_posix(), product_id=product.id,
                                  variant_id=variant.id, provenance={"language": "en"}))
    result = publish_listing(workspace.tool_deps(driver=driver), "LOOK-MUG-W")
    feed = listed(market, result["remote_id"])
    assert feed["videos"] == 2
    assert [(v["sku"], v["video"]) for v in feed["variants"]] == [("LOOK-MUG-W", 1), ("LOOK-MUG-N", 2), ("LOOK-MUG-N-L", 2)]
    page = httpx.get(f"{market.url}/products/{result['remote_id']}").text
    assert re.findall(r'<video( id="product-video"| hidden) data-video="(\d)"', page) == [
        (' id="product-video"', "1"), (" hidden", "2")]

    from playwright.sync_api import expect

    buyer = driver.page.context.new_page()  # the driver's own Chromium, as a buyer's tab
    try:
        buyer.goto(f"{market.url}/products/{result['remote_id']}")
        expect(buyer.locator('video[data-video="1"]')).to_be_visible()
        buyer.get_by_label("Option").select_option(label="color: navy — $12.99")
        expect(buyer.locator('video[data-video="2"]')).to_be_visible()
        expect(buyer.locator('video[data-video="1"]')).to_be_hidden()
        expect(buyer.locator("#product-video")).to_have_attribute("data-video", "2")
    finally:
        buyer.close()
