"""Catalog import a batch at a time: a product whose variants fall in different batches,
lookups split over several IN lists, and updates of products, variants and photos come out
as a row-by-row import would have them."""

import pytest
from sqlmodel import Session, select

from store_data import catalog
from store_data.catalog import import_catalog
from store_data.shop import Asset, Product, Variant

HEADER = "sku,product,name,category,description,attributes,options,cost,stock,price,photos"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(catalog, "BATCH_ROWS", 3)
    monkeypatch.setattr(catalog, "IN_CHUNK", 2)


def write(folder, lines):
    path = folder / "catalog.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def rows(stock_of_b2="5", description="A mug.", price_of_a1="9.99"):
    return [
        f"MUG-A1,mug,Mug,Kitchen,{description},material=ceramic,color=white,4.20,10,{price_of_a1},photos/mug.jpg",
        "MUG-A2,mug,Mug (second row: ignored for the product),Other,Other text.,,color=blue,4.20,3,,",
        "BAD-1,bad,Bad,Kitchen,,,,-1,3,,",
        "MUG-A3,mug,Mug,Kitchen,,,color=red,4.20,8,,photos/mug.jpg",
        "BWL-B1,bowl,Bowl,Tableware,A bowl.,material=stoneware,size=S,3.00,4,,photos/bowl.jpg|photos/mug.jpg",
        f"BWL-B2,bowl,Bowl,Tableware,,,size=M,3.00,{stock_of_b2},,",
        "BAD-2,bad,Bad,Kitchen,,,,1.00,many,,",
        "MUG-A4,mug,Mug,Kitchen,,,color=green,4.20,1,,photos/bowl.jpg",
    ]


def test_batched_import_matches_row_by_row(engine, tmp_path, workdir, make_photo):
    folder = tmp_path / "supplier"
    make_photo(folder / "photos" / "mug.jpg")
    make_photo(folder / "photos" / "bowl.jpg", color=(20, 40, 200))
    path = write(folder, rows())
    with Session(engine) as session:
        report = import_catalog(session, path, workdir)
        session.commit()
    assert report.created == ["MUG-A1", "MUG-A2", "MUG-A3", "BWL-B1", "BWL-B2", "MUG-A4"]
    assert [(e.row, e.column) for e in report.errors] == [(4, "cost"), (8, "stock")]
    assert report.rows == 8
    with Session(engine) as session:
        products = {p.handle: p for p in session.exec(select(Product))}
        assert set(products) == {"mug", "bowl"}
        assert (products["mug"].name, products["mug"].category, products["mug"].attributes) == (
            "Mug", "Kitchen", {"material": "ceramic"})
        variants = {v.sku: v for v in session.exec(select(Variant))}
        assert {sku: variants[sku].product_id for sku in variants} == {
            "MUG-A1": products["mug"].id, "MUG-A2": products["mug"].id, "MUG-A3": products["mug"].id,
            "MUG-A4": products["mug"].id, "BWL-B1": products["bowl"].id, "BWL-B2": products["bowl"].id}
        assert (variants["MUG-A1"].price_cents, variants["MUG-A1"].price_fixed) == (999, True)
        assert (variants["MUG-A2"].price_cents, variants["MUG-A2"].price_fixed) == (None, False)
        assert variants["BWL-B2"].options == {"size": "M"} and variants["BWL-B2"].stock == 5
        photos = session.exec(select(Asset).where(Asset.kind == "supplier_photo")).all()
        sku_of = {v.id: sku for sku, v in variants.items()}
        assert sorted(sku_of[a.variant_id] for a in photos) == ["BWL-B1", "BWL-B1", "MUG-A1", "MUG-A3", "MUG-A4"]
        assert all(a.product_id == variants[sku_of[a.variant_id]].product_id for a in photos)
        assert all((workdir / a.path).is_file() and a.width == 64 for a in photos)

    with Session(engine) as session:
        again = import_catalog(session, path, workdir)
        session.commit()
    assert again.created == [] and again.updated == []
    assert again.unchanged == ["MUG-A1", "MUG-A2", "MUG-A3", "BWL-B1", "BWL-B2", "MUG-A4"]

    # A changed description updates the product through its first row only; a changed
    # stock updates that SKU; a row without a price leaves the price alone.
    path = write(folder, rows(stock_of_b2="6", description="A better mug.", price_of_a1=""))
    with Session(engine) as session:
        changed = import_catalog(session, path, workdir)
        session.commit()
        assert changed.updated == ["MUG-A1", "BWL-B2"]
        assert changed.unchanged == ["MUG-A2", "MUG-A3", "BWL-B1", "MUG-A4"]
        assert session.exec(select(Product).where(Product.handle == "mug")).one().description == "A better mug."
        a1 = session.exec(select(Variant).where(Variant.sku == "MUG-A1")).one()
        assert (a1.price_cents, a1.price_fixed) == (999, True)
        assert session.exec(select(Variant).where(Variant.sku == "BWL-B2")).one().stock == 6


def test_objects_the_session_holds_see_the_import(engine, tmp_path, workdir, make_photo):
    folder = tmp_path / "supplier"
    make_photo(folder / "photos" / "mug.jpg")
    make_photo(folder / "photos" / "bowl.jpg", color=(20, 40, 200))
    path = write(folder, rows())
    with Session(engine) as session:
        import_catalog(session, path, workdir)
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        held = session.exec(select(Variant).where(Variant.sku == "BWL-B2")).one()
        session.add(Product(handle="kept", name="Added before the import"))
        import_catalog(session, write(folder, rows(stock_of_b2="9")), workdir)
        assert held.stock == 9
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(Product).where(Product.handle == "kept")).one().name == "Added before the import"
