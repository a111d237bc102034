"""Marking images that a model made or altered.

Metadata: an XMP packet with the IPTC DigitalSourceType (the vocabulary that marketplaces
and C2PA readers look for) and, for model-made images, the implicit label field of China's
GB 45438-2025 (`TC260:AIGC`). Visible: a small text label where the marketplace's profile
asks for it, its text at least 5% of the picture's shorter side, as GB 45438 requires.
"""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image, ImageDraw

from tools.images.fonts import Fonts

IPTC_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# What made the picture: a photo re-staged by code, a model's picture around the photo,
# or a picture a model made alone.
COMPOSITE = "composite"
AI_COMPOSITE = "compositeWithTrainedAlgorithmicMedia"
AI_GENERATED = "trainedAlgorithmicMedia"
MODEL_MADE = {AI_COMPOSITE, AI_GENERATED}

NAMESPACES = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "TC260": "http://www.tc260.org.cn/ns/AIGC/1.0/",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


def xmp_packet(source_type: str, creator_tool: str, producer: str = "", content_id: str = "") -> bytes:
    """An XMP packet naming how the image was made.

    `source_type` is one of COMPOSITE, AI_COMPOSITE, AI_GENERATED; `producer` and
    `content_id` fill the GB 45438 fields (who made it, which picture it is).
    """
    if source_type not in {COMPOSITE, *MODEL_MADE}:
        raise ValueError(f"unknown digital source type '{source_type}'")
    meta = ET.Element(f"{{{NAMESPACES['x']}}}xmpmeta")
    rdf = ET.SubElement(meta, f"{{{NAMESPACES['rdf']}}}RDF")
    attributes = {
        f"{{{NAMESPACES['rdf']}}}about": "",
        f"{{{NAMESPACES['Iptc4xmpExt']}}}DigitalSourceType": IPTC_SOURCE + source_type,
        f"{{{NAMESPACES['xmp']}}}CreatorTool": creator_tool,
    }
    if source_type in MODEL_MADE:
        attributes[f"{{{NAMESPACES['TC260']}}}AIGC"] = json.dumps({
            "Label": "1", "ContentProducer": producer, "ProduceID": content_id, "ReservedCode1": "",
            "ContentPropagator": "", "PropagateID": "", "ReservedCode2": "",
        }, ensure_ascii=False)
    ET.SubElement(rdf, f"{{{NAMESPACES['rdf']}}}Description", attributes)
    body = ET.tostring(meta, encoding="unicode")
    return f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>{body}<?xpacket end="r"?>'.encode()


def read_label(path: Path) -> dict:
    """The marking found in an image file: digital source type, creator tool, GB 45438 label.

    Returns an empty dict when the file carries no XMP.
    """
    with Image.open(path) as image:
        packet = image.info.get("xmp")
    if not packet:
        return {}
    text = packet.decode("utf-8") if isinstance(packet, bytes) else packet
    root = ET.fromstring(text[text.index("<x:xmpmeta"):text.index("</x:xmpmeta>") + len("</x:xmpmeta>")])
    found: dict = {}
    for description in root.iter(f"{{{NAMESPACES['rdf']}}}Description"):
        source = description.get(f"{{{NAMESPACES['Iptc4xmpExt']}}}DigitalSourceType")
        if source:
            found["digital_source_type"] = source.removeprefix(IPTC_SOURCE)
        tool = description.get(f"{{{NAMESPACES['xmp']}}}CreatorTool")
        if tool:
            found["creator_tool"] = tool
        aigc = description.get(f"{{{NAMESPACES['TC260']}}}AIGC")
        if aigc:
            found["aigc"] = json.loads(aigc)
    return found


def add_visible_label(image: Image.Image, text: str, fonts: Fonts) -> Image.Image:
    """A copy of `image` with `text` on a dark tag in its top-left corner."""
    out = image.convert("RGBA")
    height = max(12, round(min(out.size) * 0.05))
    font = fonts.get(height)
    left, top, right, bottom = font.getbbox(text)
    pad = height // 3
    x, y = round(min(out.size) * 0.03), round(min(out.size) * 0.03)
    tag = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(tag)
    draw.rounded_rectangle((x, y, x + right - left + 2 * pad, y + bottom - top + 2 * pad), radius=pad, fill=(20, 20, 24, 170))
    draw.text((x + pad - left, y + pad - top), text, font=font, fill=(255, 255, 255, 255))
    out.alpha_composite(tag)
    return out.convert("RGB")
