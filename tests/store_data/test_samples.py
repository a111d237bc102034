"""The shipped sample catalogs import cleanly, and the broken one names each bad row."""

from pathlib import Path

import pytest
from sqlmodel import Session

from store_data.catalog import import_catalog

SAMPLES = Path(__file__).resolve().parents[2] / "store_data" / "samples"


@pytest.mark.parametrize(("name", "skus", "products"), [
    ("catalog.csv", 22, 16), ("catalog_zh.csv", 18, 12), ("catalog.json", 10, 5),
])
def test_sample_catalog_imports_cleanly(engine, workdir, name, skus, products):
    with Session(engine) as session:
        report = import_catalog(session, SAMPLES / name, workdir)
        session.commit()
    assert report.errors == [] and len(report.created) == skus
    assert len(list((workdir / "assets" / "catalog").iterdir())) == products


def test_broken_sample_names_every_bad_row(engine, workdir):
    with Session(engine) as session:
        report = import_catalog(session, SAMPLES / "broken_catalog.csv", workdir)
    assert len(report.created) == 3
    assert [(e.row, e.column) for e in report.errors] == [
        (1, "colour_code"), (5, "cost"), (6, "cost"), (7, "photos"), (8, "sku"), (9, "stock")]


def test_each_variant_keeps_its_own_rows_name_and_facts(engine, workdir):
    from sqlmodel import select

    from store_data.shop import Product, Variant

    with Session(engine) as session:
        import_catalog(session, SAMPLES / "catalog.csv", workdir)
        session.commit()
        names = {v.sku: v.name for v in session.exec(select(Variant).where(Variant.sku.in_(["MUG-350-WHT", "MUG-350-BLU"])))}
        product_name = session.exec(select(Product).where(Product.handle == "mug-350")).one().name
        glaze = session.exec(select(Variant).where(Variant.sku == "BWL-STN-CHR")).one().attributes["glaze"]
        # A re-import of the same file changes nothing.
        assert import_catalog(session, SAMPLES / "catalog.csv", workdir).updated == []
    assert names == {"MUG-350-WHT": "Stoneware Mug 350ml, Gloss White", "MUG-350-BLU": "Stoneware Mug 350ml, Gloss Navy"}
    assert product_name == names["MUG-350-WHT"] and glaze == "satin reactive glaze, charcoal"
