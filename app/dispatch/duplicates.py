"""Likely duplicates (DESIGN §8): the same requester's open orders of the same category, placed within
WINDOW of each other (for an order filed on behalf of a resident, of the same resident's phone).

`possible_duplicates` answers POST /orders (and the order form's check before sending); `duplicates_among`
marks the dispatch queue. Both read the candidates in one statement and pair them with `same_need`.
"""
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import and_, select, tuple_

from app import clock
from app.extensions import db
from app.orders.models import OPEN_STATUSES, Order

WINDOW = timedelta(days=3)
OPEN = [str(status) for status in OPEN_STATUSES]
COLUMNS = (Order.id, Order.requester_id, Order.category_id, Order.on_behalf_phone, Order.created_at, Order.status,
           Order.title)


def same_need(a, b) -> bool:
    """Whether two orders (rows or Orders) look like the same need placed twice."""
    return (a.id != b.id and a.requester_id == b.requester_id and a.category_id == b.category_id
            and (a.on_behalf_phone or None) == (b.on_behalf_phone or None)
            and abs(a.created_at - b.created_at) <= WINDOW)


def _candidates(keys: set[tuple[int, int]], since, until, scope=None, params=None) -> list:
    """Open orders of these (requester, category) pairs created in [since, until] (and in `scope`, a condition
    with its bound `params`: app/orders/scope.py `condition`)."""
    if len(keys) == 1:
        (requester_id, category_id), = keys
        pairs = and_(Order.requester_id == requester_id, Order.category_id == category_id)
    else:
        pairs = tuple_(Order.requester_id, Order.category_id).in_(sorted(keys))
    query = select(*COLUMNS).where(pairs, Order.status.in_(OPEN), Order.created_at >= since,
                                   Order.created_at <= until).order_by(Order.id)
    if scope is not None:
        query = query.where(scope)
    return db.session.execute(query, params or {}).all()


def possible_duplicates(requester_id: int, category_id: int, on_behalf_phone: str | None = None,
                        exclude_id: int | None = None) -> list:
    """The open orders (rows: id, title, status, created_at …) a new order placed now would duplicate, oldest first."""
    now = clock.now()
    new = SimpleNamespace(id=exclude_id, requester_id=requester_id, category_id=category_id,
                          on_behalf_phone=on_behalf_phone, created_at=now)
    return [row for row in _candidates({(requester_id, category_id)}, now - WINDOW, now) if same_need(new, row)]


def duplicates_among(orders: list, scope=None, params=None) -> dict[int, list[int]]:
    """{order id: ids of the open orders (in `scope`) it likely duplicates} for these orders (rows or Orders)."""
    if not orders:
        return {}
    rows = _candidates({(o.requester_id, o.category_id) for o in orders},
                       min(o.created_at for o in orders) - WINDOW, max(o.created_at for o in orders) + WINDOW, scope, params)
    return {o.id: [r.id for r in rows if same_need(o, r)] for o in orders}
