"""双报到: in-service Party members registered at their home community, their work units, what they did.

A Party member is registered at a community when their profile says `is_party_member` and names a
`home_area_id` there (PATCH /me); `work_unit` is their unit (驻区单位). Their services are orders
completed as assignee; their call participation is call sign-ups confirmed by staff.
"""
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, distinct, func, or_, select, true

from app.areas.models import Area, ids_along
from app.auth.viewer import STAFF_ROLES, Viewer, subtree_ids_select
from app.calls.models import KIND_LABELS, SIGNUP_LABELS, Call, CallSignup
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.orders.models import DONE_STATUSES, STATUS_LABELS, Order
from app.users.models import User

NO_UNIT = ""
RECENT = 20  # services and call sign-ups shown on a member's page


# --- scope --------------------------------------------------------------------------------------

def scope_paths(viewer: Viewer, area_id: int | None) -> list[str]:
    """The subtrees asked for: one area (404 outside the viewer's scope), or all of the viewer's."""
    if not viewer.has_role(STAFF_ROLES):
        raise Forbidden("只有社区工作人员和管理员可以查看党员报到信息")
    if area_id is None:
        return sorted(set(viewer.paths(STAFF_ROLES)))
    area = db.session.get(Area, area_id)
    if area is None or not viewer.covers(area.path, STAFF_ROLES):
        raise NotFound("找不到该区域")
    return [area.path]


def _paths_of(area_paths_or_area) -> list[str]:
    """Area, a path, a list of paths or anything with `.paths` (the stats Scope) → a list of paths."""
    if isinstance(area_paths_or_area, Area):
        return [area_paths_or_area.path]
    if isinstance(area_paths_or_area, str):
        return [area_paths_or_area]
    if hasattr(area_paths_or_area, "paths"):
        return list(area_paths_or_area.paths)
    return list(area_paths_or_area)


def registered(paths: list[str]):
    """The condition for Party members registered (双报到) in these subtrees."""
    return and_(User.is_party_member == true(), User.home_area_id.in_(subtree_ids_select(paths)))


def _in_period(column, start: datetime | None, end: datetime | None) -> list:
    return [c for c in ((column >= start) if start else None, (column < end) if end else None) if c is not None]


def _services_of(user_id_column, start=None, end=None):
    """Correlated count of the orders a user completed as assignee (in the period)."""
    return (select(func.count()).where(Order.assignee_id == user_id_column, Order.status.in_(DONE_STATUSES),
                                       *_in_period(Order.completed_at, start, end))
            .correlate_except(Order).scalar_subquery())


def _checkins_of(user_id_column, start=None, end=None):
    """Correlated count of a user's call sign-ups confirmed by staff (in the period)."""
    return (select(func.count()).where(CallSignup.user_id == user_id_column, CallSignup.status == "confirmed",
                                       *_in_period(CallSignup.confirmed_at, start, end))
            .correlate_except(CallSignup).scalar_subquery())


# --- the register -------------------------------------------------------------------------------

def _members_query(paths: list[str], q: str | None):
    """Members with their community's name and their counts, in one statement."""
    query = (select(User, Area.name.label("home_area_name"), _services_of(User.id).label("services"),
                    _checkins_of(User.id).label("call_checkins"))
             .join(Area, Area.id == User.home_area_id).where(registered(paths)))
    if q:
        query = query.where(or_(User.real_name.contains(q, autoescape=True), User.nickname.contains(q, autoescape=True),
                                User.work_unit.contains(q, autoescape=True)))
    return query


def list_members(paths: list[str], q: str | None, limit: int, cursor_id: int | None) -> list:
    """One page of registered Party members, newest first: rows of (user, area name, services, checkins)."""
    query = _members_query(paths, q).order_by(User.id.desc()).limit(limit + 1)
    if cursor_id:
        query = query.where(User.id < cursor_id)
    return list(db.session.execute(query))


def all_members(paths: list[str], q: str | None = None) -> Iterable:
    """Every registered Party member in the scope (for export), streamed in batches, ordered by community."""
    query = _members_query(paths, q).order_by(Area.path, User.id).execution_options(yield_per=500)
    return db.session.execute(query)


def present_member(row) -> dict:
    user, area_name, services, checkins = row
    return {"id": user.id, "name": user.display_name, "real_name": user.real_name, "nickname": user.nickname,
            "phone": user.phone, "home_area_id": user.home_area_id, "home_area_name": area_name,
            "work_unit": user.work_unit, "services": int(services or 0), "call_checkins": int(checkins or 0)}


def member_detail(paths: list[str], user_id: int) -> dict:
    """A registered member with what they did: their latest services (orders of these areas completed as
    assignee) and their latest call and activity sign-ups (of calls these staff may open: in their areas or
    above them); 404 for anyone not registered here."""
    row = db.session.execute(_members_query(paths, None).where(User.id == user_id)).first()
    if row is None:
        raise NotFound("找不到该报到党员")
    services = db.session.execute(
        select(Order.id, Order.title, Order.status, Order.completed_at, Area.name.label("area_name"))
        .join(Area, Area.id == Order.area_id)
        .where(Order.assignee_id == user_id, Order.status.in_(DONE_STATUSES),
               Order.area_id.in_(subtree_ids_select(paths)))
        .order_by(Order.completed_at.desc()).limit(RECENT))
    signups = db.session.execute(
        select(Call.id, Call.kind, Call.title, Call.starts_at, Call.place, CallSignup.status, CallSignup.confirmed_at)
        .join(Call, Call.id == CallSignup.call_id)
        .where(CallSignup.user_id == user_id, CallSignup.status != "withdrawn",
               or_(Call.area_id.in_(subtree_ids_select(paths)), Call.area_id.in_(ids_along(paths))))
        .order_by(CallSignup.id.desc()).limit(RECENT))
    return {
        **present_member(row),
        "recent_services": [{"order_id": s.id, "title": s.title, "status": s.status,
                             "status_label": STATUS_LABELS[s.status], "completed_at": s.completed_at,
                             "area_name": s.area_name} for s in services],
        "recent_calls": [{"call_id": c.id, "kind": c.kind, "kind_label": KIND_LABELS[c.kind], "title": c.title,
                          "starts_at": c.starts_at, "place": c.place, "status": c.status,
                          "status_label": SIGNUP_LABELS[c.status], "confirmed_at": c.confirmed_at}
                         for c in signups],
    }


def list_units(paths: list[str], limit: int, after: str | None) -> list[dict]:
    """Work units (驻区单位) of the registered members, by name, aggregated in SQL."""
    members = (select(User.id.label("user_id"), User.work_unit.label("work_unit"),
                      _services_of(User.id).label("services"), _checkins_of(User.id).label("call_checkins"))
               .where(registered(paths), User.work_unit != NO_UNIT).subquery())
    query = (select(members.c.work_unit, func.count().label("members"),
                    func.coalesce(func.sum(members.c.services), 0).label("services"),
                    func.coalesce(func.sum(members.c.call_checkins), 0).label("call_checkins"))
             .group_by(members.c.work_unit).order_by(members.c.work_unit).limit(limit + 1))
    if after is not None:
        query = query.where(members.c.work_unit > after)
    return [{"work_unit": row.work_unit, "members": int(row.members), "services": int(row.services),
             "call_checkins": int(row.call_checkins)} for row in db.session.execute(query)]


# --- figures ------------------------------------------------------------------------------------

def _services_in(members, start: datetime | None, end: datetime | None, rolled_up: bool = True):
    """How many orders the members completed in [start, end): from the figures' rollups of completed orders
    per assignee and day when the period is bounded (app/stats/rollups.py), else from the orders."""
    if rolled_up and start is not None and end is not None:
        from app.stats.rollups import services_done

        return services_done(members, start, end)
    return (select(func.count()).select_from(Order).where(
        Order.assignee_id.in_(members), Order.status.in_(DONE_STATUSES),
        *_in_period(Order.completed_at, start, end)).scalar_subquery())


def party_figures(area_paths_or_area, start: datetime | None, end: datetime | None,
                  rolled_up: bool = True) -> dict:
    """双报到 figures for area subtrees, in one statement.

    party_members / party_units: Party members registered there now and their distinct work units
    (registration carries no date, so these are as of now); party_services: orders those members
    completed as assignee in [start, end); party_call_checkins: their call sign-ups confirmed in [start, end).
    A bound of None leaves that side open.
    """
    paths = _paths_of(area_paths_or_area)
    members = select(User.id).where(registered(paths))
    figures = select(
        select(func.count()).select_from(User).where(registered(paths)).scalar_subquery().label("party_members"),
        select(func.count(distinct(User.work_unit))).where(registered(paths), User.work_unit != NO_UNIT)
        .scalar_subquery().label("party_units"),
        _services_in(members, start, end, rolled_up).label("party_services"),
        select(func.count()).select_from(CallSignup).where(
            CallSignup.user_id.in_(members), CallSignup.status == "confirmed",
            *_in_period(CallSignup.confirmed_at, start, end)).scalar_subquery().label("party_call_checkins"),
    )
    row = db.session.execute(figures).one()
    return {name: int(getattr(row, name) or 0)
            for name in ("party_members", "party_units", "party_services", "party_call_checkins")}
