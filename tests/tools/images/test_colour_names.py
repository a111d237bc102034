"""The colour check: a variant's picture against the colour its option names."""

import pytest
from sqlmodel import Session, select

from agent.settings import Settings
from store_data.catalog import import_catalog
from store_data.db import make_engine, session_scope, sqlite_url
from store_data.shop import Asset, Shop, Variant
from tests.tools.images.conftest import studio_photo
from tools.deps import ToolDeps
from tools.images import make_product_images
from tools.images.colours import colour_lint, colour_option, named_colour

HEADER = "sku,product,name,category,attributes,options,cost,stock,photos,language\n"


def test_colour_names_in_option_values():
    assert named_colour("Gloss Navy") == "navy" and named_colour("white") == "white"
    assert named_colour("Matte Black") == "black" and named_colour("Speckled Sand") == "sand"
    assert named_colour("炭黑色") == "charcoal" and named_colour("藏青蓝") == "navy" and named_colour("亮光白") == "white"
    assert named_colour("Fig & Cassis") is None and named_colour("无花果") is None
    assert colour_option({"size": "M", "颜色": "白色"}) == "白色" and colour_option({"scent": "fig"}) is None


def test_a_colour_the_picture_does_not_show_fails_and_one_it_shows_passes():
    navy = (35.0, 3.0, -26.0)  # as measured on the sample navy mug's picture
    assert colour_lint(navy, "blue") == [] and colour_lint(navy, "藏青") == []
    assert "not white" in colour_lint(navy, "white")[0] and "not 白色" in colour_lint(navy, "白色")[0]
    charcoal = (26.0, 0.5, -1.0)
    assert "looks charcoal, not black" in colour_lint(charcoal, "black", ["charcoal"])[0]
    assert colour_lint(charcoal, "Fig") == []  # no colour named: nothing to hold it against


def _shop(workdir, rows: str) -> ToolDeps:
    folder = workdir / "supplier"
    folder.mkdir()
    studio_photo((30, 50, 140))[0].save(folder / "navy.jpg", quality=92)
    studio_photo((232, 230, 224), seed=1)[0].save(folder / "white.jpg", quality=92)
    (folder / "catalog.csv").write_text(HEADER + rows, encoding="utf-8")
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        assert not import_catalog(session, folder / "catalog.csv", workdir).errors
        session.add(Shop(name="Blue Pine Home", slogan="Quiet things", colors=["#1F4E5F", "#E8B04B"]))
    return ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir))


@pytest.mark.parametrize("swapped", [False, True])
def test_a_gloss_white_listing_showing_the_navy_mug_fails_the_lint(workdir, swapped):
    white_photo, navy_photo = ("navy.jpg", "white.jpg") if swapped else ("white.jpg", "navy.jpg")
    deps = _shop(workdir, f"MUG-W,mug,\"Mug, Gloss White\",Kitchen,material=stoneware,color=white,3,5,{white_photo},en\n"
                          f"MUG-N,mug,\"Mug, Gloss Blue\",Kitchen,material=stoneware,color=blue,3,5,{navy_photo},en\n")
    white = make_product_images(deps, "MUG-W", ["1:1-800"])
    navy = make_product_images(deps, "MUG-N", ["1:1-800"])
    with Session(deps.engine) as session:
        lint = {session.get(Variant, a.variant_id).sku: a.provenance["lint"]
                for a in session.exec(select(Asset).where(Asset.kind == "main_image"))}
    if swapped:
        assert any(p.startswith("MUG-W: the product in the picture is not white") for p in lint["MUG-W"])
        assert any(p.startswith("MUG-N: the product in the picture is not blue") for p in lint["MUG-N"])
        assert white["images"][0]["lint"] and navy["images"][0]["lint"]
    else:
        assert lint == {"MUG-W": [], "MUG-N": []}
        assert "lint" not in white["images"][0]
    # A rerun makes nothing and finds the same.
    again = make_product_images(deps, "MUG-W", ["1:1-800"])
    assert again["made"] == 0 and bool(again["images"][0].get("lint")) == swapped
    deps.engine.dispose()
