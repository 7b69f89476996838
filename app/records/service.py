"""Service records (志愿服务记录, as the 志愿服务条例 requires): minutes credited to everyone who served.

Credits are written inside the transaction of the change that earns them (the signals are sent
before commit), one INSERT each, and the ledger is append-only, like the points ledger:
- complete: the assignee and the helpers named (members of the order's team), each `service_minutes`,
  by default the time from start (or else from accept) to completion, kept within 1–720;
- reopen: entries reversing what each still holds from the order (as points are reversed);
- a confirmed call sign-up: the minutes staff give, or else the call's `duration_minutes`;
- nothing for a requester serving their own order.
A record is always a sum: per service, the minutes that still stand, in SQL.
"""
from datetime import datetime

from sqlalchemy import Integer, and_, case, cast, func, insert, literal, null, or_, select, union_all

from app import clock
from app.areas.models import Area
from app.auth.viewer import STAFF_ROLES, Viewer
from app.calls.models import Call, CallSignup
from app.calls.signals import call_changed
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.orders.models import Order, OrderEvent, Rating
from app.orders.signals import order_changed
from app.records.models import ServiceCredit
from app.records.schemas import MAX_MINUTES, MIN_MINUTES
from app.schema import encode_cursor
from app.stats.service import TZ, parse_moment
from app.teams.models import Team, TeamMember
from app.types import UTCDateTime
from app.users.models import User

CREDIT_COLUMNS = ["user_id", "area_id", "kind", "order_id", "call_id", "minutes", "reason", "title", "served_at",
                  "created_at"]
NOT_A_MEMBER = "只能填写本服务队的队员"


# --- crediting ----------------------------------------------------------------------------------

def default_minutes(order: Order) -> int:
    """From start (or else from accept) to completion, within 1–720."""
    begun = order.started_at or order.accepted_at
    if begun is None or order.completed_at is None:
        return MIN_MINUTES
    minutes = round((order.completed_at - begun).total_seconds() / 60)
    return min(max(minutes, MIN_MINUTES), MAX_MINUTES)


def _credit_order(order: Order, event: OrderEvent) -> None:
    """Credit the assignee and the helpers, in one INSERT … SELECT that takes only the assignee and members of
    the order's team: fewer rows than asked for means a helper who is not one (422, nothing is kept)."""
    minutes = event.data.get("service_minutes") or default_minutes(order)
    helpers = set(event.data.get("helpers") or []) - {order.assignee_id}
    if order.requester_id in helpers:
        raise ValidationFailed({"helpers": ["下单人不能记为服务人员"]})
    # A volunteer serving their own order earns nothing for it (as with points).
    ids = sorted(({order.assignee_id} - {order.requester_id}) | helpers)
    if not ids:
        return
    members = select(TeamMember.user_id).where(TeamMember.team_id == order.team_id)
    chosen = select(User.id, literal(order.area_id), literal("order"), literal(order.id), cast(null(), Integer),
                    literal(minutes), literal("order_completed"), literal(order.title[:64]),
                    literal(order.completed_at or event.created_at, UTCDateTime),
                    literal(event.created_at, UTCDateTime)) \
        .where(User.id.in_(ids), or_(User.id == order.assignee_id, User.id.in_(members)))
    # preserve_rowcount: SQLAlchemy keeps an INSERT's row count only when asked (psycopg gives -1 otherwise).
    credited = db.session.execute(insert(ServiceCredit).from_select(CREDIT_COLUMNS, chosen)
                                  .execution_options(preserve_rowcount=True)).rowcount
    if credited != len(ids):
        raise ValidationFailed({"helpers": [NOT_A_MEMBER]})


def _reverse_order(order: Order, event: OrderEvent) -> None:
    """Take back what each still holds from this order, each reversal dated as the service it reverses."""
    held = func.sum(ServiceCredit.minutes)
    reversing = (select(ServiceCredit.user_id, ServiceCredit.area_id, literal("order"), ServiceCredit.order_id,
                        cast(null(), Integer), -held, literal("order_reopened"), func.max(ServiceCredit.title),
                        ServiceCredit.served_at, literal(event.created_at, UTCDateTime))
                 .where(ServiceCredit.order_id == order.id)
                 .group_by(ServiceCredit.user_id, ServiceCredit.area_id, ServiceCredit.order_id,
                           ServiceCredit.served_at)
                 .having(held != 0))
    db.session.execute(insert(ServiceCredit).from_select(CREDIT_COLUMNS, reversing))


@order_changed.connect
def on_order_changed(order: Order, event: OrderEvent, **_) -> None:
    """Credit or reverse service minutes in the transaction of the order change."""
    if event.action == "complete":
        _credit_order(order, event)
    elif event.action == "reopen":
        _reverse_order(order, event)


def credit_call(call: Call, user_id: int, minutes: int | None, at: datetime | None = None) -> None:
    """Credit one volunteer who came to a call (the minutes given, or the call's duration)."""
    db.session.execute(insert(ServiceCredit), [{
        "user_id": user_id, "area_id": call.area_id, "kind": "call", "order_id": None, "call_id": call.id,
        "minutes": minutes or call.duration_minutes, "reason": "call_confirmed", "title": call.title[:64],
        "served_at": call.starts_at, "created_at": at or clock.now()}])


@call_changed.connect
def on_call_changed(call: Call, action: str, signup: CallSignup | None = None, minutes: int | None = None,
                    **_) -> None:
    """A confirmed sign-up earns service minutes, in the transaction of the confirmation."""
    if action == "confirm" and signup is not None:
        credit_call(call, signup.user_id, minutes)


# --- periods ------------------------------------------------------------------------------------

def parse_bounds(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """A record's period: either bound may be open; `to` is exclusive."""
    lower = parse_moment(start, "from") if start else None
    upper = parse_moment(end, "to") if end else None
    if lower is not None and upper is not None and lower >= upper:
        raise ValidationFailed({"to": ["结束时间应晚于开始时间"]})
    return lower, upper


def local_date(moment: datetime) -> str:
    return moment.astimezone(TZ).date().isoformat()


# --- reading a record ---------------------------------------------------------------------------

def services_of(*conditions, per_user: bool = False):
    """Subquery: one row per service (order or call; per volunteer too with `per_user`) in the credits matching
    the conditions, with the minutes that still stand (reversed services drop out), when it was given and its
    title."""
    net = func.sum(ServiceCredit.minutes)
    keys = [ServiceCredit.kind, ServiceCredit.order_id, ServiceCredit.call_id]
    if per_user:
        keys.insert(0, ServiceCredit.user_id)
    return (select(*keys, net.label("minutes"), func.max(ServiceCredit.served_at).label("served_at"),
                   func.max(ServiceCredit.title).label("title"))
            .where(*conditions)
            .group_by(*keys)
            .having(net > 0)
            .subquery("services"))


def user_period(user_id: int, lower: datetime | None, upper: datetime | None) -> list:
    conditions = [ServiceCredit.user_id == user_id]
    if lower is not None:
        conditions.append(ServiceCredit.served_at >= lower)
    if upper is not None:
        conditions.append(ServiceCredit.served_at < upper)
    return conditions


def _stars():
    """The requester's stars of an order service (none once the order was reopened and not yet rated again)."""
    return case((Order.rated_at.is_not(None), Rating.stars), else_=None)


def _with_ratings(query, services):
    return (query.outerjoin(Order, Order.id == services.c.order_id)
            .outerjoin(Rating, Rating.order_id == services.c.order_id))


def record_totals(user_id: int, lower: datetime | None, upper: datetime | None) -> dict:
    """Minutes, services, calls and average stars of a user's record for a period; one statement."""
    services = services_of(*user_period(user_id, lower, upper))
    stars = _stars()
    query = _with_ratings(select(
        func.count(case((services.c.kind == "order", 1))), func.count(case((services.c.kind == "call", 1))),
        func.coalesce(func.sum(services.c.minutes), 0), func.avg(stars),
        func.min(services.c.served_at)).select_from(services), services)
    orders, calls, minutes, avg_stars, first = db.session.execute(query).one()
    return {"services": int(orders or 0), "calls": int(calls or 0), "total_minutes": int(minutes or 0),
            "total_hours": round(int(minutes or 0) / 60, 2),
            "avg_stars": round(float(avg_stars), 2) if avg_stars is not None else None, "first": first}


def record_items(user_id: int, lower: datetime | None, upper: datetime | None, limit: int | None,
                 cursor: dict | None = None) -> list[dict]:
    """The services of a user's record, newest first; `limit` + 1 rows from the cursor on (all when None)."""
    services = services_of(*user_period(user_id, lower, upper))
    ref = func.coalesce(services.c.order_id, services.c.call_id)
    query = _with_ratings(select(services.c.kind, ref.label("ref"), services.c.title, services.c.served_at,
                                 services.c.minutes, _stars().label("stars")).select_from(services),
                          services)
    if cursor is not None:
        at = _cursor_moment(cursor)
        kind = str(cursor.get("k", ""))
        query = query.where(or_(services.c.served_at < at,
                                and_(services.c.served_at == at, services.c.kind > kind),
                                and_(services.c.served_at == at, services.c.kind == kind, ref < cursor["id"])))
    query = query.order_by(services.c.served_at.desc(), services.c.kind, ref.desc())
    if limit is not None:
        query = query.limit(limit + 1)
    return [{"kind": kind, "id": ref_id, "title": title, "date": local_date(served_at), "served_at": served_at,
             "minutes": int(minutes), "stars": stars}
            for kind, ref_id, title, served_at, minutes, stars in db.session.execute(query)]


def _cursor_moment(cursor: dict) -> datetime:
    try:
        moment = datetime.fromisoformat(cursor["at"])
        if moment.tzinfo is None:
            raise ValueError
        return moment
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed({"cursor": ["分页游标无效"]}) from None


def item_cursor(item: dict) -> str:
    return encode_cursor({"id": item["id"], "k": item["kind"], "at": item["served_at"].isoformat()})


def service_record(user: User, start: str | None, end: str | None, limit: int, cursor: dict | None) -> dict:
    """GET …/service-record: the totals of the period and one page of its services; two statements."""
    lower, upper = parse_bounds(start, end)
    totals = record_totals(user.id, lower, upper)
    rows = record_items(user.id, lower, upper, limit, cursor)
    items = rows[:limit]
    totals.pop("first")
    return {"user_id": user.id, "name": user.display_name, "from": lower, "to": upper, **totals, "items": items,
            "next_cursor": item_cursor(items[-1]) if len(rows) > limit and items else None}


# --- who may read whose record ------------------------------------------------------------------

def record_subject(viewer: Viewer, user_id: int, leaders: bool = True) -> User:
    """The user whose record the viewer asks for: themself, someone of an area they are staff of (home
    community, or a team's area) or, with `leaders`, a member of a team they lead; anyone else is 404."""
    if user_id == viewer.id:
        return viewer.user
    home = (select(Area.path, cast(null(), Integer).label("team_id")).join(User, User.home_area_id == Area.id)
            .where(User.id == user_id))
    teams = (select(Area.path, TeamMember.team_id).join(Team, Team.id == TeamMember.team_id)
             .join(Area, Area.id == Team.area_id).where(TeamMember.user_id == user_id))
    allowed = False
    for path, team_id in db.session.execute(union_all(home, teams)):
        if viewer.covers(path, STAFF_ROLES) or (
                leaders and team_id is not None and viewer.team_roles.get(team_id) == "leader"):
            allowed = True
            break
    user = db.session.get(User, user_id) if allowed else None
    if user is None:
        raise NotFound("找不到该用户的服务记录")
    return user


# --- for GET /me/export (engineer "pii") and the demo --------------------------------------------

def service_credits_of(user_id: int) -> list[dict]:
    """Every service credit of a user, oldest first (for the export of what is held about them)."""
    rows = db.session.scalars(select(ServiceCredit).where(ServiceCredit.user_id == user_id)
                              .order_by(ServiceCredit.id))
    return [{"id": c.id, "kind": c.kind, "order_id": c.order_id, "call_id": c.call_id, "minutes": c.minutes,
             "reason": c.reason, "title": c.title, "served_at": c.served_at, "created_at": c.created_at}
            for c in rows]


def hours(minutes: int) -> float:
    return round(minutes / 60, 2)

