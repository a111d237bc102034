"""Fixtures for the picture tests: synthetic studio photos with known masks, a shop with
an imported catalog, and a tiny diffusers model saved once per session."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from agent.settings import Settings
from store_data.catalog import import_catalog
from store_data.db import make_engine, session_scope, sqlite_url
from store_data.shop import Shop
from tests.tools.images.tiny_pipeline import build_tiny_pipeline
from tools.deps import ToolDeps

CATALOG = """sku,product,name,category,attributes,cost,stock,photos,language
MUG-BLUE,mug,Glazed mug 350 ml,Kitchen > Mugs,material=ceramic; capacity=350 ml,3.50,10,mug_blue.jpg,en
MUG-WHITE,mug,Glazed mug 350 ml,Kitchen > Mugs,material=ceramic; capacity=350 ml,3.50,10,mug_white.jpg,en
VASE-1,vase,青瓷花瓶,家居 > 花瓶,材质=陶瓷; 高度=24 cm,9.00,4,mug_blue.jpg,zh-CN
"""


def studio_photo(colour=(30, 50, 140), size=(900, 1200), seed=0) -> tuple[Image.Image, np.ndarray]:
    """A mug-like product on a light paper sweep with falloff, a soft floor shadow and
    sensor noise; returns the photo and the true product mask."""
    width, height = size
    ys = np.linspace(0, 1, height)[:, None]
    xs = np.linspace(-1, 1, width)[None, :]
    paper = 0.93 + 0.04 * (1 - ys) - 0.03 * xs ** 2
    image = np.repeat(paper[..., None], 3, axis=2)
    truth = np.zeros((height, width), np.uint8)
    cx, base, body_w, body_h = width // 2, int(height * 0.78), int(width * 0.32), int(height * 0.42)
    cv2.rectangle(truth, (cx - body_w // 2, base - body_h), (cx + body_w // 2, base), 255, -1)
    cv2.ellipse(truth, (cx + body_w // 2, base - body_h // 2), (body_w // 4, body_h // 4), 0, -90, 90, 255, thickness=int(width * 0.03))
    shadow = np.zeros((height, width), np.float32)
    cv2.ellipse(shadow, (cx + 20, base), (int(body_w * 0.7), int(height * 0.03)), 0, 0, 360, 1.0, -1)
    image *= (1 - 0.35 * cv2.GaussianBlur(shadow, (0, 0), 18))[..., None]
    shading = 0.75 + 0.25 * np.cos(np.clip(xs * 2.2, -np.pi / 2, np.pi / 2))
    body = np.repeat(shading, height, axis=0)[..., None] * (np.array(colour) / 255.0)
    inside = truth[..., None] / 255.0
    image = image * (1 - inside) + body * inside
    image += np.random.default_rng(seed).normal(0, 0.006, image.shape)
    return Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8)), truth


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny random Stable Diffusion pipeline written with save_pretrained, once per session."""
    return build_tiny_pipeline(tmp_path_factory.mktemp("tiny-sd") / "model")


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def shop(workdir):
    """A work directory with a three-SKU catalog imported and a brand; returns a deps factory."""
    folder = workdir / "supplier"
    folder.mkdir()
    studio_photo((30, 50, 140))[0].save(folder / "mug_blue.jpg", quality=92)
    studio_photo((232, 230, 224), seed=1)[0].save(folder / "mug_white.jpg", quality=92)
    (folder / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    engine = make_engine(sqlite_url(workdir / "shop.db"))
    with session_scope(engine) as session:
        assert not import_catalog(session, folder / "catalog.csv", workdir).errors
        session.add(Shop(name="Blue Pine Home", slogan="Quiet things for busy kitchens", colors=["#1F4E5F", "#E8B04B"]))

    def deps(**settings) -> ToolDeps:
        return ToolDeps(engine=engine, workdir=workdir, settings=Settings.load(workdir, **settings))

    yield deps
    engine.dispose()
