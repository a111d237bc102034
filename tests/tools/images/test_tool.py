"""make_product_images and make_brand_images on a real imported catalog and SQLite."""

import hashlib

import pytest
from sqlmodel import Session, select

from store_data.shop import Asset, Product, Shop, Variant
from tools.errors import ToolFailed, ToolRetry
from tools.images import make_brand_images, make_product_images
from tools.images.labels import read_label
from tools.registry import get_tool


def _assets(deps, kind=None):
    with Session(deps.engine) as session:
        query = select(Asset).where(Asset.kind != "supplier_photo")
        return session.exec(query.where(Asset.kind == kind) if kind else query).all()


def test_every_size_is_made_recorded_and_not_duplicated(shop):
    deps = shop()
    first = make_product_images(deps, "MUG-BLUE")
    assert first["backend"] == "compositor" and "no image_model configured" in first["note"]
    assert [(i["kind"], i["platform"]) for i in first["images"]] == [
        ("main_image", "1:1-800"), ("main_image", "1:1-1600"), ("main_image", "3:4"), ("main_image", "9:16"),
        ("detail_image", "detail-750")]
    assert first["made"] == 5
    assets = _assets(deps)
    for asset in assets:
        data = (deps.workdir / asset.path).read_bytes()
        assert asset.path.startswith("assets/images/mug/") and hashlib.sha256(data).hexdigest() == asset.sha256
        assert asset.provenance["backend"] == "compositor" and asset.provenance["source_photo"].startswith("assets/catalog/mug/")
        assert read_label(deps.workdir / asset.path)["digital_source_type"] == "composite"
    sizes = {a.platform: (a.width, a.height) for a in assets}
    assert sizes["1:1-1600"] == (1600, 1600) and sizes["9:16"] == (1080, 1920) and sizes["detail-750"][0] == 750

    again = make_product_images(deps, "MUG-BLUE")
    assert again["made"] == 0 and again["unchanged"] == 5
    assert len(_assets(deps)) == 5
    # A changed input (the brand's colours) remakes the pictures in place, still without new rows.
    with Session(deps.engine) as session:
        brand = session.exec(select(Shop)).one()
        brand.colors = ["#7A1F5C", "#F0E6D2"]
        session.add(brand)
        session.commit()
    assert make_product_images(deps, "MUG-BLUE", ["1:1-800"])["made"] == 1
    assert len(_assets(deps)) == 5


def test_variants_with_their_own_photo_get_their_own_pictures(shop):
    deps = shop()
    make_product_images(deps, "MUG-BLUE", ["1:1-800"])
    make_product_images(deps, "MUG-WHITE", ["1:1-800"])
    with Session(deps.engine) as session:
        by_variant = {session.get(Variant, a.variant_id).sku for a in _assets(deps)}
    assert by_variant == {"MUG-BLUE", "MUG-WHITE"}


def test_chinese_product_gets_a_chinese_detail_page_under_the_taobao_profile(shop):
    deps = shop(image_profile="taobao", image_badge="新品")
    result = make_product_images(deps, "VASE-1", ["detail-750", "3:4"])
    assert result["profile"] == "taobao" and all(i["path"].endswith(".jpg") for i in result["images"])
    with Session(deps.engine) as session:
        assert session.exec(select(Product).where(Product.handle == "vase")).one().language == "zh-CN"


def test_mistakes_the_model_can_fix_and_ones_a_person_must(shop):
    deps = shop()
    with pytest.raises(ToolRetry, match="unknown SKU 'NOPE'"):
        make_product_images(deps, "NOPE")
    with pytest.raises(ToolRetry, match="unknown platform size.*choose from 1:1-800"):
        make_product_images(deps, "MUG-BLUE", ["4:5"])
    with pytest.raises(ToolRetry, match="bad arguments"):
        get_tool("make_product_images").call(deps, {"sku": "MUG-BLUE", "platforms": "3:4", "extra": 1})
    with Session(deps.engine) as session:
        for photo in session.exec(select(Asset).where(Asset.kind == "supplier_photo")):
            session.delete(photo)
        session.commit()
    with pytest.raises(ToolFailed, match="has no supplier photo; add one"):
        make_product_images(deps, "MUG-BLUE")


def test_webp_profile_and_brand_images(shop):
    deps = shop(image_profile="shopify")
    result = make_product_images(deps, "MUG-BLUE", ["1:1-1600"])
    assert result["images"][0]["path"].endswith(".webp")
    brand = make_brand_images(deps)
    assert [i["kind"] for i in brand["images"]] == ["logo", "banner"]
    assert brand["images"][1]["path"] == "assets/images/brand/banner.webp"
    with Session(deps.engine) as session:
        row = session.exec(select(Shop)).one()
        assert (row.logo_path, row.banner_path) == ("assets/images/brand/logo.png", "assets/images/brand/banner.webp")
    assert make_brand_images(deps)["images"][0]["status"] == "unchanged"
    assert len(_assets(deps, "logo")) == 1


def test_brand_images_need_a_brand(shop):
    deps = shop()
    with Session(deps.engine) as session:
        session.delete(session.exec(select(Shop)).one())
        session.commit()
    with pytest.raises(ToolRetry, match="no brand yet"):
        make_brand_images(deps)
