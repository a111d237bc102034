"""Seller listings: create, edit, variants, media, publish, pause, delete."""

import re


def form(token, client, **over):
    data = {"csrf_token": token(client, "/seller/listings/new"), "title": "Linen apron", "sku": "APRON-1",
            "price": "24.00", "stock": "7", "category": "Kitchen", "tags": "linen, apron",
            "description": "<p>Stonewashed <em>linen</em>.</p><img src=x onerror=alert(1)>", "variant_rows": "3"}
    data.update(over)
    return data


def test_create_draft_then_publish_pause_delete(client, seller, token, jpeg, mp4):
    r = seller.post("/seller/listings/new", data=form(token, seller),
                    files=[("images", ("a.jpg", jpeg(), "image/jpeg")), ("images", ("b.png", jpeg(color=(0, 0, 200)), "image/png")),
                           ("video", ("v.mp4", mp4, "video/mp4"))])
    assert r.status_code == 200, r.text
    listing_id = int(r.url.path.rsplit("/", 1)[1])
    assert 'listing-status">draft' in r.text and r.text.count('name="remove_image"') == 2 and "<video" in r.text
    assert client.get(f"/products/{listing_id}").status_code == 404  # drafts are not for sale
    tok = token(seller, f"/seller/listings/{listing_id}")
    r = seller.post(f"/seller/listings/{listing_id}", data=form(token, seller, action="publish"))
    assert 'listing-status">active' in r.text
    r = seller.post(f"/seller/listings/{listing_id}/publish", data={"csrf_token": tok})
    assert r.status_code == 409 and "is active; it cannot become active" in r.text
    page = client.get(f"/products/{listing_id}").text
    assert "<em>linen</em>" in page and "onerror" not in page and 'id="product-video"' in page
    assert page.count('alt="Linen apron, picture') == 2
    seller.post(f"/seller/listings/{listing_id}/pause", data={"csrf_token": tok})
    assert client.get(f"/products/{listing_id}").status_code == 404
    assert "Linen apron" in seller.get("/seller/listings?status=paused").text
    seller.post(f"/seller/listings/{listing_id}/publish", data={"csrf_token": tok})
    assert client.get(f"/products/{listing_id}").status_code == 200
    r = seller.post(f"/seller/listings/{listing_id}/delete", data={"csrf_token": tok})
    assert r.url.path == "/seller/listings" and "Linen apron" not in r.text
    assert seller.get(f"/seller/listings/{listing_id}").status_code == 404
    assert seller.post(f"/seller/listings/{listing_id}/delete", data={"csrf_token": tok}).status_code == 409


def test_variants_set_stock_and_can_be_edited_and_deleted(client, seller, token):
    data = form(token, seller, action="publish", variant_sku_0="APRON-1-S", variant_options_0="size=S, color=sand",
                variant_price_0="24.00", variant_stock_0="3", variant_sku_1="APRON-1-L", variant_options_1="size: L",
                variant_price_1="", variant_stock_1="4")
    r = seller.post("/seller/listings/new", data=data)
    listing_id = int(r.url.path.rsplit("/", 1)[1])
    assert 'value="size=S, color=sand"' in r.text and 'name="stock" type="number" min="0" value="7"' in r.text
    product = client.get(f"/products/{listing_id}").text
    assert "size: S, color: sand" in product and "size: L" in product
    ids = re.findall(r'name="variant_id_(\d)" value="(\d+)"', r.text)
    edit = form(token, seller, variant_rows="5", **{f"variant_id_{i}": vid for i, vid in ids},
                variant_sku_0="APRON-1-S", variant_options_0="size=S", variant_price_0="20", variant_stock_0="9",
                variant_sku_1="APRON-1-L", variant_options_1="size=L", variant_delete_1="1")
    r = seller.post(f"/seller/listings/{listing_id}", data=edit)
    assert "APRON-1-L" not in r.text and 'value="9"' in r.text
    assert 'name="stock" type="number" min="0" value="9"' in r.text


def test_listing_form_errors_keep_the_input(seller, token):
    r = seller.post("/seller/listings/new", data=form(token, seller, price="free"))
    assert r.status_code == 400 and "price must be an amount" in r.text and 'value="Linen apron"' in r.text
    assert seller.post("/seller/listings/new", data=form(token, seller, title="")).status_code == 400
    assert seller.post("/seller/listings/new", data=form(token, seller, sku="../etc")).status_code == 400
    r = seller.post("/seller/listings/new", data=form(token, seller, sku="MUG-01"))
    assert r.status_code == 400 and "already used" in r.text
    r = seller.post("/seller/listings/new", data=form(token, seller, variant_sku_0="X1", variant_options_0="blue"))
    assert r.status_code == 400 and "Options must look like" in r.text
    r = seller.post("/seller/listings/new", data=form(token, seller, variant_sku_0="APRON-1"))
    assert r.status_code == 400 and "its own SKU" in r.text


def test_remove_an_image_deletes_the_file(app, seller, token, jpeg):
    r = seller.post("/seller/listings/new", data=form(token, seller), files=[("images", ("a.jpg", jpeg(), "image/jpeg"))])
    listing_id = int(r.url.path.rsplit("/", 1)[1])
    media_id = re.search(r'name="remove_image" value="(\d+)"', r.text).group(1)
    path = re.search(r'src="/media/([^"]+)" alt="Image 1"', r.text).group(1)
    assert (app.state.media_dir / path).exists()
    r = seller.post(f"/seller/listings/{listing_id}", data=form(token, seller, remove_image=media_id))
    assert 'name="remove_image"' not in r.text and not (app.state.media_dir / path).exists()


def test_too_many_images_are_refused(make_app, token, login, jpeg):
    from fastapi.testclient import TestClient

    with TestClient(make_app(max_images_per_listing=2)) as seller:
        login(seller)
        files = [("images", (f"{i}.jpg", jpeg(), "image/jpeg")) for i in range(3)]
        r = seller.post("/seller/listings/new", data=form(token, seller), files=files)
        assert r.status_code == 400 and "at most 2 images" in r.text


def test_the_product_page_opens_on_the_first_option_in_stock_with_its_picture_and_price(client, seller, token, jpeg):
    data = form(token, seller, action="publish", price="13.99",
                variant_sku_0="BOARD-M", variant_options_0="size=M", variant_price_0="13.99", variant_stock_0="4",
                variant_picture_0="1",
                variant_sku_1="BOARD-L", variant_options_1="size=L", variant_price_1="17.99", variant_stock_1="2",
                variant_picture_1="2")
    r = seller.post("/seller/listings/new", data=data, files=[("images", ("m.jpg", jpeg(), "image/jpeg")),
                                                               ("images", ("l.jpg", jpeg(color=(0, 0, 200)), "image/jpeg"))])
    listing_id = int(r.url.path.rsplit("/", 1)[1])
    assert 'aria-label="Variant 2 picture" name="variant_picture_1" type="number" min="0" size="3" value="2"' in r.text
    page = client.get(f"/products/{listing_id}").text
    # The headline price is the price of the option shown, and that option is the first in stock.
    assert re.search(r'id="product-price">\$13\.99<', page)
    assert re.search(r'<option value="\d+" data-price="\$13\.99" data-picture="1" data-video="0" selected>size: M', page)
    assert page.index('data-picture="1" width') < page.index('data-picture="2" width')
    feed = next(p for p in client.get("/products.json").json()["products"] if p["id"] == listing_id)
    assert [(v["sku"], v["picture"]) for v in feed["variants"]] == [("BOARD-M", 1), ("BOARD-L", 2)]

    # M sells out: the page opens on L, at L's price, with L's picture first.
    edit = form(token, seller, action="publish", price="13.99", variant_rows="2")
    for i, (vid, sku, price, stock) in enumerate(zip(re.findall(r'name="variant_id_\d" value="(\d+)"', r.text),
                                                     ("BOARD-M", "BOARD-L"), ("13.99", "17.99"), ("0", "2"))):
        edit.update({f"variant_id_{i}": vid, f"variant_sku_{i}": sku, f"variant_options_{i}": f"size={sku[-1]}",
                     f"variant_price_{i}": price, f"variant_stock_{i}": stock, f"variant_picture_{i}": str(i + 1)})
    seller.post(f"/seller/listings/{listing_id}", data=edit)
    page = client.get(f"/products/{listing_id}").text
    assert re.search(r'id="product-price">\$17\.99<', page)
    assert re.search(r'data-picture="2" data-video="0" selected>size: L', page)
    assert page.index('data-picture="2" width') < page.index('data-picture="1" width')


def test_a_data_folder_from_before_variant_pictures_gets_the_column(tmp_path):
    import sqlite3

    from marketplace.db import make_engine

    old = sqlite3.connect(tmp_path / "marketplace.db")
    old.execute("CREATE TABLE variant (id INTEGER PRIMARY KEY, listing_id INTEGER, sku TEXT, options TEXT, "
                "price_cents INTEGER, stock INTEGER)")
    old.execute("INSERT INTO variant VALUES (1, 1, 'A', '{}', 100, 1)")
    old.commit()
    old.close()
    make_engine(tmp_path).dispose()
    with sqlite3.connect(tmp_path / "marketplace.db") as db:
        assert db.execute("SELECT sku, picture, video FROM variant").fetchall() == [("A", 0, 0)]


def test_each_colourway_shows_its_own_clip(client, seller, token, jpeg, mp4):
    data = form(token, seller, action="publish", price="13.99",
                variant_sku_0="MUG-W", variant_options_0="color=white", variant_stock_0="0", variant_video_0="1",
                variant_sku_1="MUG-N", variant_options_1="color=navy", variant_stock_1="3", variant_video_1="2")
    r = seller.post("/seller/listings/new", data=data, files=[("video", ("w.mp4", mp4, "video/mp4")),
                                                               ("video", ("n.mp4", mp4 + b"\0", "video/mp4"))])
    assert r.status_code == 200, r.text
    listing_id = int(r.url.path.rsplit("/", 1)[1])
    assert 'aria-label="Listing video 2"' in r.text and 'name="variant_video_1" type="number" min="0" size="3" value="2"' in r.text
    page = client.get(f"/products/{listing_id}").text
    # White is sold out: the page opens on navy, playing navy's clip; white's waits hidden for the menu.
    players = re.findall(r'<video( id="product-video"| hidden) data-video="(\d)"', page)
    assert players == [(" hidden", "1"), (' id="product-video"', "2")]
    assert re.search(r'data-video="2" selected>color: navy', page)
    feed = next(p for p in client.get("/products.json").json()["products"] if p["id"] == listing_id)
    assert feed["videos"] == 2 and [(v["sku"], v["video"]) for v in feed["variants"]] == [("MUG-W", 1), ("MUG-N", 2)]
    # New clips replace the old ones, never add to them.
    edit = form(token, seller, action="publish", price="13.99", variant_rows="0")
    seller.post(f"/seller/listings/{listing_id}", data=edit, files=[("video", ("w2.mp4", mp4, "video/mp4"))])
    assert client.get(f"/products/{listing_id}").text.count("<video") == 1
