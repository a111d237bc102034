"""Listing-quality benchmark: the listing lint over the sample catalogs; prints its figures
and writes one HTML contact sheet.

    .venv/bin/python bench/listing_quality.py                    English and Chinese samples, every clip
    .venv/bin/python bench/listing_quality.py --clips 3          clips for the first 3 products of each
    .venv/bin/python bench/listing_quality.py --out DIR          where the shops and the sheet go
                                                                 (default: ./listing-quality)

Each catalog is opened offline as `shopagent open` would make it, without a model (so the
copy is the copy written by code, which is what most shops publish): copy for each product,
pictures for every variant (1:1, 3:4, 9:16 and the detail picture), prices, a promo clip.
Figures: the lint pass rate for copy (tools/copy/lint.py, with the platform's copy check),
pictures (tools/images/lint.py, plus: each variant's picture is made from its own photo, and
shows the colour its option names) and clips (tools/clips/lint.py; one clip per look of a
product, tools/listings.py variant_looks), with every finding. A control swaps the colour
names of each product's colourways and counts how many swaps the colour check catches. The
contact sheet shows each listing's words, its pictures and a strip of frames from each clip.
"""

import argparse
import html
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, col, select  # noqa: E402

from agent.settings import Settings  # noqa: E402
from store_data.catalog import import_catalog  # noqa: E402
from store_data.db import make_engine, session_scope, sqlite_url  # noqa: E402
from store_data.rows import row_id, stored  # noqa: E402
from store_data.shop import Asset, Listing, Product, Shop, Variant  # noqa: E402
from tools.clips import make_promo_clip  # noqa: E402
from tools.clips.lint import clip_lint  # noqa: E402
from tools.copy import write_listing_copy  # noqa: E402
from tools.copy.check import CopyDraft, copy_problems, visible_text  # noqa: E402
from tools.copy.profiles import profile_or_sandbox  # noqa: E402
from tools.copy.tool import facts_of  # noqa: E402
from tools.deps import ToolDeps  # noqa: E402
from tools.images import make_product_images  # noqa: E402
from tools.images.colours import colour_lint, colour_option  # noqa: E402
from tools.listings import listing_pictures, listing_variants, look_label, variant_looks  # noqa: E402
from tools.pricing import price_product  # noqa: E402

SAMPLES = ROOT / "store_data" / "samples"
CATALOGS = [("en", "catalog.csv", "sandbox", "Hearth & Table", "Simple, well-made homeware for small kitchens"),
            ("zh-CN", "catalog_zh.csv", "taobao", "山茶小铺", "日常好用的厨房与餐桌器物")]
SIZES = ["1:1-800", "3:4", "9:16", "detail-750"]
STRIP_FRAMES = 6


def open_catalog(folder: Path, language: str, catalog: str, platform: str, shop: str, slogan: str, clips: int) -> dict:
    """One sample shop made offline; its listings with what the lint found."""
    workdir = folder / "shop"
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "runs").mkdir(parents=True)
    settings = Settings.load(workdir, locale=language, currency="CNY" if language == "zh-CN" else "USD")
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        report = import_catalog(session, SAMPLES / catalog, workdir)
        if report.errors:
            raise SystemExit(f"Error: {catalog} did not import: {report.errors[:3]}")
        session.add(Shop(name=shop, slogan=slogan, colors=["#2A7F7A", "#E8B04B", "#F6F1E7"], locale=language,
                         currency=settings.currency))
    deps = ToolDeps(engine=engine, workdir=workdir, settings=settings)
    with Session(engine) as session:
        products = session.exec(select(Product).order_by(col(Product.id))).all()
        variants = {p.id: listing_variants(session, row_id(p)) for p in products}
        looks = {p.id: [look[0].sku for look in variant_looks(session, p.id)] for p in products}
    listings, seconds = [], {"copy": 0.0, "pictures": 0.0, "clips": 0.0}
    for index, product in enumerate(products):
        lead = variants[product.id][0].sku
        started = time.perf_counter()
        write_listing_copy(deps, lead, language, platform)
        seconds["copy"] += time.perf_counter() - started
        started = time.perf_counter()
        for variant in variants[product.id]:
            make_product_images(deps, variant.sku, SIZES if variant.sku == lead else ["1:1-800"])
        seconds["pictures"] += time.perf_counter() - started
        price_product(deps, lead)
        made = []
        if index < clips:  # a clip per look: each colourway's shows its own pictures
            started = time.perf_counter()
            made = [make_promo_clip(deps, sku, language) for sku in looks[product.id]]
            seconds["clips"] += time.perf_counter() - started
        item = lint_listing(deps, product, variants[product.id], language, platform, shop, made)
        listings.append(item)
        clips_ok = f"{sum(not c['lint'] for c in item['clips'])}/{len(item['clips'])}" if made else "-"
        print(f"  {language:<5} {lead:<16} copy {'ok' if not item['copy_lint'] else 'FAIL':<4} "
              f"pictures {item['pictures_ok']:>2}/{len(item['pictures'])}  clips {clips_ok:<4} {item['title']}", flush=True)
    engine.dispose()
    return {"language": language, "catalog": catalog, "platform": platform, "workdir": workdir,
            "listings": listings, "seconds": seconds}


def lint_listing(deps: ToolDeps, product: Product, variants: list[Variant], language: str, platform: str,
                 shop: str, clips: list[dict]) -> dict:
    with Session(deps.engine) as session:
        listing = session.exec(select(Listing).where(Listing.product_id == product.id)).one()
        product = stored(session, Product, product.id)
        variants = listing_variants(session, row_id(product))  # as priced now
        facts = facts_of(product, variants, deps.settings, language)
        draft = CopyDraft(title=listing.title, selling_points=listing.selling_points,
                          description=_description_text(listing.description_html, language), tags=listing.tags,
                          meta_description=listing.seo.get("description", ""))
        copy_lint = copy_problems(draft, facts, profile_or_sandbox(platform), language, shop, product.description)
        mains = session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == "main_image")
                             .order_by(col(Asset.id))).all()
        picture_lint = [f"{Path(a.path).name}: {p}" for a in mains for p in a.provenance.get("lint", [])]
        bad_pictures = {a.path for a in mains if a.provenance.get("lint")}
        shown, variant_pictures = listing_pictures(session, product, variants)
        photos = {v.sku: session.exec(select(Asset.sha256).where(Asset.kind == "supplier_photo", Asset.variant_id == v.id)
                                      .order_by(col(Asset.id))).first() for v in variants}
        for sku, n in variant_pictures.items():  # each variant's picture comes from its own photo
            source = shown[n - 1].provenance.get("source_sha256")
            if photos.get(sku) and source != photos[sku]:
                picture_lint.append(f"{sku}: its picture is made from another variant's photo")
                bad_pictures.add(shown[n - 1].path)
        colours = colour_figures(variants, shown, variant_pictures)
        details = session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == "detail_image")).all()
        labels = {look[0].sku: look_label(look) for look in variant_looks(session, product.id)}
    made = []
    for clip in clips:
        path = deps.workdir / clip["path"]
        made.append({"sku": clip["sku"], "label": labels.get(clip["sku"], ""), "path": clip["path"],
                     "lint": [f"{path.name}: {p}" for p in clip_lint(path, language)], "strip": frame_strip(path)})
    return {"sku": variants[0].sku, "title": listing.title, "points": listing.selling_points,
            "description": draft.description, "tags": listing.tags, "meta": draft.meta_description,
            "options": [f"{v.sku}: {', '.join(f'{k} {val}' for k, val in v.options.items())} "
                        f"{(v.price_cents or 0) / 100:.2f}" for v in variants],
            "copy_lint": copy_lint, "pictures": [a.path for a in mains], "details": [a.path for a in details],
            "picture_lint": picture_lint, "bad_pictures": len(bad_pictures), "pictures_ok": len(mains) - len(bad_pictures),
            "variants_pictured": len(variant_pictures), "colours": colours, "clips": made,
            "clip_lint": [p for clip in made for p in clip["lint"]]}


def colour_figures(variants: list[Variant], shown: list[Asset], variant_pictures: dict[str, int]) -> dict:
    """The colour check on this listing: each variant with a colour option against its own
    picture, and, as a control, each colourway's picture against another colourway's name
    (a swap the check must catch)."""
    named = {v.sku: value for v in variants if (value := colour_option(v.options))}
    labs = {sku: lab for sku, n in variant_pictures.items() if (lab := shown[n - 1].provenance.get("colour_lab"))}
    checked = [sku for sku in named if sku in labs]
    passed = sum(not colour_lint(tuple(labs[sku]), named[sku], [c for c in named.values() if c != named[sku]])
                 for sku in checked)
    swaps = [(a, b) for a in checked for b in checked
             if named[a] != named[b] and variant_pictures[a] != variant_pictures[b]]
    caught = sum(bool(colour_lint(tuple(labs[a]), named[b], [named[a]])) for a, b in swaps)
    return {"checked": len(checked), "passed": passed, "swaps": len(swaps), "caught": caught}


def _description_text(description_html: str, language: str) -> str:
    """The description's prose: the paragraphs between the highlights and the details table."""
    import re

    paragraphs = re.findall(r"<p>(.*?)</p>", description_html, flags=re.S)
    return visible_text(" ".join(paragraphs)) if paragraphs else visible_text(description_html)


def frame_strip(clip: Path) -> Path | None:
    """STRIP_FRAMES frames spread over the clip, side by side, as one JPEG beside it."""
    import av
    from PIL import Image

    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_image() for frame in container.decode(stream)]
    if not frames:
        return None
    picked = [frames[min(len(frames) - 1, round(i * (len(frames) - 1) / (STRIP_FRAMES - 1)))] for i in range(STRIP_FRAMES)]
    width = 180
    height = round(picked[0].height * width / picked[0].width)
    strip = Image.new("RGB", (width * STRIP_FRAMES, height), "white")
    for index, frame in enumerate(picked):
        strip.paste(frame.resize((width, height)), (index * width, 0))
    target = clip.with_name(clip.stem + "-strip.jpg")
    strip.save(target, quality=85)
    return target


def rate(passed: int, total: int) -> str:
    return f"{passed}/{total} ({100 * passed / total:.0f} %)" if total else "0/0"


def figures(shops: list[dict]) -> None:
    print()
    for shop in shops:
        listings = shop["listings"]
        copy_ok = sum(not item["copy_lint"] for item in listings)
        pictures = sum(len(item["pictures"]) for item in listings)
        bad = sum(item["bad_pictures"] for item in listings)
        clips = [clip for item in listings for clip in item["clips"]]
        clips_ok = sum(not clip["lint"] for clip in clips)
        colours = {k: sum(item["colours"][k] for item in listings) for k in ("checked", "passed", "swaps", "caught")}
        print(f"{shop['language']:<5} {shop['catalog']:<15} on {shop['platform']:<8} "
              f"copy {rate(copy_ok, len(listings))}   main pictures {rate(pictures - bad, pictures)}   "
              f"clips {rate(clips_ok, len(clips))}")
        print(f"      variants with their own picture on the listing: {sum(i['variants_pictured'] for i in listings)}; "
              f"products with a clip per look: {sum(len(i['clips']) > 1 for i in listings)} "
              f"({len(clips)} clips for {sum(bool(i['clips']) for i in listings)} products)")
        print(f"      colour check: {rate(colours['passed'], colours['checked'])} variant pictures show the colour "
              f"their option names; swapped colour names caught: {rate(colours['caught'], colours['swaps'])}")
        print(f"      time: copy {shop['seconds']['copy']:.1f} s, pictures {shop['seconds']['pictures']:.1f} s, "
              f"clips {shop['seconds']['clips']:.1f} s")
        for item in listings:
            for finding in item["copy_lint"] + item["picture_lint"] + item["clip_lint"]:
                print(f"      {item['sku']}: {finding}")


def contact_sheet(out: Path, shops: list[dict]) -> Path:
    """One HTML page: every listing's words, pictures and clip frames side by side."""
    def link(path: Path | str | None, workdir: Path) -> str:
        return html.escape((workdir / path).relative_to(out).as_posix()) if path else ""

    rows = []
    for shop in shops:
        workdir = shop["workdir"]
        rows.append(f"<h2>{html.escape(shop['catalog'])} ({shop['language']}, {shop['platform']})</h2>")
        for item in shop["listings"]:
            findings = item["copy_lint"] + item["picture_lint"] + item["clip_lint"]
            pictures = "".join(f'<img src="{link(p, workdir)}" alt="">' for p in item["pictures"])
            details = "".join(f'<a href="{link(p, workdir)}"><img class="detail" src="{link(p, workdir)}" alt=""></a>'
                              for p in item["details"])
            clip = "".join(f'<p class="look">{html.escape(c["sku"])}{" · " + html.escape(c["label"]) if c["label"] else ""}: '
                           f'<a href="{link(c["path"], workdir)}">clip</a><br>'
                           + (f'<img class="strip" src="{link(c["strip"], workdir)}" alt="clip frames">' if c["strip"] else "")
                           + "</p>" for c in item["clips"]) or "no clip made"
            rows.append(f"""<section class="listing {'bad' if findings else 'good'}">
<div class="words"><h3>{html.escape(item['title'])}</h3>
<p class="options">{html.escape(' · '.join(item['options']))}</p>
<ul>{''.join(f'<li>{html.escape(p)}</li>' for p in item['points'])}</ul>
<p>{html.escape(item['description'])}</p>
<p class="meta">Meta: {html.escape(item['meta'])}<br>Tags: {html.escape(', '.join(item['tags']))}</p>
<p class="lint">{'<br>'.join(html.escape(f) for f in findings) or 'lint: clean'}</p></div>
<div class="pictures">{pictures}{details}</div>
<div class="clip">{clip}</div></section>""")
    page = out / "contact-sheet.html"
    page.write_text(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Listing quality</title>
<style>body{{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}} .listing{{display:grid;grid-template-columns:28rem 1fr;
gap:1rem;border-top:1px solid #ddd;padding:1rem 0}} .listing .clip{{grid-column:1/3}} .pictures img{{height:180px;
margin:0 .4rem .4rem 0;border:1px solid #eee}} .pictures img.detail{{height:260px}} .strip{{max-width:100%}}
.options,.meta{{color:#666;font-size:12px}} .lint{{color:#2a7f4a}} .bad .lint{{color:#a33}} h3{{margin:.2rem 0}}</style>
</head><body><h1>Listing quality</h1>{''.join(rows)}</body></html>""", encoding="utf-8")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("listing-quality"))
    parser.add_argument("--clips", type=int, default=1000, help="clips for the first N products of each catalog")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    shops = [open_catalog(out / language, language, catalog, platform, shop, slogan, args.clips)
             for language, catalog, platform, shop, slogan in CATALOGS]
    figures(shops)
    print(f"\ncontact sheet: {contact_sheet(out, shops)}")


if __name__ == "__main__":
    main()
