"""Who received whose unmasked phone number or address (DESIGN §8): written when it is handed out.

Every place that hands staff, an admin or a grid worker someone's full phone or address makes one call
here: an order's detail (`order_viewed`, which reads the presented order: whatever rule decided it, what
was handed out is what is logged), a care plan's page (`one_seen`), a Party member's record (`users_seen`) and
the exports (`select_seen`: one INSERT … SELECT of the subjects the export holds, whatever their number).

These are a reading request's own writes, committed apart from its reads (the legitimate commits outside the
request's end, app/database.py)."""
from flask import has_request_context, request
from sqlalchemy import Integer, String, case, cast, func, insert, literal, null, select

from app import clock
from app.areas.models import Area
from app.auth.viewer import ADMIN_ROLES, AREA_ROLES, Viewer, subtree_ids_select
from app.database import commit_apart
from app.errors import NotFound
from app.extensions import db
from app.orders.models import Order
from app.party.service import _members_query
from app.privacy.models import PiiAccess
from app.records.models import ServiceCredit
from app.replica import primary_session
from app.users.models import User
from app.users.service import mask_phone

NO_ORDER = cast(null(), Integer)  # typed: PostgreSQL reads a bare NULL in a SELECT as text
# The rows' INSERT, built once and prepared; nothing is read back (no RETURNING of the new ids, which no one uses).
ROWS = insert(PiiAccess).inline().execution_options(prepare=True)


def _ip() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def _write(statement, params: dict | list | None = None) -> None:
    """The log's one INSERT, committed at once apart from the request's reads (app/database.py commit_apart); on
    the primary also while the request reads on the replica."""
    with primary_session() as session:
        if session is db.session:
            commit_apart(statement, params)
        else:
            session.execute(statement, params)
            session.commit()


def _unmasked(phone: str | None) -> bool:
    """A phone shown whole (masking a masked number changes nothing)."""
    return bool(phone) and mask_phone(phone) != phone


def order_viewed(viewer: Viewer, order: dict) -> None:
    """Log a presented order (GET /orders/{id}) if it handed staff, an admin or a grid worker someone else's
    unmasked phone or address; committed at once (the detail is a read)."""
    if order["requester_id"] == viewer.id or not viewer.has_role(AREA_ROLES):
        return
    behalf = order.get("on_behalf_of")
    if not (_unmasked(order.get("contact_phone")) or (behalf and _unmasked(behalf.get("phone")))):
        return
    one_seen(viewer.id, "order_detail", None if behalf else order["requester_id"], order["area_id"],
             order_id=order["id"])


def one_seen(viewer_id: int, what: str, subject_user_id: int | None, area_id: int,
             order_id: int | None = None) -> None:
    """Log one page that handed the viewer someone's unmasked phone or address; committed at once (the page
    is a read: the log is the request's own write, apart from its reads)."""
    _write(ROWS, {"at": clock.now(), "viewer_id": viewer_id, "subject_user_id": subject_user_id,
                  "order_id": order_id, "area_id": area_id, "what": what, "ip": _ip()})


def users_seen(viewer: Viewer, what: str, subjects: list[tuple[int, int]]) -> None:
    """Log [(user id, home area id)] whose full phones a page showed the viewer; committed."""
    rows = [{"at": clock.now(), "viewer_id": viewer.id, "subject_user_id": user_id, "order_id": None,
             "area_id": area_id, "what": what, "ip": _ip()}
            for user_id, area_id in subjects if user_id != viewer.id]
    if rows:
        _write(ROWS, rows)


def select_seen(viewer: Viewer, what: str, subjects) -> None:
    """Log the subjects of an export in one INSERT … SELECT: `subjects` selects (subject_user_id, order_id,
    area_id) rows; committed before the file is written."""
    subject, order, area = list(subjects.subquery().c)
    rows = select(literal(clock.now(), PiiAccess.at.type), literal(viewer.id, Integer), subject, order, area,
                  literal(what, String), literal(_ip(), String))
    _write(insert(PiiAccess).from_select(["at", "viewer_id", "subject_user_id", "order_id", "area_id", "what", "ip"],
                                         rows))


def entries(viewer: Viewer, area_id: int | None, viewer_id: int | None, limit: int,
            cursor_id: int | None) -> list[PiiAccess]:
    """GET /audit/pii-access: the log of the admin's areas (or one of them), newest first."""
    viewer.require_role(ADMIN_ROLES)
    if area_id is not None:
        area = db.session.get(Area, area_id)
        if area is None or not viewer.covers(area.path, ADMIN_ROLES):
            raise NotFound("找不到该区域")
        areas = subtree_ids_select([area.path])
    else:
        areas = viewer.area_ids_select(ADMIN_ROLES)
    query = select(PiiAccess).where(PiiAccess.area_id.in_(areas)).order_by(PiiAccess.id.desc()).limit(limit + 1)
    if viewer_id is not None:
        query = query.where(PiiAccess.viewer_id == viewer_id)
    if cursor_id:
        query = query.where(PiiAccess.id < cursor_id)
    return list(db.session.scalars(query))


# --- the subjects of each export (the same filters as the export's own query) -------------------

def order_export_subjects(scope, period):
    """(requester or None for an on-behalf order, order id, area id) of GET /stats/export's orders."""
    return (select(case((Order.on_behalf_name.is_(None), Order.requester_id)), Order.id, Order.area_id)
            .join(Area, Area.id == Order.area_id)
            .where(scope.contains(Area.path), Order.created_at >= period.start, Order.created_at < period.end,
                   (Order.contact_phone != "") | (Order.address != "")))


def party_export_subjects(paths: list[str], q: str | None):
    """(member, None, home area) of the Party register's export."""
    return _members_query(paths, q).with_only_columns(User.id, NO_ORDER, User.home_area_id).where(
        User.phone.is_not(None), User.phone != "")


def volunteer_export_subjects(scope, period):
    """(volunteer, None, an area they served in) of the service-hours export."""
    return (select(ServiceCredit.user_id, NO_ORDER, func.min(ServiceCredit.area_id))
            .join(User, User.id == ServiceCredit.user_id)
            .where(ServiceCredit.area_id.in_(scope.area_ids), ServiceCredit.served_at >= period.start,
                   ServiceCredit.served_at < period.end, User.phone.is_not(None), User.phone != "")
            .group_by(ServiceCredit.user_id))
