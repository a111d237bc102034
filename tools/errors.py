"""The two error channels of a tool.

ToolRetry: the model can fix it (unknown SKU, bad argument); its text goes back to the
planner. ToolFailed: a person must act (missing file, platform refuses login); the run
stops with one line that says what happened and what to do.
"""

from store_data.errors import StoreDataError


class ToolRetry(Exception):
    """A mistake in the call that the model can correct; the message says how."""


class ToolFailed(StoreDataError):
    """A failure only a person can fix; the message says what to do."""


class PlatformStopped(ToolFailed):
    """The platform said automated access must stop: the run ends and the owner is told."""


class NeedsOwner(ToolFailed):
    """The platform asks for something only the owner can do (e.g. a human check)."""

    def __init__(self, message: str, evidence: dict | None = None):
        super().__init__(message)
        self.evidence = evidence or {}  # screenshot path, page URL, ...
