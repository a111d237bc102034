"""Which files of the work directory the console serves, and their URLs.

Only pictures, clips, audio, pages and tables under `assets/` and `runs/` are served:
never the database, the settings file, the cookie key or the sandbox's data. A requested
path is resolved (symbolic links followed) and must still lie inside one of those folders.
"""

from pathlib import Path
from urllib.parse import quote

SERVED_FOLDERS = ("assets", "runs")
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
VIDEO_TYPES = {".mp4", ".webm", ".mov"}
SERVED_TYPES = IMAGE_TYPES | VIDEO_TYPES | {".mp3", ".wav", ".ogg", ".m4a", ".html", ".csv"}
# Files open as their own documents without scripts or the console's origin: a page the
# marketplace showed, or a report, cannot act as the owner.
FILE_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; "
                               "style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=300",
}


def served_file(workdir: Path, requested: str) -> Path | None:
    """The file `requested` (relative to the work directory) names, if the console may serve it."""
    root = Path(workdir).resolve()
    try:
        path = (root / requested).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
        return None
    if path.suffix.lower() not in SERVED_TYPES or not path.is_file():
        return None
    if not any(path.is_relative_to(root / folder) for folder in SERVED_FOLDERS):
        return None
    return path


def file_url(workdir: Path, path: str | Path | None) -> str | None:
    """The console URL of a work-directory file (relative, or absolute inside it), or None."""
    if not path:
        return None
    root = Path(workdir).resolve()
    candidate = Path(path)
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not full.is_relative_to(root) or served_file(root, str(full.relative_to(root))) is None:
        return None
    return "/files/" + quote(full.relative_to(root).as_posix())


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_TYPES


def is_image(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_TYPES
