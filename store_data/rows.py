"""Rows the code knows are stored. A key read from the database, or a row already flushed,
must come back: a missing row or id is a clear error here, not a None that fails later."""

from typing import Protocol, TypeVar

from sqlmodel import Session

from store_data.errors import StoreDataError

T = TypeVar("T")


class MissingRow(StoreDataError):
    """A row the code read a key of is gone (deleted while in use), or was never saved."""


class _Saved(Protocol):
    @property
    def id(self) -> int | None: ...


def stored(session: Session, model: type[T], key: object) -> T:
    """The row `key` of `model`, which the caller knows exists."""
    row = session.get(model, key)
    if row is None:
        raise MissingRow(f"the {model.__name__} {key} is no longer in the shop's database (removed while this "
                         "run used it); run the command again")
    return row


def row_id(row: _Saved) -> int:
    """The id of a row that has been added and flushed (or read from the database)."""
    if row.id is None:
        raise MissingRow(f"a {type(row).__name__} was used before it was saved; save (flush) it first")
    return row.id
