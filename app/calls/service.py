"""Rules for calls (吹哨) and activities (志愿活动): who is called, who may see and join them,
the quota, check-in, confirmation by staff and the points it earns."""
from datetime import timedelta, timezone

from sqlalchemy import and_, exists, func, insert, literal, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import clock
from app.areas.models import Area, ids_along
from app.areas.service import require_area
from app.auth.viewer import AREA_ROLES, STAFF_ROLES, Viewer, subtree_ids_select
from app.calls.models import (ACTIVE_SIGNUPS, KIND_LABELS, SIGNUP_LABELS, STATUS_LABELS, Call, CallRecipient,
                              CallSignup)
from app.calls.signals import call_changed
from app.calls.transitions import SIGNUP_MOVES, move_signup
from app.database import changed_one
from app.categories.service import categories_by_codes
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.points.service import award
from app.teams.models import Team, TeamMember, team_categories
from app.users.models import User

# Staff and admins make and close calls; grid workers of the area may look at them too.
# A call is made for a community or a larger area; grids are chosen in its target.
CALL_AREA_KINDS = ("county", "town", "community")
# Volunteers may check in at the place from this long before the start until this long after it;
# later, staff confirm those who came.
CHECKIN_OPENS_BEFORE = timedelta(hours=2)
CHECKIN_CLOSES_AFTER = timedelta(hours=24)
# A start time this far in the past is still taken (clocks of phones and PCs drift; "now" is common).
STARTS_AT_SLACK = timedelta(hours=1)
INLINE_SIGNUPS = 50

FULL_MESSAGE = STATUS_LABELS["full"]
SIGNUPS_CLOSED = "报名已结束"


# --- who is called ------------------------------------------------------------------------------

def _volunteers_in(area_ids_select, *team_conditions):
    """SELECT of the members of active teams based in these areas."""
    return (select(TeamMember.user_id).join(Team, Team.id == TeamMember.team_id)
            .where(Team.is_active.is_(True), Team.area_id.in_(area_ids_select), *team_conditions))


def _called_condition(call: Call, area: Area):
    """The condition on users for the people this call is blown for (吹哨对象)."""
    subtree = subtree_ids_select([area.path])
    target = call.target
    if not target:
        return User.id.in_(_volunteers_in(subtree))
    conditions = []
    if target.get("team_ids"):
        conditions.append(User.id.in_(select(TeamMember.user_id).where(TeamMember.team_id.in_(target["team_ids"]))))
    if target.get("party_members"):
        conditions.append(and_(User.is_party_member == true(), User.home_area_id.in_(subtree)))
    if target.get("category_codes"):
        category_ids = [c.id for c in categories_by_codes(target["category_codes"])]
        # A team with no categories serves every category.
        serves = or_(
            Team.id.in_(select(team_categories.c.team_id).where(team_categories.c.category_id.in_(category_ids))),
            ~exists().where(team_categories.c.team_id == Team.id),
        )
        conditions.append(User.id.in_(_volunteers_in(subtree, serves)))
    if target.get("grid_ids"):
        paths = list(db.session.scalars(select(Area.path).where(Area.id.in_(target["grid_ids"]))))
        grids = subtree_ids_select(paths)
        conditions.append(or_(User.home_area_id.in_(grids), User.id.in_(_volunteers_in(grids))))
    return or_(*conditions)


def _add_recipients(call: Call, area: Area) -> int:
    """Fix who is called in one INSERT … SELECT; returns how many."""
    chosen = select(literal(call.id), User.id).where(_called_condition(call, area))
    result = db.session.execute(insert(CallRecipient).from_select(["call_id", "user_id"], chosen))
    return result.rowcount


def recipients_of(call: Call):
    """SELECT of the ids of the users a call was blown for (for notifications)."""
    return select(CallRecipient.user_id).where(CallRecipient.call_id == call.id)


def _validated_target(area: Area, target: dict) -> dict:
    """Check a call's target group against its area and normalise it."""
    team_ids = sorted(set(target.get("team_ids") or []))
    grid_ids = sorted(set(target.get("grid_ids") or []))
    codes = sorted(set(target.get("category_codes") or []))
    party = bool(target.get("party_members"))
    if not (team_ids or grid_ids or codes or party):
        raise ValidationFailed({"target": ["请至少选择一类发布对象，或不指定（发给本区域全部志愿者）"]})
    if team_ids:
        teams = list(db.session.scalars(select(Team).options(joinedload(Team.area)).where(Team.id.in_(team_ids))))
        if len(teams) != len(team_ids):
            raise ValidationFailed({"target": {"team_ids": ["服务队不存在"]}})
        if any(not team.is_active or not team.area.path.startswith(area.path) for team in teams):
            raise ValidationFailed({"target": {"team_ids": ["只能选择本区域内在用的服务队"]}})
    if grid_ids:
        grids = list(db.session.scalars(select(Area).where(Area.id.in_(grid_ids))))
        if len(grids) != len(grid_ids) or any(g.kind != "grid" or not g.path.startswith(area.path) for g in grids):
            raise ValidationFailed({"target": {"grid_ids": ["只能选择本区域内的网格"]}})
    if codes:
        categories_by_codes(codes, "target")
    return {"team_ids": team_ids, "party_members": party, "category_codes": codes, "grid_ids": grid_ids}


# --- who sees what ------------------------------------------------------------------------------

def related_area_ids(viewer: Viewer) -> list[int]:
    """The areas the viewer belongs to (home community, their teams', their grants') and all above them."""
    paths = list(viewer.paths(AREA_ROLES))
    conditions = []
    if viewer.user.home_area_id is not None:
        conditions.append(Area.id == viewer.user.home_area_id)
    if viewer.team_roles:
        conditions.append(Area.id.in_(select(Team.area_id).where(Team.id.in_(list(viewer.team_roles)))))
    if conditions:
        paths.extend(db.session.scalars(select(Area.path).where(or_(*conditions))))
    return ids_along(paths)


def visibility(viewer: Viewer, related: list[int]):
    """Calls of the viewer's areas (and above), those blown for them or joined, and their staff's areas."""
    conditions = [
        Call.id.in_(select(CallRecipient.call_id).where(CallRecipient.user_id == viewer.id)),
        Call.id.in_(select(CallSignup.call_id).where(CallSignup.user_id == viewer.id)),
    ]
    if related:
        conditions.append(Call.area_id.in_(related))
    if viewer.has_role(AREA_ROLES):
        conditions.append(Call.area_id.in_(viewer.area_ids_select(AREA_ROLES)))
    return or_(*conditions)


def get_call(viewer: Viewer, call_id: int) -> Call:
    """A call the viewer may see; any other is 404."""
    call = db.session.scalars(select(Call).options(joinedload(Call.area)).where(
        Call.id == call_id, visibility(viewer, related_area_ids(viewer)))).first()
    if call is None:
        raise NotFound("找不到该吹哨或活动")
    return call


def is_staff_of(viewer: Viewer, call: Call) -> bool:
    return viewer.covers(call.area.path, STAFF_ROLES)


def _require_staff(viewer: Viewer, call: Call) -> None:
    if not is_staff_of(viewer, call):
        raise Forbidden("只有本区域的社区工作人员可以进行此操作")


def _listed(viewer: Viewer, call: Call) -> bool:
    """Was the viewer among those the call was blown for when it was made?"""
    return db.session.get(CallRecipient, (call.id, viewer.id)) is not None


def _called_now(viewer: Viewer, call: Call) -> bool:
    """Does the call's target take in the viewer now (joined a team or registered as a Party member since)?"""
    if call.kind != "call" or call.status != "open":
        return False
    return db.session.scalar(select(User.id).where(User.id == viewer.id, _called_condition(call, call.area))) \
        is not None


def _is_recipient(viewer: Viewer, call: Call) -> bool:
    return _listed(viewer, call) or _called_now(viewer, call)


def may_sign_up(viewer: Viewer, call: Call, recipient: bool) -> bool:
    """Activities are open to everyone who can see them; a call only to the people it was blown for."""
    return call.kind == "activity" or recipient


def _my_signup(viewer: Viewer, call: Call) -> CallSignup | None:
    return db.session.scalars(select(CallSignup).where(
        CallSignup.call_id == call.id, CallSignup.user_id == viewer.id)).first()


# --- lists --------------------------------------------------------------------------------------

def list_calls(viewer: Viewer, args: dict, cursor_id: int | None) -> list[Call]:
    """One page of the calls the viewer may see, newest first; one statement."""
    query = (select(Call).options(joinedload(Call.area)).where(visibility(viewer, related_area_ids(viewer)))
             .order_by(Call.id.desc()).limit(args["limit"] + 1))
    if args.get("area_id") is not None:
        area = require_area(args["area_id"])
        query = query.where(Call.area_id.in_(subtree_ids_select([area.path])))
    if args.get("kind"):
        query = query.where(Call.kind == args["kind"])
    if args.get("status"):
        query = query.where(Call.status == args["status"])
    if args.get("mine"):
        query = query.where(Call.id.in_(select(CallSignup.call_id).where(
            CallSignup.user_id == viewer.id, CallSignup.status.in_(ACTIVE_SIGNUPS))))
    if args.get("awaiting_confirmation"):
        query = query.where(Call.id.in_(select(CallSignup.call_id).where(CallSignup.status == "checked_in")))
    if cursor_id:
        query = query.where(Call.id < cursor_id)
    return list(db.session.scalars(query))


def present_calls(viewer: Viewer, calls: list[Call]) -> list[dict]:
    """A page of calls with my sign-up state, in two more statements whatever the page size."""
    ids = [call.id for call in calls]
    if not ids:
        return []
    mine = {s.call_id: s for s in db.session.scalars(select(CallSignup).where(
        CallSignup.call_id.in_(ids), CallSignup.user_id == viewer.id))}
    called = set(db.session.scalars(select(CallRecipient.call_id).where(
        CallRecipient.call_id.in_(ids), CallRecipient.user_id == viewer.id)))
    return [present_call(viewer, call, mine.get(call.id), call.id in called) for call in calls]


def list_signups(viewer: Viewer, call: Call, args: dict, cursor_id: int | None) -> list[CallSignup]:
    """Sign-ups of a call in the order they came (staff of the call's area)."""
    _require_staff(viewer, call)
    query = (select(CallSignup).options(joinedload(CallSignup.user)).where(CallSignup.call_id == call.id)
             .order_by(CallSignup.id).limit(args["limit"] + 1))
    if args.get("status"):
        query = query.where(CallSignup.status.in_(args["status"]))
    if cursor_id:
        query = query.where(CallSignup.id > cursor_id)
    return list(db.session.scalars(query))


# --- making and closing calls -------------------------------------------------------------------

def create_call(viewer: Viewer, data: dict) -> tuple[Call, int]:
    """Staff blow a call (or post an activity) in their area; returns it and how many were called."""
    area = require_area(data["area_id"])
    if not viewer.covers(area.path, STAFF_ROLES):
        raise Forbidden("只能在自己负责的区域发布吹哨或活动")
    if area.kind not in CALL_AREA_KINDS:
        raise ValidationFailed({"area_id": ["请选择社区（网格请在发布对象中选择）"]})
    kind = data.get("kind") or "call"
    target = data.get("target")
    if kind == "activity" and target:
        raise ValidationFailed({"target": ["志愿活动面向本区域所有人，不能指定发布对象"]})
    if target:
        target = _validated_target(area, target)
    now = clock.now()
    if data["starts_at"] < now - STARTS_AT_SLACK:
        raise ValidationFailed({"starts_at": ["开始时间不能早于当前时间"]})
    if data["starts_at"] > now + timedelta(days=366):
        raise ValidationFailed({"starts_at": ["开始时间不能晚于一年以后"]})
    call = Call(kind=kind, area_id=area.id, title=data["title"], description=data.get("description", ""),
                place=data["place"], starts_at=data["starts_at"].astimezone(timezone.utc), quota=data["quota"],
                signup_count=0, points=data.get("points", 0), duration_minutes=data.get("duration_minutes", 120),
                target=target or None, status="open", created_by_id=viewer.id,
                created_at=now)
    call.area = area
    db.session.add(call)
    db.session.flush()
    called = _add_recipients(call, area) if kind == "call" else 0
    call_changed.send(call, action="publish", viewer=viewer, signup=None)
    return call, called


def close_call(viewer: Viewer, call: Call) -> Call:
    """Staff end a call: no more sign-ups or check-ins (confirmations remain possible)."""
    _require_staff(viewer, call)
    changed_one(update(Call).where(Call.id == call.id, Call.status == "open")
                .values(status="closed", closed_at=clock.now(), closed_by_id=viewer.id),
                Conflict("该吹哨或活动已经结束"))
    db.session.expire(call)
    call_changed.send(call, action="close", viewer=viewer, signup=None)
    return call


# --- signing up, withdrawing, checking in -------------------------------------------------------

def _require_open(call: Call, message: str) -> None:
    if call.status != "open":
        raise Conflict(message)


def _no_place(call: Call) -> Conflict:
    """Which 409 a sign-up that found no place gets: the call as it is now (closed meanwhile, or full)."""
    db.session.refresh(call)
    return Conflict(SIGNUPS_CLOSED if call.status != "open" else FULL_MESSAGE)


def sign_up(viewer: Viewer, call: Call) -> CallSignup:
    """Take one place. The database settles the quota: a conditional UPDATE of the count, in the same
    transaction as the sign-up row, so concurrent sign-ups never exceed it."""
    listed = _listed(viewer, call)
    if not may_sign_up(viewer, call, listed or _called_now(viewer, call)):
        raise Forbidden("本次吹哨只面向指定的人员，您不在召集范围内")
    _require_open(call, SIGNUPS_CLOSED)
    signup = _my_signup(viewer, call)
    if signup is not None and signup.status in ACTIVE_SIGNUPS:
        raise Conflict(SIGNUP_MOVES["signup"].refusal)
    changed_one(update(Call).where(Call.id == call.id, Call.status == "open", Call.signup_count < Call.quota)
                .values(signup_count=Call.signup_count + 1), lambda: _no_place(call))
    now = clock.now()
    if signup is None:
        signup = CallSignup(call_id=call.id, user_id=viewer.id, status="signed_up", signed_up_at=now)
        db.session.add(signup)
        if call.kind == "call" and not listed:
            db.session.add(CallRecipient(call_id=call.id, user_id=viewer.id))  # called since it was blown
        try:
            db.session.flush()
        except IntegrityError:
            # The same person signed up in a concurrent request: that one holds the place (the request's
            # transaction, the count's UPDATE with it, is rolled back).
            raise Conflict(SIGNUP_MOVES["signup"].refusal) from None
    else:
        move_signup(signup, "signup", signed_up_at=now, withdrawn_at=None)
        db.session.expire(signup)
    db.session.expire(call)
    call_changed.send(call, action="signup", viewer=viewer, signup=signup)
    return signup


def withdraw(viewer: Viewer, call: Call) -> None:
    """Give the place back (before checking in, while the call is open)."""
    _require_open(call, "已经结束，不能取消报名")
    signup = _my_signup(viewer, call)
    if signup is None or signup.status == "withdrawn":
        raise Conflict("您还没有报名")
    move_signup(signup, "withdraw", withdrawn_at=clock.now())
    db.session.execute(update(Call).where(Call.id == call.id, Call.signup_count > 0)
                       .values(signup_count=Call.signup_count - 1).execution_options(synchronize_session=False))
    db.session.expire(call)
    db.session.expire(signup)
    call_changed.send(call, action="withdraw", viewer=viewer, signup=signup)


def check_in(viewer: Viewer, call: Call) -> None:
    """The volunteer checks in at the place; staff confirm it before points are given."""
    _require_open(call, "已经结束，不能签到")
    signup = _my_signup(viewer, call)
    if signup is None or signup.status == "withdrawn":
        raise Conflict("请先报名")
    now = clock.now()
    if now < call.starts_at - CHECKIN_OPENS_BEFORE:
        hours = int(CHECKIN_OPENS_BEFORE.total_seconds() // 3600)
        raise Conflict(f"签到尚未开始（开始前 {hours} 小时起可签到）")
    if now > call.starts_at + CHECKIN_CLOSES_AFTER:
        hours = int(CHECKIN_CLOSES_AFTER.total_seconds() // 3600)
        raise Conflict(f"签到已截止（开始后 {hours} 小时内可签到），请联系社区工作人员确认到场")
    move_signup(signup, "checkin", checked_in_at=now)
    db.session.expire(signup)
    call_changed.send(call, action="checkin", viewer=viewer, signup=signup)


def confirm_checkin(viewer: Viewer, call: Call, user_id: int, minutes: int | None = None) -> CallSignup:
    """Staff confirm that a volunteer came (also for one who could not check in on the phone);
    the confirmation earns the call's points, exactly once, and service minutes (app/records: the
    call's duration, or `minutes`)."""
    _require_staff(viewer, call)
    if user_id == viewer.id:  # no points awarded to oneself: another staff member confirms
        raise Forbidden("不能确认自己的签到，请由其他工作人员确认")
    signup = db.session.scalars(select(CallSignup).options(joinedload(CallSignup.user)).where(
        CallSignup.call_id == call.id, CallSignup.user_id == user_id)).first()
    if signup is None:
        raise NotFound("该用户没有报名")
    if signup.status == "withdrawn":
        raise Conflict("该志愿者已取消报名")
    now = clock.now()
    move_signup(signup, "confirm", confirmed_at=now, confirmed_by_id=viewer.id,
                checked_in_at=func.coalesce(CallSignup.checked_in_at, now))
    award(user_id, call.area_id, call.points, "call_checkin", call_id=call.id, note=call.title, at=now)
    db.session.expire(signup)
    call_changed.send(call, action="confirm", viewer=viewer, signup=signup, minutes=minutes)
    return signup


# --- presentation -------------------------------------------------------------------------------

def allowed_actions(viewer: Viewer, call: Call, signup: CallSignup | None, recipient: bool) -> list[str]:
    """What the viewer may do now, so clients draw buttons from it."""
    actions = []
    if call.status != "open":
        return actions
    status = signup.status if signup else None
    if (status is None or status in SIGNUP_MOVES["signup"].sources) and may_sign_up(viewer, call, recipient) \
            and call.signup_count < call.quota:
        actions.append("signup")
    if status in SIGNUP_MOVES["withdraw"].sources:
        actions.append("withdraw")
    if status in SIGNUP_MOVES["checkin"].sources \
            and call.starts_at - CHECKIN_OPENS_BEFORE <= clock.now() <= call.starts_at + CHECKIN_CLOSES_AFTER:
        actions.append("checkin")
    if is_staff_of(viewer, call):
        actions.append("close")
    return actions


def present_signup(signup: CallSignup, staff: bool) -> dict:
    data = {
        "id": signup.id, "call_id": signup.call_id, "user_id": signup.user_id, "status": signup.status,
        "status_label": SIGNUP_LABELS[signup.status], "signed_up_at": signup.signed_up_at,
        "withdrawn_at": signup.withdrawn_at, "checked_in_at": signup.checked_in_at,
        "confirmed_at": signup.confirmed_at,
    }
    if staff:
        user = signup.user
        data.update(name=user.display_name, nickname=user.nickname, phone=user.phone,
                    is_party_member=user.is_party_member, work_unit=user.work_unit,
                    confirmed_by_id=signup.confirmed_by_id)
    return data


def present_call(viewer: Viewer, call: Call, signup: CallSignup | None, recipient: bool,
                 detail: bool = False) -> dict:
    """The call as this viewer may see it: my sign-up, what I may do, and for staff who came."""
    staff = is_staff_of(viewer, call)
    full = call.signup_count >= call.quota
    data = {
        "id": call.id, "kind": call.kind, "kind_label": KIND_LABELS[call.kind], "area_id": call.area_id,
        "area_name": call.area.name, "title": call.title, "description": call.description, "place": call.place,
        "starts_at": call.starts_at, "quota": call.quota, "signup_count": call.signup_count,
        "remaining": max(call.quota - call.signup_count, 0), "full": full, "points": call.points,
        "duration_minutes": call.duration_minutes, "status": call.status,
        "status_label": FULL_MESSAGE if call.status == "open" and full else STATUS_LABELS[call.status],
        "target": call.target, "created_by_id": call.created_by_id, "created_at": call.created_at,
        "closed_at": call.closed_at, "eligible": may_sign_up(viewer, call, recipient),
        "my_signup": present_signup(signup, False) if signup else None,
        "allowed_actions": allowed_actions(viewer, call, signup, recipient),
    }
    if detail and staff:
        counts = dict(db.session.execute(select(CallSignup.status, func.count()).where(
            CallSignup.call_id == call.id).group_by(CallSignup.status)).all())
        data["signup_counts"] = {status: counts.get(status, 0) for status in SIGNUP_LABELS}
        data["recipient_count"] = db.session.scalar(select(func.count()).select_from(CallRecipient).where(
            CallRecipient.call_id == call.id))
        rows = db.session.scalars(select(CallSignup).options(joinedload(CallSignup.user)).where(
            CallSignup.call_id == call.id, CallSignup.status.in_(ACTIVE_SIGNUPS))
            .order_by(CallSignup.id).limit(INLINE_SIGNUPS))
        data["signups"] = [present_signup(s, True) for s in rows]
    return data


def call_detail(viewer: Viewer, call: Call) -> dict:
    return present_call(viewer, call, _my_signup(viewer, call), _is_recipient(viewer, call), detail=True)

