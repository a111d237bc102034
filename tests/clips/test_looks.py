"""One promo clip per look of a product: a colourway with its own photo gets a clip showing
that photo; a size of it shares the clip; the listing and the live room use the right one."""

import pytest
from PIL import Image
from sqlmodel import Session

from agent.settings import Settings
from store_data.db import make_engine, session_scope, sqlite_url
from store_data.shop import Asset, Listing, Product, Shop, Variant
from tests.clips.test_tool import RecordingDriver
from tools.clips import make_promo_clip
from tools.clips.live import _clips
from tools.deps import ToolDeps
from tools.listings import listing_clips

VARIANTS = [("MUG-W", "炻瓷马克杯 亮光白", {"颜色": "白色"}, (235, 233, 228)),
            ("MUG-N", "炻瓷马克杯 藏青蓝", {"颜色": "藏青色"}, (40, 60, 110)),
            ("MUG-N-L", "炻瓷马克杯 藏青蓝 大号", {"颜色": "藏青色", "尺寸": "大号"}, (40, 60, 110))]
GLAZE = {"MUG-W": "亮光白釉", "MUG-N": "亮光藏青釉", "MUG-N-L": "亮光藏青釉"}


@pytest.fixture(scope="module")
def mug(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("shop")
    (workdir / "shopagent.toml").write_text('clip_preset = "ultrafast"\nlocale = "zh-CN"\n', encoding="utf-8")
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        session.add(Shop(name="蓝松家居", slogan="安静好物", colors=["#1F4E5F", "#E8B04B"], locale="zh-CN"))
        product = Product(handle="mug", name=VARIANTS[0][1], category="厨房", attributes={"釉面": GLAZE["MUG-W"]},
                          language="zh-CN")
        session.add(product)
        session.flush()
        for sku, name, options, colour in VARIANTS:
            variant = Variant(sku=sku, name=name, product_id=product.id, options=options, cost_cents=300,
                              price_cents=2999, stock=5, attributes={"釉面": GLAZE[sku]})
            session.add(variant)
            session.flush()
            path = workdir / "assets" / "supplier" / f"{colour[0]}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (600, 600), colour).save(path, quality=90)
            session.add(Asset(kind="supplier_photo", path=path.relative_to(workdir).as_posix(), product_id=product.id,
                              variant_id=variant.id, sha256=f"photo-{colour[0]}"))
        session.add(Listing(product_id=product.id, title=VARIANTS[0][1], price_cents=2999, language="zh-CN"))
    deps = ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir))
    made = {sku: make_promo_clip(deps, sku) for sku, *_ in VARIANTS}
    yield {"deps": deps, "made": made, "workdir": workdir}
    engine.dispose()


def test_a_colourway_gets_its_own_clip_and_a_size_shares_it(mug):
    white, navy, large = (mug["made"][sku] for sku, *_ in VARIANTS)
    assert white["status"] == navy["status"] == "made" and large["status"] == "unchanged"
    assert white["path"] == "assets/clips/mug/mug-zh-CN.mp4" and navy["path"] == "assets/clips/mug/mug-mug-n-zh-CN.mp4"
    assert large["path"] == navy["path"] and navy["look"] == ["MUG-N", "MUG-N-L"] and white["look"] == ["MUG-W"]
    # Each clip names its own look and states its own row's facts (the navy glaze, not the white).
    assert any("藏青蓝" in line for line in navy["lines"]) and not any("藏青" in line for line in white["lines"])
    assert any("亮光藏青釉" in line for line in navy["lines"]) and not any("白釉" in line for line in navy["lines"])
    assert any("亮光白釉" in line for line in white["lines"])
    with Session(mug["deps"].engine) as session:
        clips = {a.path: a for a in session.exec(Asset.__table__.select().where(Asset.kind == "clip")).all()}
        shots = {path: row.provenance["shots"] for path, row in clips.items()}
        by_variant = {session.get(Variant, row.variant_id).sku for row in clips.values()}
    assert by_variant == {"MUG-W", "MUG-N"}
    assert shots == {white["path"]: ["assets/supplier/235.jpg"], navy["path"]: ["assets/supplier/40.jpg"]}
    # A rerun makes nothing again.
    assert make_promo_clip(mug["deps"], "MUG-N")["status"] == make_promo_clip(mug["deps"], "MUG-W")["status"] == "unchanged"


def test_the_listing_sends_each_look_its_clip_and_the_live_room_plays_the_first(mug):
    deps, workdir = mug["deps"], mug["workdir"]
    with Session(deps.engine) as session:
        product = session.get(Product, 1)
        videos, numbers = listing_clips(session, workdir, product, "zh-CN")
    white, navy = workdir / mug["made"]["MUG-W"]["path"], workdir / mug["made"]["MUG-N"]["path"]
    assert videos == [white, navy] and numbers == {"MUG-W": 1, "MUG-N": 2, "MUG-N-L": 2}
    with session_scope(deps.engine) as session:
        listing = session.get(Listing, 1)
        listing.remote_id, listing.status = "L-3", "published"
        session.add(listing)
    driver = RecordingDriver()
    uploaded = make_promo_clip(ToolDeps(engine=deps.engine, workdir=workdir, settings=deps.settings, driver=driver), "MUG-N-L")
    assert uploaded["status"] == "unchanged" and uploaded["upload"]["status"] == "uploaded"
    assert driver.videos == [("L-3", [white, navy], {"MUG-W": 1, "MUG-N": 2, "MUG-N-L": 2})]
    assert [asset.path for asset, _, _ in _clips(deps, "zh-CN")] == [mug["made"]["MUG-W"]["path"]]


def test_a_look_imported_before_rows_kept_their_facts_leaves_out_the_first_looks_colour():
    from tools.clips.tool import _look_attributes

    product = {"glaze": "satin reactive glaze, sand", "material": "stoneware"}
    charcoal, sand = Variant(sku="C", product_id=1, cost_cents=1), Variant(sku="S", product_id=1, cost_cents=1,
                                                                           options={"color": "sand"})
    assert _look_attributes(product, charcoal, sand) == {"material": "stoneware"}
    charcoal.attributes = {"glaze": "satin reactive glaze, charcoal", "material": "stoneware"}
    assert _look_attributes(product, charcoal, sand) == charcoal.attributes
