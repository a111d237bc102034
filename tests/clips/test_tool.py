"""`make_promo_clip` and `build_live_room` on a real work directory (SQLite, real files,
real voice, real encoder), and their CLI commands."""

import json

import av
import pytest
from PIL import Image
from skimage import data
from sqlmodel import select
from typer.testing import CliRunner

from agent.cli import app
from agent.settings import Settings
from store_data.db import make_engine, session_scope, sqlite_url
from store_data.orders import Order, OrderLine
from store_data.shop import Asset, Listing, Product, Shop, Variant
from tools.clips import build_live_room, make_promo_clip
from tools.clips.live import on_air
from tools.clips.subtitles import parse_srt
from tools.deps import ToolDeps
from tools.errors import ToolFailed

# Short catalog rows keep the template script (and the test) short.
PRODUCTS = [("bamboo-board", "竹砧板", "BRD-1", {"材质": "楠竹"}, 5999, data.coffee()),
            ("glass-bottle", "玻璃水瓶", "BTL-1", {"容量": "550毫升"}, 3999, data.chelsea())]


class RecordingDriver:
    """A marketplace driver that takes clips and the live room and remembers them (the real
    browser upload is tested against the sandbox in tests/orders/test_video_upload.py)."""

    capabilities = frozenset({"listing_video", "live_room"})

    def __init__(self, max_bytes=None):
        self.videos, self.live, self.max_bytes = [], [], max_bytes

    def upload_listing_videos(self, remote_id, videos, variant_videos):
        self.videos.append((remote_id, videos, variant_videos))

    def set_live_room(self, video, schedule):
        self.live.append((video, schedule))

    def live_room_max_bytes(self):
        return self.max_bytes


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("shop")
    # Fast x264 settings keep the test short; the loop is joined without re-encoding either way.
    (workdir / "shopagent.toml").write_text('clip_preset = "ultrafast"\nlocale = "zh-CN"\n', encoding="utf-8")
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        session.add(Shop(name="蓝松家居", slogan="安静好物", colors=["#1F4E5F", "#E8B04B"], locale="zh-CN"))
        for handle, name, sku, attributes, cents, picture in PRODUCTS:
            product = Product(handle=handle, name=name, category="厨房", attributes=attributes, language="zh-CN")
            session.add(product)
            session.flush()
            variant = Variant(sku=sku, product_id=product.id, cost_cents=1000, price_cents=cents, stock=5)
            session.add(variant)
            session.add(Listing(product_id=product.id, title=name, price_cents=cents, language="zh-CN"))
            path = workdir / "assets" / "supplier" / f"{handle}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(picture).save(path, quality=90)
            session.add(Asset(kind="supplier_photo", path=path.relative_to(workdir).as_posix(), product_id=product.id, sha256=handle))
    deps = ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir))
    made = [make_promo_clip(deps, sku) for _, _, sku, _, _, _ in PRODUCTS]
    yield {"deps": deps, "made": made, "workdir": workdir}
    engine.dispose()


def test_clip_files_assets_and_provenance(shop):
    result, workdir = shop["made"][0], shop["workdir"]
    assert result["status"] == "made" and result["language"] == "zh-CN"
    assert result["path"] == "assets/clips/bamboo-board/bamboo-board-zh-CN.mp4"
    assert result["voice"] == "espeak:cmn-latn-pinyin" and result["presenter"] == "avatar:ava"
    assert result["script_made_by"] == "fallback" and "现在只要59.99美元。" in result["lines"]
    assert result["upload"]["status"] == "pending" and "takes no listing videos" in result["upload"]["note"]
    with av.open(str(workdir / result["path"])) as container:
        duration = container.duration / 1_000_000
        assert "AI生成" in container.metadata["comment"] and "AIGC" in container.metadata["description"]
        assert {s.type for s in container.streams} == {"video", "audio"}
    with session_scope(shop["deps"].engine) as session:
        rows = {a.kind: a for a in session.exec(select(Asset).where(Asset.product_id == 1, Asset.kind.like("clip%")))}
    assert set(rows) == {"clip", "clip_subtitles", "clip_thumbnail"}
    clip = rows["clip"]
    assert (clip.width, clip.height) == (1080, 1920) and len(clip.sha256) == 64
    assert abs(duration - clip.provenance["voice_s"]) <= 0.1
    assert clip.provenance["ai_generated"] and clip.provenance["script_made_by"] == "fallback"
    cues = parse_srt((workdir / rows["clip_subtitles"].path).read_text(encoding="utf-8"))
    assert cues and all(0 <= start < end <= duration for start, end, _ in cues)
    assert "竹砧板" in "".join(text for _, _, text in cues)
    assert Image.open(workdir / rows["clip_thumbnail"].path).size == (1080, 1920)


def test_same_inputs_make_nothing_and_a_driver_gets_the_pending_upload(shop):
    deps, workdir = shop["deps"], shop["workdir"]
    clip = workdir / shop["made"][0]["path"]
    before = clip.stat().st_mtime_ns
    again = make_promo_clip(deps, "BRD-1")
    assert again["status"] == "unchanged" and clip.stat().st_mtime_ns == before
    driver = RecordingDriver()
    with_driver = ToolDeps(engine=deps.engine, workdir=workdir, settings=deps.settings, driver=driver)
    waiting = make_promo_clip(with_driver, "BRD-1")
    assert waiting["upload"]["status"] == "pending"  # not on the marketplace yet: it goes up with the listing
    with session_scope(deps.engine) as session:
        listing = session.exec(select(Listing).where(Listing.title == "竹砧板")).one()
        listing.remote_id, listing.status = "L-7", "published"
        session.add(listing)
    uploaded = make_promo_clip(with_driver, "BRD-1")
    assert uploaded["status"] == "unchanged" and uploaded["upload"]["status"] == "uploaded"
    assert driver.videos == [("L-7", [clip], {})]


def test_live_room_loops_every_clip_with_its_schedule(shop):
    deps, workdir = shop["deps"], shop["workdir"]
    room = build_live_room(deps)
    assert room["status"] == "made" and room["upload"]["status"] == "pending"
    assert [item["sku"] for item in room["items"]] == ["BRD-1", "BTL-1"]
    first, second = room["items"]
    assert first["start_s"] == 0 and first["end_s"] == second["start_s"] and second["end_s"] == room["loop_s"]
    with av.open(str(workdir / room["path"])) as container:
        assert abs(container.duration / 1_000_000 - room["loop_s"]) < 0.3
        assert "AI生成" in container.metadata["comment"]
    schedule = json.loads((workdir / room["schedule"]).read_text(encoding="utf-8"))
    assert schedule["loops_per_day"] == pytest.approx(86400 / room["loop_s"], abs=0.1)
    assert on_air(schedule, 3 * room["loop_s"] + second["start_s"] + 0.5)["sku"] == "BTL-1"
    driver = RecordingDriver()
    again = build_live_room(ToolDeps(engine=deps.engine, workdir=workdir, settings=deps.settings, driver=driver))
    assert again["status"] == "unchanged" and again["upload"]["status"] == "uploaded"
    video, sent = driver.live[0]
    # The platform gets listing ids: the board was published (as L-7) above, the bottle is not
    # listed, so it is on air without a card.
    assert video == workdir / room["path"]
    assert sent == [{"listing_id": "L-7", "start_s": first["start_s"], "end_s": first["end_s"]}]
    assert again["upload"]["without_card"] == ["BTL-1"]
    assert again["left_out"] == []


def test_live_room_takes_the_clips_that_fit_the_platforms_size_limit_best_sellers_first(shop):
    deps, workdir = shop["deps"], shop["workdir"]
    sizes = [(workdir / made["path"]).stat().st_size for made in shop["made"]]
    driver = RecordingDriver(max_bytes=int((max(sizes) + 65536) / 0.98) + 1)  # room for one clip, not two
    with_driver = ToolDeps(engine=deps.engine, workdir=workdir, settings=deps.settings, driver=driver)
    room = build_live_room(with_driver)
    assert [item["sku"] for item in room["items"]] == ["BRD-1"] and room["left_out"] == ["BTL-1"]  # no sales: catalog order
    assert room["status"] == "made" and room["bytes"] <= driver.max_bytes and len(driver.live) == 1
    with session_scope(deps.engine) as session:  # the bottle sells
        bottle = session.exec(select(Variant).where(Variant.sku == "BTL-1")).one()
        order = Order(remote_id="R-1", status="paid", total_cents=2000, paid_cents=2000)
        session.add(order)
        session.flush()
        session.add(OrderLine(order_id=order.id, variant_id=bottle.id, sku="BTL-1", quantity=2, unit_price_cents=1000))
    room = build_live_room(with_driver)
    assert [item["sku"] for item in room["items"]] == ["BTL-1"] and room["left_out"] == ["BRD-1"]
    too_small = RecordingDriver(max_bytes=1000)
    with pytest.raises(ToolFailed, match="no promo clip fits the platform's 0 MB live-room limit"):
        build_live_room(ToolDeps(engine=deps.engine, workdir=workdir, settings=deps.settings, driver=too_small))
    # Back to every clip, uploaded, as the tests after this one expect.
    build_live_room(ToolDeps(engine=deps.engine, workdir=workdir, settings=deps.settings, driver=RecordingDriver()))


def test_cli_make_and_build(shop):
    runner, workdir = CliRunner(), str(shop["workdir"])
    made = runner.invoke(app, ["clips", "make", "--all", "--template", "--json", "-w", workdir])
    assert made.exit_code == 0, made.output
    assert [r["status"] for r in json.loads(made.output)] == ["unchanged", "unchanged"]
    built = runner.invoke(app, ["live", "build", "-w", workdir])
    assert built.exit_code == 0 and "BTL-1" in built.output and "loops a day" in built.output


def test_cli_mistakes_name_their_fix(tmp_path):
    runner = CliRunner()
    both = runner.invoke(app, ["clips", "make", "X", "--all", "-w", str(tmp_path)])
    assert both.exit_code == 1 and "give one SKU, or --all" in str(both.exception)
    empty = runner.invoke(app, ["live", "build", "-w", str(tmp_path)])
    assert empty.exit_code == 1 and "shopagent clips make --all" in str(empty.exception)


def test_a_bad_sku_or_language_goes_back_to_the_model(shop):
    from tools.errors import ToolRetry

    with pytest.raises(ToolRetry, match="unknown SKU"):
        make_promo_clip(shop["deps"], "NOPE")
    with pytest.raises(ToolRetry, match="en or zh-CN"):
        make_promo_clip(shop["deps"], "BRD-1", "fr")


def test_the_script_is_not_asked_of_a_model_whose_copy_failed_the_check(shop):
    from tools.llm import LLM
    from tools.scripted_model import ScriptedChatModel

    deps = shop["deps"]

    def copy_made_by(made_by, findings):
        with session_scope(deps.engine) as session:
            listing = session.exec(select(Listing).where(Listing.product_id == 2)).one()
            listing.made_by, listing.check_findings = made_by, findings
            session.add(listing)

    # An empty script raises if the model is called at all.
    silent = ToolDeps(engine=deps.engine, workdir=deps.workdir, settings=deps.settings, llm=LLM(chat=ScriptedChatModel([])))
    copy_made_by("template", ["rejected answer: not in the catalog facts, remove: '20%'"])
    skipped = make_promo_clip(silent, "BTL-1")
    # Not asking the model is the same input as having none: the clip made without one stands.
    assert skipped["status"] == "unchanged" and skipped["script_made_by"] == "fallback"
    # Copy written without asking a model whose recent drafts all failed: not asked either.
    copy_made_by("template", ["model not asked: its last 4 answers of this kind all failed the checks"])
    assert make_promo_clip(silent, "BTL-1")["status"] == "unchanged"

    script = {"hook": "想要一个好看又好用的玻璃水瓶吗？", "benefits": ["容量550毫升，出门带上刚刚好。", "透明瓶身，喝了多少一眼就能看到。"],
              "call_to_action": "喜欢就点击下方，马上带它回家吧！"}
    chat = ScriptedChatModel([script])
    asked = ToolDeps(engine=deps.engine, workdir=deps.workdir, settings=deps.settings, llm=LLM(chat=chat))
    copy_made_by("model", [])
    made = make_promo_clip(asked, "BTL-1")
    assert made["status"] == "made" and made["script_made_by"] == "model" and len(chat.requests) == 1
    assert made["lines"][0] == script["hook"]
