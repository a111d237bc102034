"""Status machines as data: an enum, a table of allowed moves, one transition().

Orders, listings and approvals each move only along their table; any other move raises
IllegalTransition naming the moves that are allowed, so callers never guess.
"""

from enum import StrEnum
from typing import TypeVar

from store_data.errors import IllegalTransition


class OrderStatus(StrEnum):
    PENDING = "pending"  # placed, not yet paid
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    CLOSED = "closed"


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    PUBLISHED = "published"
    PAUSED = "paused"
    DELISTED = "delisted"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    EDITED = "edited"  # approved with the owner's changes to the arguments
    REJECTED = "rejected"
    EXPIRED = "expired"


_O = OrderStatus
ORDER_MOVES: dict[OrderStatus, frozenset[OrderStatus]] = {
    _O.PENDING: frozenset({_O.PAID, _O.CANCELLED}),
    _O.PAID: frozenset({_O.SHIPPED, _O.CANCELLED, _O.REFUND_REQUESTED, _O.REFUNDED}),
    _O.SHIPPED: frozenset({_O.DELIVERED, _O.REFUND_REQUESTED, _O.RETURN_REQUESTED}),
    _O.DELIVERED: frozenset({_O.REFUND_REQUESTED, _O.RETURN_REQUESTED, _O.CLOSED}),
    # A rejected request puts the order back where it was before the request.
    _O.REFUND_REQUESTED: frozenset({_O.REFUNDED, _O.PAID, _O.SHIPPED, _O.DELIVERED}),
    _O.RETURN_REQUESTED: frozenset({_O.RETURNED, _O.DELIVERED}),
    _O.RETURNED: frozenset({_O.REFUNDED, _O.CLOSED}),
    _O.REFUNDED: frozenset({_O.CLOSED}),
    _O.CANCELLED: frozenset(),
    _O.CLOSED: frozenset(),
}

_L = ListingStatus
LISTING_MOVES: dict[ListingStatus, frozenset[ListingStatus]] = {
    _L.DRAFT: frozenset({_L.PENDING_APPROVAL, _L.PUBLISHED, _L.DELISTED}),
    _L.PENDING_APPROVAL: frozenset({_L.PUBLISHED, _L.DRAFT}),
    _L.PUBLISHED: frozenset({_L.PAUSED, _L.DELISTED}),
    _L.PAUSED: frozenset({_L.PUBLISHED, _L.DELISTED}),
    _L.DELISTED: frozenset({_L.DRAFT}),
}

_A = ApprovalStatus
APPROVAL_MOVES: dict[ApprovalStatus, frozenset[ApprovalStatus]] = {
    _A.PENDING: frozenset({_A.APPROVED, _A.EDITED, _A.REJECTED, _A.EXPIRED}),
    _A.APPROVED: frozenset(),
    _A.EDITED: frozenset(),
    _A.REJECTED: frozenset(),
    _A.EXPIRED: frozenset(),
}

S = TypeVar("S", OrderStatus, ListingStatus, ApprovalStatus)

_MACHINES = {
    OrderStatus: ("order", ORDER_MOVES),
    ListingStatus: ("listing", LISTING_MOVES),
    ApprovalStatus: ("approval", APPROVAL_MOVES),
}


def allowed_moves(current: S) -> list[S]:
    """The statuses reachable from `current` in one move, sorted by name."""
    _, moves = _MACHINES[type(current)]
    return sorted(moves[current])


def transition(current: S | str, target: S | str, kind: type[S]) -> S:
    """Return `target` as a status of `kind` if the move from `current` is allowed.

    Raises IllegalTransition (a domain error) for any other move, including moves to the
    same status: a repeated action must be noticed, not silently accepted.
    """
    name, moves = _MACHINES[kind]
    try:
        now, then = kind(current), kind(target)
    except ValueError as exc:
        raise IllegalTransition(name, str(current), str(target), [s.value for s in kind]) from exc
    if then not in moves[now]:
        raise IllegalTransition(name, now.value, then.value, [s.value for s in sorted(moves[now])])
    return then
