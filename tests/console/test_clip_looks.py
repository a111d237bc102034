"""The console's listing preview: one clip per look, the option the listing opens on first,
each named by the look it shows."""

from sqlmodel import Session

from agent.console.previews import product_view
from store_data.db import session_scope
from store_data.shop import Asset, Product, Variant


def test_the_preview_names_each_looks_clip_and_leads_with_the_option_on_show(workspace):
    clips = workspace.workdir / "assets" / "clips" / "mug"
    clips.mkdir(parents=True)
    with session_scope(workspace.engine) as session:
        product = Product(handle="mug", name="Mug, Gloss White")
        session.add(product)
        session.flush()
        for sku, colour, stock, stem in (("MUG-W", "white", 0, "mug-en"), ("MUG-N", "Gloss Navy", 4, "mug-mug-n-en")):
            variant = Variant(sku=sku, product_id=product.id, options={"color": colour}, cost_cents=300, stock=stock)
            session.add(variant)
            session.flush()
            session.add(Asset(kind="supplier_photo", path=f"{sku}.jpg", product_id=product.id, variant_id=variant.id,
                              sha256=colour))
            for suffix in (".mp4", ".jpg"):
                (clips / f"{stem}{suffix}").write_bytes(b"x")
            session.add(Asset(kind="clip", path=f"assets/clips/mug/{stem}.mp4", product_id=product.id, variant_id=variant.id))
        product_id = product.id
    with Session(workspace.engine) as session:
        view = product_view(session, workspace, session.get(Product, product_id))
    assert [url.rsplit("/", 1)[-1] for url in view["clips"]] == ["mug-mug-n-en.mp4", "mug-en.mp4"]
    assert [url.rsplit("/", 1)[-1] for url in view["posters"]] == ["mug-mug-n-en.jpg", "mug-en.jpg"]
    assert view["clip_labels"] == ["Gloss Navy", "white"]
