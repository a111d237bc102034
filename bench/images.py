"""Picture benchmarks; prints its figures.

    .venv/bin/python bench/images.py              compositor pictures per minute on the sample
                                                  catalog (or 20 synthetic studio photos when the
                                                  samples are absent) and seconds per diffusion
                                                  step of the tiny test pipeline, on the CPU
    .venv/bin/python bench/images.py --full-unet  also UNet iterations per second at 512x512 for a
                                                  full-size Stable Diffusion 1.5 UNet with random
                                                  weights (meant for a GPU machine)
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.settings import Settings  # noqa: E402
from store_data.catalog import catalog_rows, import_catalog  # noqa: E402
from store_data.db import make_engine, session_scope, sqlite_url  # noqa: E402
from store_data.shop import Shop  # noqa: E402
from tools.deps import ToolDeps  # noqa: E402
from tools.images import make_product_images  # noqa: E402

SAMPLE = ROOT / "store_data" / "samples" / "catalog.csv"


def synthetic_catalog(folder: Path, count: int = 20) -> Path:
    from tests.tools.images.conftest import studio_photo

    lines = ["sku,product,name,category,attributes,cost,stock,photos"]
    for index in range(count):
        colour = ((index * 47) % 200 + 30, (index * 89) % 200 + 30, (index * 23) % 200 + 30)
        studio_photo(colour, seed=index)[0].save(folder / f"p{index}.jpg", quality=92)
        lines.append(f"SKU-{index},product-{index},Product {index},Home,material=ceramic,3.00,5,p{index}.jpg")
    (folder / "catalog.csv").write_text("\n".join(lines) + "\n")
    return folder / "catalog.csv"


def compositor(folder: Path) -> None:
    catalog = SAMPLE if SAMPLE.is_file() and any((ROOT / "store_data/samples/photos").glob("*.jpg")) else None
    source = "sample catalog" if catalog else "20 synthetic studio photos (sample photos absent)"
    if catalog is None:
        (folder / "supplier").mkdir()
        catalog = synthetic_catalog(folder / "supplier")
    engine = make_engine(sqlite_url(folder / "shop.db"))
    with session_scope(engine) as session:
        import_catalog(session, catalog, folder)
        session.add(Shop(name="Blue Pine Home", slogan="Quiet things for busy kitchens", colors=["#1F4E5F", "#E8B04B"]))
    with session_scope(engine) as session:
        first_sku: dict[str, str] = {}
        for row in catalog_rows(session):
            first_sku.setdefault(row["product"], row["sku"])
    deps = ToolDeps(engine=engine, workdir=folder, settings=Settings.load(folder))
    started = time.perf_counter()
    pictures = sum(make_product_images(deps, sku)["made"] for sku in first_sku.values())
    elapsed = time.perf_counter() - started
    print(f"compositor: {len(first_sku)} products from the {source}, {pictures} pictures "
          f"(4 main sizes + detail page each) in {elapsed:.1f} s on CPU: "
          f"{pictures / elapsed * 60:.0f} pictures/min, {len(first_sku) / elapsed * 60:.1f} products/min")
    engine.dispose()


def tiny_diffusion(folder: Path) -> None:
    from tests.tools.images.tiny_pipeline import build_tiny_pipeline
    from tools.drivers.diffusion import DiffusionBackend

    os.environ["HF_HUB_OFFLINE"] = "1"
    model = build_tiny_pipeline(folder / "tiny")
    best, median = {}, {}
    backend = DiffusionBackend(str(model))
    for steps in (2, 12):
        backend.steps = steps
        for seed in range(3):  # the first calls pay for kernel selection and allocation
            backend.text_to_image("warm up", 64, 64, seed=seed)
        runs = []
        for seed in range(7):
            started = time.perf_counter()
            backend.text_to_image("a mug on a wood table", 64, 64, seed=seed)
            runs.append(time.perf_counter() - started)
        best[steps], median[steps] = min(runs), statistics.median(runs)
    # The difference between 12 and 2 steps leaves out the text encoder and VAE, paid once.
    print(f"tiny diffusion (64x64, CPU, guidance on, 7 runs): {(best[12] - best[2]) / 10:.4f} s per step best, "
          f"{(median[12] - median[2]) / 10:.4f} s median; a 12-step picture {best[12]:.2f} s best, {median[12]:.2f} s median")


def full_unet() -> None:
    import torch
    from diffusers import UNet2DConditionModel

    from tools.drivers.diffusion import pick_device

    device = pick_device("auto")
    dtype = torch.float16 if device != "cpu" else torch.float32
    unet = UNet2DConditionModel(  # the Stable Diffusion 1.5 UNet shape, random weights
        sample_size=64, cross_attention_dim=768, block_out_channels=(320, 640, 1280, 1280), layers_per_block=2,
        attention_head_dim=8).to(device, dtype).eval()  # type: ignore[attr-defined]  # diffusers' stubs miss torch's Module.to
    latents = torch.randn(2, 4, 64, 64, device=device, dtype=dtype)  # 512x512 pixels, batch 2 for guidance
    text = torch.randn(2, 77, 768, device=device, dtype=dtype)
    with torch.inference_mode():
        for _ in range(3):
            unet(latents, 500, encoder_hidden_states=text)
        if device == "cuda":
            torch.cuda.synchronize()
        runs = 20 if device != "cpu" else 2
        started = time.perf_counter()
        for _ in range(runs):
            unet(latents, 500, encoder_hidden_states=text)
        if device == "cuda":
            torch.cuda.synchronize()
    rate = runs / (time.perf_counter() - started)
    print(f"full-size UNet at 512x512 on {device} ({str(dtype).split('.')[-1]}, guidance batch 2): {rate:.2f} it/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full-unet", action="store_true", help="also time a full-size UNet (meant for a GPU)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        shop = Path(tmp) / "shop"
        shop.mkdir()
        compositor(shop)
        tiny_diffusion(Path(tmp))
    if args.full_unet:
        full_unet()


if __name__ == "__main__":
    main()
