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
    EXCHANGE_REQUESTED = "exchange_requested"  # delivered items to be swapped for other variants
    CHANGE_REQUESTED = "change_requested"  # the buyer asks for other options (unshipped or delivered items)
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
    _O.PAID: frozenset({_O.SHIPPED, _O.CANCELLED, _O.REFUND_REQUESTED, _O.REFUNDED, _O.CHANGE_REQUESTED}),
    _O.SHIPPED: frozenset({_O.DELIVERED, _O.REFUND_REQUESTED, _O.RETURN_REQUESTED}),
    _O.DELIVERED: frozenset({_O.REFUND_REQUESTED, _O.RETURN_REQUESTED, _O.EXCHANGE_REQUESTED, _O.CLOSED,
                             _O.CHANGE_REQUESTED}),
    # A rejected request puts the order back where it was before the request.
    _O.REFUND_REQUESTED: frozenset({_O.REFUNDED, _O.PAID, _O.SHIPPED, _O.DELIVERED}),
    _O.RETURN_REQUESTED: frozenset({_O.RETURNED, _O.DELIVERED}),
    # Decided: back where it was (a change of unshipped items keeps it paid), or exchanged.
    _O.CHANGE_REQUESTED: frozenset({_O.PAID, _O.DELIVERED, _O.EXCHANGE_REQUESTED}),
    _O.RETURNED: frozenset({_O.REFUNDED, _O.CLOSED}),
    _O.EXCHANGE_REQUESTED: frozenset({_O.CLOSED}),
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


class RunStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # waits for the owner's decisions; `resume` (or a decision) continues it
    COMPLETED = "completed"
    STOPPED = "stopped"  # its budget ran out: the summary says what was not run
    FAILED = "failed"  # the run itself broke off (not a step): its summary holds the error


class StepStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    WAITING = "waiting"  # for the owner's approval
    SKIPPED = "skipped"  # rejected by the owner, or already waiting elsewhere


# Steps in these statuses are settled: a resumed run does not run them again.
SETTLED_STEPS = frozenset({StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.WAITING})


class ErrorKind(StrEnum):
    """Who can fix a failed step: what the summary tells the owner to do differs for each."""

    MODEL = "model"  # a wrong call (unknown SKU, bad argument): the model may mend it
    OWNER = "owner"  # the owner must act (a file, a setting, the platform refused)
    BUG = "bug"  # an unexpected fault in shopagent: its traceback is in runs/<run id>.log


_R = RunStatus
RUN_MOVES: dict[RunStatus, frozenset[RunStatus]] = {
    # A failed run may be resumed: it continues from its last checkpoint; so may one whose
    # process was killed while it ran (it still says running).
    _R.RUNNING: frozenset({_R.RUNNING, _R.PAUSED, _R.COMPLETED, _R.STOPPED, _R.FAILED}),
    _R.PAUSED: frozenset({_R.RUNNING}),
    _R.FAILED: frozenset({_R.RUNNING}),
    _R.COMPLETED: frozenset(),
    _R.STOPPED: frozenset(),
}

_S = StepStatus
STEP_MOVES: dict[StepStatus, frozenset[StepStatus]] = {
    _S.PLANNED: frozenset({_S.RUNNING, _S.WAITING, _S.FAILED, _S.SKIPPED, _S.DONE}),
    # A step cut off while running (the process was killed) goes through the gate again on resume.
    _S.RUNNING: frozenset({_S.DONE, _S.FAILED, _S.WAITING, _S.SKIPPED, _S.RUNNING}),
    # Approved: it runs; rejected: skipped; a human check that came back: waits again.
    _S.WAITING: frozenset({_S.RUNNING, _S.SKIPPED, _S.WAITING, _S.FAILED}),
    _S.DONE: frozenset(),
    _S.FAILED: frozenset(),
    _S.SKIPPED: frozenset(),
}

S = TypeVar("S", OrderStatus, ListingStatus, ApprovalStatus, RunStatus, StepStatus)

_MACHINES: dict[type, tuple[str, dict]] = {
    OrderStatus: ("order", ORDER_MOVES),
    ListingStatus: ("listing", LISTING_MOVES),
    ApprovalStatus: ("approval", APPROVAL_MOVES),
    RunStatus: ("run", RUN_MOVES),
    StepStatus: ("step", STEP_MOVES),
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
