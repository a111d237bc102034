"""`open` end to end on the code paths that need no platform: brand, pictures, prices and the
summary, with no model (every model step takes its deterministic fallback)."""

from PIL import Image, ImageDraw
from sqlmodel import Session, select

from agent.runner import start_run
from agent.runs import steps_of
from agent.workspace import load_settings, open_workspace
from store_data.catalog import import_catalog
from store_data.shop import Shop, Variant
from tools.registry import BY_NAME

# The stages that need no platform and no model; publishing and clips are tested elsewhere.
OFFLINE_STAGES = ("create_brand", "make_brand_images", "make_product_images", "write_listing_copy",
                  "price_product", "write_open_summary")

HEADER = "sku,product,name,category,description,attributes,options,cost,stock,photos,language"


def studio_photo(path):
    """A light backdrop with a dark object in the middle, like a supplier's studio shot."""
    image = Image.new("RGB", (1200, 1200), (236, 236, 232))
    ImageDraw.Draw(image).ellipse((380, 260, 820, 960), fill=(150, 60, 40))
    image.save(path, "JPEG")


def test_open_without_a_model(workdir, tmp_path):
    supplier = tmp_path / "supplier"
    supplier.mkdir()
    studio_photo(supplier / "vase.jpg")
    (supplier / "catalog.csv").write_text("\n".join([
        HEADER,
        "VASE-1,vase,Stoneware vase,Home > Vases,A vase.,material=stoneware; height=20 cm,,6.00,5,vase.jpg,en",
        "VASE-2,vase,Stoneware vase,Home > Vases,A vase.,material=stoneware; height=20 cm,color=blue,6.40,5,vase.jpg,en",
    ]) + "\n")
    workspace = open_workspace(load_settings(workdir))
    with Session(workspace.engine) as session:
        import_catalog(session, supplier / "catalog.csv", workdir)
        session.commit()

    tools = {name: BY_NAME[name] for name in OFFLINE_STAGES}
    outcome = start_run(workspace, "open", "calm stoneware for small homes", llm=None, tools=tools)

    assert outcome.status == "completed", outcome.summary
    steps = {s.tool: s for s in steps_of(workspace.engine, outcome.run_id)}
    assert set(steps) == set(OFFLINE_STAGES)
    assert all(s.status == "done" for s in steps.values()), [(s.tool, s.error) for s in steps.values()]
    assert steps["create_brand"].output["made_by"] == "fallback"
    with Session(workspace.engine) as session:
        shop = session.exec(select(Shop)).one()
        assert shop.name == "Calm Stoneware Co." and shop.policies["return_days"] == 7
        prices = {v.sku: v.price_cents for v in session.exec(select(Variant))}
    assert prices == {"VASE-1": 1599, "VASE-2": 1699}  # cost x 2.5 = 15.00 -> up to the .99 ending
    page = workdir / steps["write_open_summary"].output["path"]
    html = page.read_text()
    assert "Calm Stoneware Co." in html and "USD 15.99" in html
    # Links are relative to the page and point at files that exist.
    assert 'src="../assets/' in html or 'src="catalog/' in html or 'src="images/' in html
