"""The diffusers image backend: text-to-image and inpainting from one set of weights.

The model is a local folder or a model id (from the Hugging Face cache, or downloaded when
the machine is online). The device is chosen automatically, CUDA, then Apple's MPS, then
CPU; half precision on a GPU, full precision on the CPU. Every call takes a seed and
reports it, so a picture can be made again.
"""

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from tools.errors import ToolFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generated:
    """A model-made picture and how it was made."""

    image: Image.Image
    model: str
    seed: int
    steps: int
    device: str
    prompt: str

    def provenance(self) -> dict[str, Any]:
        return {"backend": "diffusers", "model": self.model, "seed": self.seed, "steps": self.steps,
                "device": self.device, "prompt": self.prompt}


def pick_device(wanted: str = "auto") -> str:
    """'cuda', 'mps' or 'cpu': `wanted` when it is available, else the best one present."""
    try:
        import torch
        present = importlib.util.find_spec("diffusers") is not None
    except ImportError:
        present = False
    if not present:
        raise ToolFailed("image_model needs the diffusion extra (torch, diffusers): run "
                         "`make setup EXTRAS=diffusion`, or unset image_model to use the compositor alone")

    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise ToolFailed("image_device is 'cuda' but no CUDA GPU is visible; set image_device = \"auto\"")
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if wanted == "mps" or (wanted == "auto" and mps is not None and mps.is_available()):
        if mps is None or not mps.is_available():
            raise ToolFailed("image_device is 'mps' but MPS is not available; set image_device = \"auto\"")
        return "mps"
    return "cpu"


def _cached(model_id: str) -> bool:
    """Whether the Hugging Face cache holds the model's index file."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(model_id, "model_index.json"), str)
    except ValueError:  # not a valid repo id
        return False


class DiffusionBackend:
    """One diffusers pipeline, loaded on first use and shared by text-to-image and inpainting."""

    def __init__(self, model: str, device: str = "auto", steps: int = 30, guidance: float = 7.0):
        self.model = str(model)
        self.device = pick_device(device)
        self.steps = steps
        self.guidance = guidance
        self._text2image = None
        self._inpaint = None

    @property
    def dtype(self):
        import torch

        return torch.float16 if self.device in ("cuda", "mps") else torch.float32

    def _load(self):
        if self._text2image is not None:
            return self._text2image
        from diffusers import AutoPipelineForText2Image
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging

        diffusers_logging.disable_progress_bar()  # the CLI shows its own progress
        transformers_logging.disable_progress_bar()

        local = Path(self.model).expanduser()
        source = str(local) if local.exists() else self.model
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        if offline and not local.exists() and not _cached(self.model):
            raise ToolFailed(f"cannot load image_model '{self.model}' (it is not a folder, nor in the local Hugging Face cache, "
                             "and HF_HUB_OFFLINE is set); set image_model to a local diffusers folder, or unset it to use the compositor alone")
        try:
            pipeline = AutoPipelineForText2Image.from_pretrained(source, dtype=self.dtype)
        except (OSError, ValueError) as exc:
            hint = ("it is not in the local Hugging Face cache and HF_HUB_OFFLINE is set" if offline
                    else "check the folder or model id")
            raise ToolFailed(f"cannot load image_model '{self.model}' ({hint}): {str(exc).splitlines()[0]}; "
                             "set image_model to a local diffusers folder, or unset it to use the compositor alone") from None
        # Product pictures are not screened by a safety classifier here; the marketplace's
        # own review applies. Removing it also keeps CPU runs affordable.
        if getattr(pipeline, "safety_checker", None) is not None:
            pipeline.safety_checker = None
        pipeline.set_progress_bar_config(disable=True)
        self._text2image = pipeline.to(self.device)
        log.info("loaded %s on %s (%s)", self.model, self.device, self.dtype)
        return self._text2image

    def _inpainter(self):
        if self._inpaint is None:
            from diffusers import AutoPipelineForInpainting

            self._inpaint = AutoPipelineForInpainting.from_pipe(self._load())
            self._inpaint.set_progress_bar_config(disable=True)
        return self._inpaint

    def _generator(self, seed: int):
        import torch

        # MPS generators are not reproducible across runs; seed on the CPU there.
        return torch.Generator(device="cuda" if self.device == "cuda" else "cpu").manual_seed(seed)

    def text_to_image(self, prompt: str, width: int, height: int, seed: int, negative_prompt: str = "") -> Generated:
        """A picture of `prompt` at `width` x `height` (multiples of 8)."""
        pipeline = self._load()
        result = pipeline(prompt=prompt, negative_prompt=negative_prompt or None, width=width, height=height,
                          num_inference_steps=self.steps, guidance_scale=self.guidance,
                          generator=self._generator(seed))
        return Generated(result.images[0], self.model, seed, self.steps, self.device, prompt)

    def inpaint(self, image: Image.Image, mask: Image.Image, prompt: str, seed: int,
                negative_prompt: str = "", strength: float = 1.0) -> Generated:
        """Repaint where `mask` is white and keep where it is black; same size as `image`."""
        pipeline = self._inpainter()
        result = pipeline(prompt=prompt, negative_prompt=negative_prompt or None, image=image.convert("RGB"),
                          mask_image=mask.convert("L"), width=image.width, height=image.height,
                          num_inference_steps=self.steps, guidance_scale=self.guidance, strength=strength,
                          generator=self._generator(seed))
        return Generated(result.images[0], self.model, seed, self.steps, self.device, prompt)
