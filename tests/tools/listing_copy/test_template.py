"""The template passes its own check on every product of the sample catalogs."""

import csv
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agent.settings import Settings
from store_data.catalog import import_catalog
from store_data.db import make_engine, session_scope, sqlite_url
from store_data.shop import Product, Variant
from tools.copy import write_listing_copy
from tools.deps import ToolDeps

SAMPLES = Path(__file__).resolve().parents[3] / "store_data" / "samples"


@pytest.mark.parametrize("catalog, language, platforms", [
    ("catalog.csv", "en", ["sandbox", "amazon", "shopify"]),
    ("catalog_zh.csv", "zh-CN", ["taobao", "sandbox"]),
])
def test_template_copy_of_the_samples_passes_the_check(workdir, catalog, language, platforms):
    with (SAMPLES / catalog).open(encoding="utf-8", newline="") as source:
        rows = [{k: v for k, v in row.items() if k != "photos"} for row in csv.DictReader(source)]
    with (workdir / catalog).open("w", encoding="utf-8", newline="") as target:  # the copy needs no photos
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        assert not import_catalog(session, workdir / catalog, workdir).errors
    deps = ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir))
    with Session(engine) as session:
        skus = [session.exec(select(Variant.sku).where(Variant.product_id == p.id).order_by(Variant.sku)).first()
                for p in session.exec(select(Product).order_by(Product.id))]
    titles = set()
    for platform in platforms:
        for sku in skus:
            result = write_listing_copy(deps, sku, language, platform)
            assert (result["made_by"], result["findings"]) == ("template", []), (platform, sku)
            titles.add((platform, result["title"]))
    assert len(titles) == len(skus) * len(platforms)
    engine.dispose()
