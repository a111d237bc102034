"""sync_orders: the marketplace's orders into the shop's records, incrementally.

One pass reads the order list page by page from a cursor (the day before the newest order
the shop has stored with every older one), plus the platform's open statuses when the shop
knows older open orders, and reads an order's own page only when it is new or its list row
differs from the shop's record, or a buyer's request on it opened or closed (a platform that
cannot list those orders has its open orders read whenever its count of open requests
differs from the shop's). Orders are stored
oldest first, each in its own transaction keyed by (marketplace, order number) that also
moves the cursor past it, so a sync cut off part-way resumes from the last order it stored:
it neither duplicates nor skips one. Whatever moved without the shop's doing is reported as
a change made outside.
"""

from collections import deque
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from store_data.db import session_scope
from store_data.orders import Buyer, Order, OrderLine, OrderSyncCursor, Payment, Shipment
from store_data.shop import Variant
from store_data.status import ORDER_MOVES, OrderStatus
from tools.deps import ToolDeps
from tools.drivers.marketplace import ORDERS, MarketplaceDriver, OrderRow, RemoteOrder
from tools.errors import ToolFailed
from tools.order_policy import KEY_PREFIX, idempotency_key, marketplace
from tools.order_stock import holds_stock, release, reserve, ship_out

SETTLED = (OrderStatus.CANCELLED, OrderStatus.CLOSED)
REQUESTED = (OrderStatus.REFUND_REQUESTED, OrderStatus.RETURN_REQUESTED, OrderStatus.CHANGE_REQUESTED)
# A list row shows no requests: an order with an open request sits on one of these.
REQUEST_BASES = {OrderStatus.REFUND_REQUESTED: {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED},
                 OrderStatus.RETURN_REQUESTED: {OrderStatus.DELIVERED},
                 OrderStatus.CHANGE_REQUESTED: {OrderStatus.PAID, OrderStatus.DELIVERED}}


def require_driver(deps: ToolDeps, capability: str) -> MarketplaceDriver:
    """The run's marketplace driver, if it offers `capability`."""
    if deps.driver is None:
        raise ToolFailed("no marketplace is connected to this run; set platform and marketplace_url in shopagent.toml")
    if capability not in deps.driver.capabilities:
        raise ToolFailed(f"the {deps.driver.name} marketplace does not offer {capability}")
    return deps.driver


def missing_capability(deps: ToolDeps, capability: str) -> str | None:
    """Why a daily stage has nothing to do on this platform (None: the driver offers `capability`).
    Stages skip with this note in their output instead of failing the step."""
    if deps.driver is not None and capability not in deps.driver.capabilities:
        return f"skipped: the {deps.driver.name} marketplace does not offer {capability}"
    return None


def status_path(current: OrderStatus, target: OrderStatus) -> list[OrderStatus] | None:
    """The shortest chain of allowed moves from `current` to `target` (None: there is none)."""
    seen: dict[OrderStatus, list[OrderStatus]] = {current: []}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        if status == target:
            return seen[status]
        for following in sorted(ORDER_MOVES[status]):
            if following not in seen:
                seen[following] = seen[status] + [following]
                queue.append(following)
    return None


def _differs(known: tuple[str, int], row: OrderRow) -> bool:
    status, refunded = OrderStatus(known[0]), known[1]
    if refunded != row.refunded_cents:
        return True
    return row.shop_status != status and row.shop_status not in REQUEST_BASES.get(status, ())


def sync_orders(deps: ToolDeps, full: bool = False) -> dict:
    """Bring new and changed orders in from the marketplace: buyers, lines, payments, refunds,
    shipments and buyer requests. Incremental unless `full` is true. Reports how many orders
    are new, which changed outside the shop, and which were flagged (e.g. no stock)."""
    driver = require_driver(deps, ORDERS)
    market = marketplace(deps)
    with Session(deps.engine) as session:
        known = {o.remote_id: (o.status, o.refunded_cents) for o in
                 session.exec(select(Order).where(Order.marketplace == market))}
        cursor = session.get(OrderSyncCursor, market)
        local_requests = session.exec(select(func.count()).select_from(Order).where(
            Order.marketplace == market, col(Order.status).in_(REQUESTED))).one()
    # No cursor yet (a first sync, or a shop from before the cursor): read the whole list once.
    since = None if full or cursor is None else cursor.through.date() - timedelta(days=1)
    window = {row.number: row for row in driver.list_orders(since=since)}
    rows = dict(window)
    open_elsewhere = [n for n, (status, _) in known.items() if n not in rows and status not in SETTLED]
    # A list row shows no requests: read the orders whose request opened or closed. A platform
    # that cannot list them is compared by count, and then every open order is read.
    asking = driver.orders_with_open_requests()
    requests_moved = asking is None and driver.open_request_count() != local_requests
    if open_elsewhere or requests_moved:
        for word in driver.open_statuses:
            for row in driver.list_orders(status=word):
                rows.setdefault(row.number, row)
    to_read = {n for n, row in rows.items() if n not in known or _differs(known[n], row)}
    to_read |= {n for n in open_elsewhere if n not in rows}  # settled on the platform meanwhile
    if asking is not None:
        # A request left open on an order settled since (a seller's cancel) cannot move it again.
        settled = {n for n, (status, _) in known.items() if status in SETTLED}
        to_read |= (asking - settled) ^ {n for n, (status, _) in known.items() if status in REQUESTED}
    if requests_moved:
        to_read |= {n for n, row in rows.items() if row.status in driver.open_statuses}
    result = {"read": len(rows), "new": 0, "updated": 0, "changed_outside": [], "flagged": []}
    # Older orders outside the window first; they do not move the cursor.
    for number in sorted(to_read - window.keys()):
        _store(deps, driver.get_order(number), result)
    # Then the window oldest first: the cursor passes an order only once it is stored.
    passed = None
    for row in sorted(window.values(), key=lambda r: (r.placed_at, r.number)):
        passed = row.placed_at
        if row.number in to_read:
            _store(deps, driver.get_order(row.number), result, through=passed)
    if passed is not None:
        with session_scope(deps.engine) as session:
            _advance(session, market, passed)
    result["since"] = since.isoformat() if since else None
    return result


def _store(deps: ToolDeps, remote: RemoteOrder, result: dict, through: datetime | None = None) -> None:
    """Reconcile one order and, when `through` is given, move the cursor there, in one transaction."""
    with session_scope(deps.engine) as session:
        reconcile(session, deps, remote, result)
        if through is not None:
            _advance(session, marketplace(deps), through)


def _advance(session: Session, market: str, through: datetime) -> None:
    cursor = session.get(OrderSyncCursor, market)
    if cursor is None:
        session.add(OrderSyncCursor(marketplace=market, through=through))
    elif through > cursor.through:
        cursor.through = through
        session.add(cursor)


def reconcile(session: Session, deps: ToolDeps, remote: RemoteOrder, result: dict) -> Order:
    """Make the shop's record of one order match the platform's."""
    market = marketplace(deps)
    order = session.exec(select(Order).where(Order.marketplace == market, Order.remote_id == remote.number)).first()
    is_new = order is None
    if order is None:
        order = _create(session, deps, remote)
        result["new"] += 1
    before = OrderStatus(order.status)
    had_shipment = session.exec(select(Shipment.id).where(Shipment.order_id == order.id)).first() is not None
    held = not is_new and holds_stock(order, had_shipment)
    _payments(session, deps, order, remote)
    _shipments(session, deps, order, remote)
    _returned(session, order, remote)
    order.refunded_cents, order.paid_cents = remote.refunded_cents, remote.paid_cents
    if remote.shop_status != before:
        path = status_path(before, remote.shop_status)
        if path is None:
            order.flag = f"the marketplace says {remote.shop_status}, the shop says {before}: check it by hand"
            result["flagged"].append({"order": remote.number, "flag": order.flag})
        else:
            for step in path:
                order.set_status(step)
            if not is_new:
                result["changed_outside"].append({"order": remote.number, "from": before.value,
                                                  "to": remote.shop_status.value})
    if not is_new:
        result["updated"] += 1
    shipped = bool(remote.shipments)
    if is_new and order.status == OrderStatus.PAID and not reserve(session, order):
        result["flagged"].append({"order": remote.number, "flag": order.flag})
    elif held and shipped and not had_shipment:
        ship_out(session, order, held=True)
    elif held and not holds_stock(order, shipped):
        release(session, order)
    elif not is_new and not held and shipped and not had_shipment:
        ship_out(session, order, held=False)
    session.add(order)
    return order


def _create(session: Session, deps: ToolDeps, remote: RemoteOrder) -> Order:
    market = marketplace(deps)
    buyer_key = remote.buyer_email or remote.buyer_name
    buyer = session.exec(select(Buyer).where(Buyer.marketplace == market, Buyer.remote_id == buyer_key)).first()
    if buyer is None:
        buyer = Buyer(marketplace=market, remote_id=buyer_key, name=remote.buyer_name, email=remote.buyer_email,
                      address=remote.address)
        session.add(buyer)
        session.flush()
    order = Order(marketplace=market, remote_id=remote.number, buyer_id=buyer.id, status=OrderStatus.PAID,
                  currency=deps.settings.currency, total_cents=remote.total_cents, paid_cents=remote.paid_cents,
                  address=remote.address, placed_at=remote.placed_at)
    session.add(order)
    session.flush()
    assert order.id is not None, "the flush gave the order its id"
    for number, line in enumerate(remote.lines, 1):
        variant = session.exec(select(Variant).where(Variant.sku == line.sku)).first()
        session.add(OrderLine(order_id=order.id, variant_id=variant.id if variant else None, sku=line.sku,
                              name=line.title, options={"label": line.options} if line.options else {},
                              quantity=line.quantity, unit_price_cents=line.unit_cents,
                              remote_id=f"{remote.number}/{number}"))
    return order


def _payments(session: Session, deps: ToolDeps, order: Order, remote: RemoteOrder) -> None:
    assert order.id is not None, "payments are recorded on a stored order"
    rows = list(session.exec(select(Payment).where(Payment.order_id == order.id)))
    mine = {p.remote_id: p for p in rows if p.remote_id}
    # From every row: several of the shop's own, not yet claimed, all lack a remote id.
    by_key = {p.idempotency_key: p for p in rows if p.idempotency_key}
    for paid in remote.payments:
        if paid.remote_id in mine:
            continue
        key = paid.note[len(KEY_PREFIX):] if paid.note.startswith(KEY_PREFIX) else None
        if key in by_key:  # the shop's own refund, recorded before its remote id was known
            by_key[key].remote_id = paid.remote_id
            session.add(by_key[key])
            continue
        session.add(Payment(order_id=order.id, kind=paid.kind, amount_cents=paid.amount_cents, method=paid.method,
                            remote_id=paid.remote_id, idempotency_key=key, reason=paid.note[:200]))


def _returned(session: Session, order: Order, remote: RemoteOrder) -> None:
    """Which items came back, as the platform shows them (a buyer's return of chosen items)."""
    back = {line.sku: line.returned for line in remote.lines if line.returned}
    if not back:
        return
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)):
        if back.get(line.sku, 0) > line.returned_quantity:
            line.returned_quantity = back[line.sku]
            session.add(line)


def _shipments(session: Session, deps: ToolDeps, order: Order, remote: RemoteOrder) -> None:
    """Record the platform's shipments with the date the platform shows (the return window's start);
    a platform that shows none leaves the time the shop first saw the parcel."""
    assert order.id is not None, "shipments are recorded on a stored order"
    tracked = {s.tracking_number: s for s in session.exec(select(Shipment).where(Shipment.order_id == order.id))}
    for number, sent in enumerate(remote.shipments, 1):
        when = sent.shipped_at.astimezone(UTC) if sent.shipped_at else None
        known = tracked.get(sent.tracking)
        if known is not None:
            if when is not None and known.shipped_at.replace(tzinfo=known.shipped_at.tzinfo or UTC) != when:
                known.shipped_at = when
                session.add(known)
            continue
        key = idempotency_key(deps, "ship", remote.number) if number == 1 else None
        taken = key and session.exec(select(Shipment.id).where(Shipment.idempotency_key == key)).first()
        shipment = Shipment(order_id=order.id, carrier=sent.carrier, tracking_number=sent.tracking,
                            remote_id=f"{remote.number}/ship/{number}", idempotency_key=None if taken else key)
        if when:
            shipment.shipped_at = when
        session.add(shipment)
