"""The rights of 个人信息保护法 (DESIGN §8): my data as a file (Art. 45), 注销 (Art. 47), and retention."""
import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from app import clock
from app.auth.viewer import Viewer
from app.calls.models import CallSignup
from app.errors import Conflict
from app.extensions import db
from app.notifications.models import Message, Notification
from app.orders.models import Order, OrderStatus, Rating
from app.points.models import PointsEntry
from app.care.service import forget_resident
from app.records.certificates import forget_names
from app.records.service import service_credits_of
from app.rewards.service import redemptions_of
from app.teams.models import TeamMember
from app.users.models import User

ERASED_NICKNAME = "已注销用户"
# The time an order reached each final state: retention counts from it.
FINAL_AT = {OrderStatus.RATED: Order.rated_at, OrderStatus.CLOSED: Order.closed_at,
            OrderStatus.CANCELLED: Order.cancelled_at}
PROFILE_FIELDS = ("id", "openid", "unionid", "nickname", "avatar_url", "phone", "real_name", "home_area_id",
                  "is_party_member", "work_unit", "created_at")


def _plain(value):
    """JSON types: datetimes as ISO 8601, containers walked."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _columns(obj) -> dict:
    """Every column of a row, as stored."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def _all(model, *conditions) -> list[dict]:
    return [_columns(obj) for obj in db.session.scalars(select(model).where(*conditions).order_by(model.id))]


def own_orders(user_id: int) -> list:
    """The orders a person placed for themselves. One filed for a resident (on_behalf_of) holds that resident's
    contact details, not the filer's: neither their export nor their 注销 touches it."""
    return [Order.requester_id == user_id, Order.on_behalf_name.is_(None)]


def export_data(viewer: Viewer) -> dict:
    """GET /me/export: everything held about the caller, unmasked (their own data)."""
    user = viewer.user
    profile = {name: getattr(user, name) for name in PROFILE_FIELDS}
    profile["roles"] = [{"role": g.role, "area_id": g.area_id, "since": g.created_at} for g in viewer.grants]
    profile["teams"] = [{"team_id": team_id, "role": role} for team_id, role in sorted(viewer.team_roles.items())]
    return _plain({
        "profile": profile,
        "orders": _all(Order, *own_orders(user.id)),
        "ratings": _all(Rating, Rating.order_id.in_(select(Order.id).where(*own_orders(user.id)))),
        "points": _all(PointsEntry, PointsEntry.user_id == user.id),
        "messages": _all(Message, Message.user_id == user.id),
        "signups": _all(CallSignup, CallSignup.user_id == user.id),
        "redemptions": redemptions_of(user.id),
        "service_credits": service_credits_of(user.id),
        "exported_at": clock.now(),
    })


def erase_account(viewer: Viewer) -> None:
    """DELETE /me (注销): erase the person, keep what they did anonymised (orders, events, ratings, points,
    service records); 409 while they hold a role or lead a team (someone must take those over first)."""
    if viewer.grants:
        raise Conflict("您还担任社区工作人员、网格员或管理员，请先请管理员撤销角色后再注销")
    if "leader" in viewer.team_roles.values():
        raise Conflict("您还是服务队队长，请先移交队长后再注销")
    user = viewer.user
    # A new openid nobody can log in with: the same WeChat account later gets a new, empty account.
    user.openid = f"erased:{user.id}:{secrets.token_hex(8)}"
    user.unionid = None
    user.nickname, user.real_name, user.avatar_url, user.work_unit = ERASED_NICKNAME, "", "", ""
    user.phone, user.home_area_id, user.is_party_member = None, None, False
    user.token_version += 1  # every token issued before is refused (401)
    db.session.execute(update(Order).where(*own_orders(user.id))
                       .values(contact_name="", contact_phone="", address="")
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(TeamMember).where(TeamMember.user_id == user.id))
    # What was (or was still to be) told to them: nobody can read it any more.
    db.session.execute(delete(Message).where(Message.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    forget_names(user.id)
    forget_resident(user.id)  # their care plans end, their name, phone and address blanked (app/care)
    db.session.flush()  # the request commits at its end (app/database.py)


def _expired(cutoff: datetime):
    """Orders final since before the cut-off whose contact fields are not blank yet."""
    final_before = or_(*(and_(Order.status == str(status), at < cutoff) for status, at in FINAL_AT.items()))
    not_blank = or_(Order.contact_name != "", Order.contact_phone != "", Order.address != "",
                    and_(Order.on_behalf_phone.is_not(None), Order.on_behalf_phone != ""),
                    and_(Order.on_behalf_name.is_not(None), Order.on_behalf_name != ""))
    return and_(final_before, not_blank)


def blank_expired_contacts(batch: int = 500) -> int:
    """Blank the contact name, phone and address (and an on-behalf resident's) of orders final for more than
    PII_RETENTION_DAYS (0: never); a batch a transaction, walking by id. Returns how many orders."""
    days = int(current_app.config["PII_RETENTION_DAYS"])
    if days <= 0:
        return 0
    condition = _expired(clock.now() - timedelta(days=days))
    blanked, after = 0, 0
    while True:
        ids = list(db.session.scalars(select(Order.id).where(Order.id > after, condition)
                                      .order_by(Order.id).limit(batch)))
        if ids:
            blanked += db.session.execute(
                update(Order).where(Order.id.in_(ids))
                .values(contact_name="", contact_phone="", address="", on_behalf_name="", on_behalf_phone="")
                .execution_options(synchronize_session=False)).rowcount
        db.session.commit()  # the worker's (or `flask blank-expired-contacts`') own: one transaction a batch
        if len(ids) < batch:
            return blanked
        after = ids[-1]
