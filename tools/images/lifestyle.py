"""Lifestyle scenes: a model paints the room around the product while the product's own
pixels are put back untouched on top, so the picture never shows a product that differs
from the one sold."""

import hashlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

import prompts
from tools.drivers.diffusion import DiffusionBackend, Generated
from tools.images.staging import stage

SCENES = {  # a category word -> the room the scene is set in
    "kitchen": "kitchen counter", "mug": "breakfast table", "cup": "breakfast table", "bowl": "dining table",
    "bottle": "sunlit desk", "vase": "living room shelf", "board": "kitchen counter", "bath": "bathroom shelf",
    "厨房": "kitchen counter", "杯": "breakfast table", "碗": "dining table", "瓶": "living room shelf",
}


def scene_for(category: str, name: str) -> str:
    """The room a product is shown in, from words in its category or name."""
    text = f"{category} {name}".lower()
    for word, scene in SCENES.items():
        if word in text:
            return scene
    return "modern home interior"


def seed_for(*parts: str) -> int:
    """A stable seed from the picture's inputs, so a re-run paints the same scene."""
    return int(hashlib.sha256(":".join(parts).encode()).hexdigest()[:8], 16)


@dataclass
class Scene:
    image: Image.Image  # RGB, output size
    product_layer: Image.Image  # RGBA, the product's own pixels as placed on `image`
    generated: Generated


def lifestyle_scene(backend: DiffusionBackend, product: Image.Image, name: str, category: str,
                    colours: list[str], seed: int, work_side: int, out_side: int) -> Scene:
    """Paint a scene around the RGBA `product` and lay the product back on top.

    The model works at `work_side` (its native size); the scene is then enlarged to
    `out_side` and the product, staged at `out_side` directly from the photo's pixels, is
    composited over it.
    """
    low = stage(product, work_side, work_side, colours, reflection=False)
    alpha = np.asarray(low.product_layer.getchannel("A"))
    # Repaint everything that is not solid product; the soft edge is covered again later.
    mask = Image.fromarray(np.where(alpha >= 250, 0, 255).astype(np.uint8), "L")
    prompt = prompts.render("image_lifestyle", product=name, category=category or "home goods",
                            scene=scene_for(category, name)).strip()
    generated = backend.inpaint(low.image, mask, prompt, seed, negative_prompt=prompts.render("image_negative").strip())
    high = stage(product, out_side, out_side, colours, reflection=False)
    scene = generated.image.convert("RGB").resize((out_side, out_side), Image.Resampling.LANCZOS).convert("RGBA")
    scene.alpha_composite(high.product_layer)
    return Scene(scene.convert("RGB"), high.product_layer, generated)
