"""Rules for users: login, profile, phone binding and role grants.

The operations flush; the request commits at its end (app/database.py, `end_request_transaction`), the CLI
(`flask grant-role`) after its call."""
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.areas.models import Area
from app.areas.service import require_area
from app.auth.viewer import ADMIN_ROLES, STAFF_ROLES, Viewer
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.points.models import PointsEntry
from app.teams.models import Team, TeamMember
from app.users.models import ROLES, RoleGrant, User
from app.wechat import InvalidCode, gateway


def user_by_openid(openid: str, create: bool = True) -> User | None:
    """The user with this openid, created at first sight (safe against concurrent first logins)."""
    user = db.session.scalars(select(User).where(User.openid == openid)).first()
    if user is not None or not create:
        return user
    try:
        with db.session.begin_nested():
            user = User(openid=openid, nickname="微信用户")
            db.session.add(user)
    except IntegrityError:
        user = db.session.scalars(select(User).where(User.openid == openid)).one()
    return user


def login_with_code(code: str) -> User:
    """Exchange a wx.login code for our user; WeChat's session_key is used for nothing and kept nowhere."""
    session = gateway().code2session(code)
    user = user_by_openid(session.openid)
    if session.unionid and user.unionid != session.unionid:
        user.unionid = session.unionid
    db.session.flush()
    return user


def revoke_tokens(user: User) -> None:
    user.token_version += 1
    db.session.flush()


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def profile(viewer: Viewer) -> dict:
    """The viewer's own profile as GET /me shows it."""
    user = viewer.user
    points = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.user_id == user.id))
    return {
        "id": user.id,
        "nickname": user.nickname,
        "avatar_url": user.avatar_url,
        "phone": mask_phone(user.phone),
        "real_name": user.real_name,
        "home_area_id": user.home_area_id,
        "is_party_member": user.is_party_member,
        "work_unit": user.work_unit,
        "roles": [{"role": g.role, "area_id": g.area_id, "area_name": g.area.name} for g in viewer.grants],
        "teams": [{"team_id": team_id, "role": role} for team_id, role in sorted(viewer.team_roles.items())],
        "points": int(points or 0),
    }


def update_profile(viewer: Viewer, changes: dict) -> None:
    if "home_area_id" in changes and changes["home_area_id"] is not None:
        area = require_area(changes["home_area_id"], "home_area_id")
        if area.kind not in ("community", "grid"):
            raise ValidationFailed({"home_area_id": ["请选择社区或网格"]})
    for name, value in changes.items():
        setattr(viewer.user, name, value)
    db.session.flush()


def bind_phone(viewer: Viewer, code: str) -> None:
    """A getPhoneNumber code WeChat rejects (unknown, spent, expired) is a bad `code` (422), never a 401:
    401 means the session, and a client that logs in again on 401 would only send the spent code again."""
    try:
        phone = gateway().phone_number(code)
    except InvalidCode:
        raise ValidationFailed({"code": ["手机号授权已失效，请重新点击授权"]}) from None
    viewer.user.phone = phone
    db.session.flush()


def grant_role(viewer: Viewer | None, user_id: int, role: str, area_id: int) -> RoleGrant:
    """Grant a role on an area: admins anything in their subtree; staff grid_worker in theirs."""
    area = require_area(area_id)
    if viewer is not None:
        _check_may_grant(viewer, role, area)
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed({"user_id": ["用户不存在"]})
    existing = db.session.scalars(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.area_id == area.id)).first()
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():  # the same grant made concurrently: only this INSERT is undone
            grant = RoleGrant(user_id=user.id, role=role, area_id=area.id,
                              granted_by_id=viewer.id if viewer else None)
            db.session.add(grant)
    except IntegrityError:
        raise Conflict("该用户已有此角色") from None
    return grant


def revoke_role(viewer: Viewer, grant_id: int) -> None:
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or not viewer.covers(grant.area.path, STAFF_ROLES):
        raise NotFound("找不到该授权")
    _check_may_grant(viewer, grant.role, grant.area)
    grant.user.token_version += 1  # their old tokens carried the old roles' trust
    db.session.delete(grant)
    db.session.flush()


def _check_may_grant(viewer: Viewer, role: str, area: Area) -> None:
    if role not in ROLES:
        raise ValidationFailed({"role": ["角色无效"]})
    if viewer.covers(area.path, ADMIN_ROLES):
        return
    if role == "grid_worker" and viewer.covers(area.path, ("staff",)):
        return
    raise Forbidden("您没有权限在该区域授予此角色")


def users_in_scope(viewer: Viewer, q: str | None, limit: int, cursor_id: int | None) -> list[User]:
    """Users whose home, team or role lies in the viewer's areas (staff and admins only).

    `q` finds a name by its beginning or a phone number given whole, never by a part of one (a part would
    reveal the masked digits a request at a time); `%` and `_` are plain characters."""
    viewer.require_role(STAFF_ROLES)
    area_ids = viewer.area_ids_select(STAFF_ROLES)
    in_scope = or_(
        User.home_area_id.in_(area_ids),
        User.id.in_(select(TeamMember.user_id).join(Team).where(Team.area_id.in_(area_ids))),
        User.id.in_(select(RoleGrant.user_id).where(RoleGrant.area_id.in_(area_ids))),
    )
    query = select(User).where(in_scope).order_by(User.id.desc()).limit(limit + 1)
    if q:
        query = query.where(or_(User.nickname.istartswith(q, autoescape=True),
                                User.real_name.istartswith(q, autoescape=True), User.phone == q))
    if cursor_id:
        query = query.where(User.id < cursor_id)
    return list(db.session.scalars(query))
