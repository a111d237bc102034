"""The diffusers path with a tiny random model, loaded from a saved folder through the same
from_pretrained code a real model goes through, offline."""

import numpy as np
import pytest
from PIL import Image
from sqlmodel import Session, select

from store_data.shop import Asset, Shop
from tests.tools.images.conftest import studio_photo
from tools.drivers.diffusion import DiffusionBackend, pick_device
from tools.errors import ToolFailed
from tools.images import make_brand_images, make_product_images
from tools.images.cutout import remove_background
from tools.images.labels import read_label
from tools.images.lifestyle import lifestyle_scene


@pytest.fixture(scope="module")
def backend(tiny_model):
    """One loaded backend for the tests that only call it (loading is tested once, below)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        loaded = DiffusionBackend(str(tiny_model), device="auto", steps=2)
        loaded.text_to_image("warm up", 64, 64, seed=0)
    return loaded


def test_text_to_image_loads_offline_and_repeats_with_its_seed(backend, tiny_model):
    assert backend.device == pick_device("auto") == "cpu"  # this machine has no GPU
    first = backend.text_to_image("a mug on a wood table", 64, 48, seed=7)
    again = backend.text_to_image("a mug on a wood table", 64, 48, seed=7)
    other = backend.text_to_image("a mug on a wood table", 64, 48, seed=8)
    assert first.image.size == (64, 48)
    assert np.array_equal(np.asarray(first.image), np.asarray(again.image))
    assert not np.array_equal(np.asarray(first.image), np.asarray(other.image))
    assert first.provenance() == {"backend": "diffusers", "model": str(tiny_model), "seed": 7, "steps": 2,
                                  "device": "cpu", "prompt": "a mug on a wood table"}


def test_inpainted_scene_keeps_the_products_own_pixels(backend):
    product = remove_background(studio_photo()[0]).image
    scene = lifestyle_scene(backend, product, "Glazed mug", "Kitchen > Mugs", ["#1F4E5F"], seed=3, work_side=64, out_side=160)
    assert scene.image.size == (160, 160) and scene.generated.seed == 3
    assert "Glazed mug" in scene.generated.prompt and "kitchen counter" in scene.generated.prompt
    layer = np.asarray(scene.product_layer)
    solid = layer[..., 3] == 255
    assert solid.mean() > 0.1
    assert np.array_equal(np.asarray(scene.image)[solid], layer[..., :3][solid])
    # Around the product the model painted: the backdrop is not the staged studio sweep.
    assert np.asarray(scene.image)[~(layer[..., 3] > 0)].std() > 10


def test_a_model_that_cannot_be_loaded_says_what_to_do(offline, tmp_path):
    with pytest.raises(ToolFailed, match="cannot load image_model 'no-such/model'.*set image_model to a local diffusers folder"):
        DiffusionBackend("no-such/model").text_to_image("x", 64, 64, seed=1)
    with pytest.raises(ToolFailed, match="no CUDA GPU"):
        DiffusionBackend(str(tmp_path), device="cuda")


def test_the_tool_adds_a_labelled_lifestyle_scene_when_a_model_is_set(shop, tiny_model, offline):
    deps = shop(image_model=str(tiny_model), image_steps=2, image_size=64, image_profile="taobao")
    result = make_product_images(deps, "MUG-BLUE", ["1:1-800"])
    assert result["backend"] == "compositor+diffusers" and "note" not in result
    kinds = [(i["kind"], i["ai_made"]) for i in result["images"]]
    assert kinds == [("main_image", False), ("lifestyle", True)]
    with Session(deps.engine) as session:
        scene = session.exec(select(Asset).where(Asset.kind == "lifestyle")).one()
    assert scene.provenance["model"] == str(tiny_model) and scene.provenance["backend"] == "diffusers"
    assert isinstance(scene.provenance["seed"], int) and scene.provenance["visible_label"] == "AI生成"
    assert scene.provenance["source_photo"].startswith("assets/catalog/mug/")
    marking = read_label(deps.workdir / scene.path)
    assert marking["digital_source_type"] == "compositeWithTrainedAlgorithmicMedia"
    assert marking["aigc"]["ContentProducer"] == "Blue Pine Home"
    with Image.open(deps.workdir / scene.path) as picture:
        assert picture.size == (800, 800)
    # Same inputs, same seed: nothing is painted again.
    assert make_product_images(deps, "MUG-BLUE", ["1:1-800"])["made"] == 0

    banner = make_brand_images(deps)["images"][1]
    assert banner["ai_made"] and read_label(deps.workdir / banner["path"])["aigc"]["Label"] == "1"
    with Session(deps.engine) as session:
        assert session.exec(select(Shop)).one().banner_path == banner["path"]
