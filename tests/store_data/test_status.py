"""Every legal and illegal move of each state machine."""

import itertools

import pytest

from store_data.errors import IllegalTransition
from store_data.status import (
    APPROVAL_MOVES,
    LISTING_MOVES,
    ORDER_MOVES,
    ApprovalStatus,
    ListingStatus,
    OrderStatus,
    allowed_moves,
    transition,
)

MACHINES = [(OrderStatus, ORDER_MOVES), (ListingStatus, LISTING_MOVES), (ApprovalStatus, APPROVAL_MOVES)]
ALL_PAIRS = [
    (kind, moves, current, target)
    for kind, moves in MACHINES
    for current, target in itertools.product(kind, kind)
]


def test_every_status_has_a_row_in_its_table():
    for kind, moves in MACHINES:
        assert set(moves) == set(kind)


@pytest.mark.parametrize(("kind", "moves", "current", "target"), ALL_PAIRS,
                         ids=[f"{c.value}->{t.value}" for _, _, c, t in ALL_PAIRS])
def test_move(kind, moves, current, target):
    if target in moves[current]:
        assert transition(current.value, target.value, kind) is target
    else:
        with pytest.raises(IllegalTransition) as error:
            transition(current, target, kind)
        assert error.value.current == current.value
        assert error.value.allowed == [s.value for s in sorted(moves[current])]


def test_order_lifecycle_happy_path():
    status = OrderStatus.PENDING
    for target in ("paid", "shipped", "delivered", "return_requested", "returned", "refunded", "closed"):
        status = transition(status, target, OrderStatus)
    assert status is OrderStatus.CLOSED


def test_repeated_move_is_refused():
    # Shipping twice must be noticed, never silently accepted.
    with pytest.raises(IllegalTransition, match="from 'shipped' to 'shipped'"):
        transition("shipped", "shipped", OrderStatus)


def test_unknown_status_names_the_valid_ones():
    with pytest.raises(IllegalTransition, match="paid"):
        transition("paid", "teleported", OrderStatus)


def test_final_statuses_say_so():
    with pytest.raises(IllegalTransition, match="none \\(final status\\)"):
        transition("cancelled", "paid", OrderStatus)
    assert allowed_moves(OrderStatus.CLOSED) == []
