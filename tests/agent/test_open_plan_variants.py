"""`open` stands each product for its first catalog row's SKU and makes a main picture for
every variant that has a photo of its own."""

from agent.workflows.open_shop import variants_that_look_different
from store_data.db import session_scope
from store_data.shop import Asset, Product, Variant


def test_variants_with_a_photo_of_their_own_are_named(engine):
    with session_scope(engine) as session:
        product = Product(handle="mug", name="Stoneware Mug 350ml, Gloss White")
        session.add(product)
        session.flush()
        for sku, photo in (("MUG-WHT", "aaa"), ("MUG-BLU", "bbb"), ("MUG-BLU-2", "bbb"), ("MUG-GRN", None)):
            variant = Variant(sku=sku, product_id=product.id, cost_cents=300)
            session.add(variant)
            session.flush()
            if photo:
                session.add(Asset(kind="supplier_photo", path=f"{sku}.jpg", product_id=product.id,
                                  variant_id=variant.id, sha256=photo))
        product_id = product.id
    with session_scope(engine) as session:
        assert variants_that_look_different(session, product_id) == ["MUG-BLU"]


def test_looks_follow_photos_and_colour_names_not_sizes(engine):
    from tools.listings import variant_looks

    rows = (("BRD-M", {"size": "M"}, "board"), ("BRD-L", {"size": "L"}, "board"),
            ("MUG-W", {"color": "white"}, "mug"), ("MUG-N", {"color": "Gloss Navy"}, "mug"),
            ("MUG-N-L", {"color": "navy", "size": "L"}, None))
    with session_scope(engine) as session:
        product = Product(handle="mixed", name="Mixed")
        session.add(product)
        session.flush()
        for sku, options, photo in rows:
            variant = Variant(sku=sku, product_id=product.id, cost_cents=300, options=options)
            session.add(variant)
            session.flush()
            if photo:
                session.add(Asset(kind="supplier_photo", path=f"{sku}.jpg", product_id=product.id,
                                  variant_id=variant.id, sha256=photo))
        product_id = product.id
    with session_scope(engine) as session:
        looks = [[v.sku for v in look] for look in variant_looks(session, product_id)]
    # Sizes share a look; one photo in two colour names is two looks; a variant with no photo
    # of its own joins the first one in its colour ("navy" is "Gloss Navy").
    assert looks == [["BRD-M", "BRD-L"], ["MUG-W"], ["MUG-N", "MUG-N-L"]]
