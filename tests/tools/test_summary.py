"""The open summary shows each clip with its poster frame and the policies under plain labels."""

from agent.settings import Settings
from store_data.db import session_scope
from store_data.shop import Asset, Product, Shop, Variant
from tools.deps import ToolDeps
from tools.summary import write_open_summary


def test_clips_have_a_poster_and_policies_read_as_words(engine, workdir):
    with session_scope(engine) as session:
        session.add(Shop(name="Hearth & Table", policies={"return_days": 14, "refund_to": "original payment method"}))
        product = Product(handle="board", name="Bamboo board")
        session.add(product)
        session.flush()
        session.add(Variant(sku="BRD-M", product_id=product.id, cost_cents=500, price_cents=1399, stock=3))
        session.add(Variant(sku="BRD-L", product_id=product.id, cost_cents=700, price_cents=1799, stock=3))
        session.add(Asset(kind="clip", path="assets/clips/board.mp4", product_id=product.id))
        session.add(Asset(kind="clip_thumbnail", path="assets/clips/board.jpg", product_id=product.id))
    deps = ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir))
    html = (workdir / write_open_summary(deps)["path"]).read_text(encoding="utf-8")
    assert 'src="../assets/clips/board.mp4" poster="../assets/clips/board.jpg"' in html
    assert "<th>Returns (days)</th>" in html and "<th>Refunds to</th>" in html and "return_days" not in html
    assert "USD 13.99" in html and "USD 17.99" not in html  # the option the listing opens on


def test_the_summary_plays_the_clip_of_the_option_on_show_and_links_the_other_looks(engine, workdir):
    clips = workdir / "assets" / "clips" / "mug"
    clips.mkdir(parents=True)
    with session_scope(engine) as session:
        session.add(Shop(name="Hearth & Table"))
        product = Product(handle="mug", name="Mug, Gloss White")
        session.add(product)
        session.flush()
        for sku, colour, stock, stem in (("MUG-W", "white", 0, "mug-en"), ("MUG-N", "navy", 4, "mug-mug-n-en")):
            variant = Variant(sku=sku, product_id=product.id, options={"color": colour}, cost_cents=300, price_cents=1299,
                              stock=stock)
            session.add(variant)
            session.flush()
            session.add(Asset(kind="supplier_photo", path=f"{sku}.jpg", product_id=product.id, variant_id=variant.id,
                              sha256=colour))
            for kind, suffix in (("clip", ".mp4"), ("clip_thumbnail", ".jpg")):
                (clips / f"{stem}{suffix}").write_bytes(b"x")
                session.add(Asset(kind=kind, path=f"assets/clips/mug/{stem}{suffix}", product_id=product.id,
                                  variant_id=variant.id))
    deps = ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir))
    html = (workdir / write_open_summary(deps)["path"]).read_text(encoding="utf-8")
    # White is sold out, so the listing opens on navy: navy's clip plays, white's is a link.
    assert 'src="../assets/clips/mug/mug-mug-n-en.mp4" poster="../assets/clips/mug/mug-mug-n-en.jpg"' in html
    assert 'Clips of the other looks: <a href="../assets/clips/mug/mug-en.mp4">white</a>' in html
