"""Seller uploads: sniffed by content, size-limited, stored under random names.

The client's filename and content type are never trusted: images must open in Pillow
as JPEG/PNG/WebP/GIF, videos must carry MP4 or WebM magic bytes, and every file lands in
the media folder under a name the server picks, so no upload can choose its path.
"""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import Path

from PIL import Image
from starlette.datastructures import UploadFile

IMAGE_TYPES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
MAX_PIXELS = 40_000_000
CHUNK = 1024 * 1024


class UploadError(Exception):
    """An upload refused for its size or type; the message is shown to the seller."""


def is_file(value) -> bool:
    """True for a form field that carries a chosen file (browsers send empty ones too)."""
    return isinstance(value, UploadFile) and bool(value.filename)


async def _read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    buf = bytearray()
    while chunk := await upload.read(CHUNK):
        buf += chunk
        if len(buf) > max_bytes:
            raise UploadError(f"{_name(upload)} is larger than the {max_bytes // (1024 * 1024) or 1} MB limit.")
    if not buf:
        raise UploadError(f"{_name(upload)} is empty.")
    return bytes(buf)


def _name(upload: UploadFile) -> str:
    # Shown back in an error message only; a path in it is harmless but noisy.
    return Path(upload.filename or "file").name[:80]


def sniff_image(data: bytes) -> str:
    """Return the file suffix for image bytes Pillow can decode, else raise UploadError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                if img.width * img.height > MAX_PIXELS:
                    raise UploadError("That image has too many pixels.")
                img.verify()
    except UploadError:
        raise
    except Exception:
        raise UploadError("That file is not an image (JPEG, PNG, WebP or GIF).") from None
    if fmt not in IMAGE_TYPES:
        raise UploadError(f"{fmt} images are not accepted; use JPEG, PNG, WebP or GIF.")
    return IMAGE_TYPES[fmt]


def sniff_video(data: bytes) -> str:
    """Return '.mp4' or '.webm' from the container's magic bytes, else raise UploadError."""
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return ".mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm"
    raise UploadError("That file is not a video (MP4 or WebM).")


def _store(media_dir: Path, folder: str, suffix: str, data: bytes) -> str:
    target_dir = (media_dir / folder).resolve()
    if not target_dir.is_relative_to(media_dir.resolve()):
        raise UploadError("Bad upload folder.")
    target_dir.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(12) + suffix
    (target_dir / name).write_bytes(data)
    return f"{folder}/{name}"


async def save_image(upload: UploadFile, media_dir: Path, folder: str, max_bytes: int) -> str:
    """Check and store an image; return its path relative to the media folder."""
    data = await _read_limited(upload, max_bytes)
    return _store(media_dir, folder, sniff_image(data), data)


async def save_video(upload: UploadFile, media_dir: Path, folder: str, max_bytes: int) -> str:
    """Check and store a video; return its path relative to the media folder."""
    data = await _read_limited(upload, max_bytes)
    return _store(media_dir, folder, sniff_video(data), data)


def remove_media(media_dir: Path, rel: str | None) -> None:
    """Delete a stored file, refusing any path that would leave the media folder."""
    if not rel:
        return
    path = (media_dir / rel).resolve()
    if path.is_relative_to(media_dir.resolve()) and path.is_file():
        path.unlink()
