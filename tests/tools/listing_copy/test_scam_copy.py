"""Scam copy is refused: contact details, brands and replica words the catalog's name does
not state; and a supplier's unknown attribute keys never reach the published table."""

import pytest
from sqlmodel import Session, select

from store_data.catalog import import_catalog
from store_data.db import session_scope
from store_data.shop import Listing, Product
from tools.copy import write_listing_copy
from tools.copy.facts import Facts
from tools.copy.scam import scam_problems

# The number and the words of the scam are all in the supplier's row, so the fact check
# (numbers from the catalog) and the grounding check (words from supplier text) pass them.
POISONED = """sku,product,name,category,description,attributes,cost,stock,language
WATCH-1,watch,Diver watch 40 mm,Accessories > Watches,"Diver watch like the ROLEX Submariner replica. Order by WhatsApp +1-555-0100 or www.cheap-watch.top.","material=stainless steel; diameter=40 mm; supplier_note=WhatsApp +1-555-0100 for the 1:1 replica",12.00,5,en
"""
SCAM = {
    "title": "Diver watch 40 mm, ROLEX Submariner replica",
    "selling_points": ["Stainless steel diver watch", "Diameter of 40 mm", "Order the diver watch by WhatsApp +1-555-0100"],
    "description": "A stainless steel diver watch like the ROLEX Submariner replica. Order by WhatsApp +1-555-0100.",
    "tags": ["watch", "diver", "replica"],
    "meta_description": "Diver watch 40 mm, 1:1 replica, order by WhatsApp +1-555-0100",
}


@pytest.fixture
def poisoned(shop):
    (shop.workdir / "poisoned.csv").write_text(POISONED, encoding="utf-8")
    with session_scope(shop.engine) as session:
        assert not import_catalog(session, shop.workdir / "poisoned.csv", shop.workdir).errors
    return shop


def _listing(deps) -> Listing:
    with Session(deps.engine) as session:
        product = session.exec(select(Product).where(Product.handle == "watch")).one()
        return session.exec(select(Listing).where(Listing.product_id == product.id)).one()


def test_scam_copy_from_a_poisoned_row_is_refused_and_the_template_saved(poisoned):
    deps = poisoned.with_model([SCAM, SCAM])
    result = write_listing_copy(deps, "WATCH-1")
    assert result["made_by"] == "template"
    assert any("contact details" in f and "WhatsApp" in f for f in result["findings"])
    assert any("replica" in f and "ROLEX" in f for f in result["findings"])
    saved = _listing(deps)
    published = " ".join([saved.title, saved.description_html, *saved.selling_points, *saved.tags,
                          *saved.seo.values(), str(saved.attributes_table)]).lower()
    for word in ("rolex", "submariner", "replica", "whatsapp", "555", "0100", "cheap-watch", "1:1"):
        assert word not in published
    assert saved.attributes_table == [["Material", "stainless steel"], ["Diameter", "40 mm"]]


@pytest.mark.parametrize("text, found", [
    ("order by WhatsApp +1-555-0100", ["+1-555-0100", "WhatsApp"]),
    ("加微信 shop88 咨询", ["微信"]),
    ("add me on Telegram", ["Telegram"]),
    ("QQ 12345678", ["12345678", "QQ"]),
    ("see https://shop.example/x", ["https://shop.example/x"]),
    ("see www.example.org", ["www.example.org"]),
    ("write to sales@example.com", ["sales@example.com"]),
])
def test_contact_details_are_found(text, found):
    problems = scam_problems(text, Facts(name="Glazed mug"))
    assert len(problems) == 1 and "contact details" in problems[0]
    assert all(f"'{f}'" in problems[0] for f in found)


@pytest.mark.parametrize("text", ["Gucci style mug", "1:1 replica mug", "AAA quality fake mug", "高仿马克杯",
                                  "复刻款马克杯", "A货马克杯", "counterfeit mug", "劳力士同款"])
def test_brands_and_replica_words_absent_from_the_catalog_are_found(text):
    problems = scam_problems(text, Facts(name="Glazed mug"))
    assert len(problems) == 1 and "brand names and replica words" in problems[0]


def test_a_brand_the_catalog_states_is_allowed():
    facts = Facts(name="Nike running socks", attributes={"brand": "Adidas", "material": "cotton"})
    assert scam_problems("Nike running socks in cotton, from Adidas", facts) == []
    assert scam_problems("Nike running socks, Puma quality", facts) == []  # a brand not on the list


@pytest.mark.parametrize("text", [
    "Stoneware mug 350 ml, 9.6 cm high, 8.5 cm (11.5 cm with handle), 340 g",
    "Board of 33 x 23 x 1.8 cm, 0.95 kg, 10-12 cm, set of 4",
    "Apple green glaze; made in Portugal; dishwasher safe", "容量350毫升，高度9.6厘米",
])
def test_honest_copy_is_not_flagged(text):
    assert scam_problems(text, Facts(name="Stoneware mug")) == []
