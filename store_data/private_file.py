"""Files only the owner's user may read (mode 0600): settings that may hold passwords, a
browser's logged-in session."""

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE = 0o600


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by this user only from its first byte: a temporary
    file made 0600 is filled, flushed to disk, then renamed over `path` (a reader never
    sees half a file, and the old one's looser mode does not carry over)."""
    path = Path(path)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        os.fchmod(handle, PRIVATE)  # mkstemp makes 0600 already; said here so it stays so
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def tighten(path: Path) -> None:
    """Make an existing file at `path` readable by its owner only, if others can read it now.
    A file this user does not own (a shared, read-only mount) is left as it is."""
    with contextlib.suppress(OSError):  # absent, or not ours to change
        if Path(path).stat().st_mode & 0o077:
            Path(path).chmod(PRIVATE)
