"""Likely duplicates (DESIGN §8): the same requester's open orders of the same category, placed within
WINDOW of each other (for an order filed on behalf of a resident, of the same resident's phone). A new order
names at most SHOWN of them, the latest.

POST /orders answers with the new order's (app/orders/service.py, read with its area before it is written) and
`possible_duplicates` is the order form's check before sending: both read `new_order_duplicates`, `same_need` of an
order placed now written as SQL. `duplicates_among` marks the dispatch queue: it reads the candidates of many orders
in one statement and pairs them with `same_need`.
"""
from datetime import timedelta

from sqlalchemy import String, and_, bindparam, cast, func, select, tuple_

from app import clock
from app.extensions import db
from app.orders.models import OPEN, Order

WINDOW = timedelta(days=3)
# A new order names this many of its likely duplicates at most, the latest: someone with more open orders of one
# kind in three days needs a call from staff, not a longer list (and reading them stays one short index scan).
SHOWN = 10
LAST_ID = 2 ** 31 - 1  # the largest id an order can have (an INTEGER key): earlier_ids' :dup_last before a create
COLUMNS = (Order.id, Order.requester_id, Order.category_id, Order.on_behalf_phone, Order.created_at, Order.status,
           Order.title)


def same_need(a, b) -> bool:
    """Whether two orders (rows or Orders) look like the same need placed twice."""
    return (a.id != b.id and a.requester_id == b.requester_id and a.category_id == b.category_id
            and (a.on_behalf_phone or None) == (b.on_behalf_phone or None)
            and abs(a.created_at - b.created_at) <= WINDOW)


def candidates(pairs, since, until):
    """The orders `same_need` picks from, as a condition: open, of the (requester, category) pairs `pairs` (a
    condition), created in [since, until] (values or bind parameters)."""
    return and_(pairs, Order.status.in_(OPEN), Order.created_at >= since, Order.created_at <= until)


def new_order_duplicates(category_id):
    """`same_need` for an order placed now in the category `category_id` (a bound parameter, or a subquery of the
    statement that reads it), as one condition; the other values bound (`new_order_params`). A resident filed for is
    compared here too, so that the SHOWN latest are the right ones."""
    return and_(
        candidates(and_(Order.requester_id == bindparam("dup_requester_id"), Order.category_id == category_id),
                   bindparam("dup_since"), bindparam("dup_until")),
        func.coalesce(Order.on_behalf_phone, "") == bindparam("dup_phone"))


def earlier_ids(category_id):
    """The ids of the SHOWN latest likely duplicates of an order placed now in the category `category_id`, up to
    :dup_last (the id before its own; for an order about to be written, LAST_ID), as one column `duplicate_ids`
    (joined by commas: `ids_of`), to read with the new order's area (app/orders/service.py)."""
    earlier = (select(Order.id).where(new_order_duplicates(category_id), Order.id <= bindparam("dup_last"))
               .order_by(Order.id.desc()).limit(SHOWN).subquery())
    return select(func.aggregate_strings(cast(earlier.c.id, String), ",")).scalar_subquery().label("duplicate_ids")


def ids_of(listed: str | None) -> list[int]:
    """`earlier_ids`' `duplicate_ids` (ids joined by commas, in no order; NULL for none), oldest first."""
    return sorted(int(part) for part in listed.split(",")) if listed else []


def new_order_params(requester_id: int, on_behalf_phone: str | None = None, last: int = LAST_ID) -> dict:
    """The values of `new_order_duplicates` for an order placed now: its requester's open orders (for the same
    resident filed for) from WINDOW before; `earlier_ids`' :dup_last."""
    now = clock.now()
    return {"dup_requester_id": requester_id, "dup_phone": on_behalf_phone or "", "dup_since": now - WINDOW,
            "dup_until": now, "dup_last": last}


def _candidates(keys: set[tuple[int, int]], since, until, scope=None, params=None) -> list:
    """Open orders of these (requester, category) pairs created in [since, until] (and in `scope`, a condition
    with its bound `params`: app/orders/scope.py `condition`)."""
    if len(keys) == 1:
        (requester_id, category_id), = keys
        pairs = and_(Order.requester_id == requester_id, Order.category_id == category_id)
    else:
        pairs = tuple_(Order.requester_id, Order.category_id).in_(sorted(keys))
    query = select(*COLUMNS).where(candidates(pairs, since, until)).order_by(Order.id)
    if scope is not None:
        query = query.where(scope)
    return db.session.execute(query, params or {}).all()


def possible_duplicates(requester_id: int, category_id: int, on_behalf_phone: str | None = None) -> list:
    """The open orders (rows: id, title, status, created_at …) a new order placed now would duplicate, the SHOWN
    latest, oldest first."""
    rows = db.session.execute(select(*COLUMNS).where(new_order_duplicates(bindparam("dup_category_id")))
                              .order_by(Order.id.desc()).limit(SHOWN),
                              {**new_order_params(requester_id, on_behalf_phone), "dup_category_id": category_id}).all()
    return rows[::-1]


def duplicates_among(orders: list, scope=None, params=None) -> dict[int, list[int]]:
    """{order id: ids of the open orders (in `scope`) it likely duplicates} for these orders (rows or Orders)."""
    if not orders:
        return {}
    rows = _candidates({(o.requester_id, o.category_id) for o in orders},
                       min(o.created_at for o in orders) - WINDOW, max(o.created_at for o in orders) + WINDOW, scope, params)
    return {o.id: [r.id for r in rows if same_need(o, r)] for o in orders}
