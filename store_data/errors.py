"""Domain errors of the shop's records.

Each message says what happened and what to do about it, so the CLI can print it as is.
"""


class StoreDataError(Exception):
    """Base class for errors a person can act on."""


class IllegalTransition(StoreDataError):
    """A status change that the state machine does not allow."""

    def __init__(self, machine: str, current: str, target: str, allowed: list[str]):
        self.machine = machine
        self.current = current
        self.target = target
        self.allowed = allowed
        options = ", ".join(allowed) if allowed else "none (final status)"
        super().__init__(
            f"cannot move {machine} from '{current}' to '{target}'; allowed from '{current}': {options}"
        )


class CatalogFileError(StoreDataError):
    """The catalog file as a whole cannot be read (missing, wrong format, no header)."""
