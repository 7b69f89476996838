"""Rules for volunteer teams: creation by staff, invite codes, members.

The operations flush; the request commits at its end (app/database.py, `end_request_transaction`)."""
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import ratelimits
from app.areas.service import require_area
from app.auth.viewer import Viewer, subtree_ids_select
from app.categories.service import categories_by_codes, category_by_code
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.teams.models import Team, TeamMember
from app.users.models import User

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by the elderly
# 32^8 ≈ 10^12 codes; with 10 join attempts an hour per user, guessing one of even 10,000 teams' codes takes
# a user on average about a million years.
INVITE_LENGTH = 8


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def get_team(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound("找不到该服务队")
    return team


def is_staff_of(viewer: Viewer | None, team: Team) -> bool:
    return viewer is not None and viewer.covers(team.area.path)


def is_leader_of(viewer: Viewer | None, team: Team) -> bool:
    return viewer is not None and viewer.team_roles.get(team.id) == "leader"


def _user(user_id: int, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed({field: ["用户不存在"]})
    return user


def create_team(viewer: Viewer, data: dict) -> Team:
    """Staff of an area found a team there; the leader, if named, joins as leader."""
    area = require_area(data["area_id"])
    if not viewer.covers(area.path):
        raise Forbidden("只能在自己负责的区域建立服务队")
    team = Team(area_id=area.id, name=data["name"], description=data.get("description", ""),
                invite_code=new_invite_code())
    team.categories = _categories(data.get("category_codes") or [])
    db.session.add(team)
    db.session.flush()
    if data.get("leader_id"):
        _set_leader(team, _user(data["leader_id"], "leader_id"))
    db.session.flush()
    return team


def update_team(viewer: Viewer, team: Team, changes: dict) -> Team:
    """Staff change a team; its leader may change its description and categories."""
    staff = is_staff_of(viewer, team)
    if not staff and not is_leader_of(viewer, team):
        raise Forbidden("只有社区工作人员或队长可以修改服务队")
    if not staff and set(changes) - {"description", "category_codes"}:
        raise Forbidden("队长只能修改简介和服务类别")
    if "category_codes" in changes:
        team.categories = _categories(changes.pop("category_codes"))
    if changes.get("leader_id"):
        _set_leader(team, _user(changes.pop("leader_id"), "leader_id"))
    changes.pop("leader_id", None)
    for name, value in changes.items():
        setattr(team, name, value)
    db.session.flush()
    return team


def _categories(codes: list[str]):
    """In the order the team's relationship loads them (Team.categories), as the answer shows them."""
    return sorted(categories_by_codes(codes), key=lambda category: category.sort_order)


def _set_leader(team: Team, user: User) -> None:
    for member in team.members:
        if member.role == "leader" and member.user_id != user.id:
            member.role = "member"
    membership = next((m for m in team.members if m.user_id == user.id), None)
    if membership is None:
        team.members.append(TeamMember(user_id=user.id, role="leader"))
    else:
        membership.role = "leader"
    team.leader_id = user.id
    db.session.flush()


def join_by_code(viewer: Viewer, code: str) -> Team:
    """Every attempt counts against RATELIMIT_TEAM_JOIN, right or wrong: invite codes cannot be guessed."""
    ratelimits.enforce("RATELIMIT_TEAM_JOIN", "team-join", str(viewer.id), "尝试加入服务队太频繁，请稍后再试")
    team = db.session.scalars(select(Team).where(Team.invite_code == code.strip().upper())).first()
    if team is None or not team.is_active:
        raise ValidationFailed({"invite_code": ["邀请码无效，请向队长核对"]})
    if team.id in viewer.team_roles:
        raise Conflict("您已经是该服务队的成员")
    try:
        with db.session.begin_nested():  # a concurrent join of the same person: only this INSERT is undone
            db.session.add(TeamMember(team_id=team.id, user_id=viewer.id, role="member"))
    except IntegrityError:
        raise Conflict("您已经是该服务队的成员") from None
    return team


def rotate_invite_code(viewer: Viewer, team: Team) -> Team:
    """Staff of the team's area or its leader replace the invite code; the old one stops working at once."""
    if not (is_staff_of(viewer, team) or is_leader_of(viewer, team)):
        raise Forbidden("只有社区工作人员或队长可以更换邀请码")
    team.invite_code = new_invite_code()
    db.session.flush()
    return team


def add_member(viewer: Viewer, team: Team, user_id: int) -> Team:
    if not (is_staff_of(viewer, team) or is_leader_of(viewer, team)):
        raise Forbidden("只有社区工作人员或队长可以添加队员")
    user = _user(user_id, "user_id")
    if any(m.user_id == user.id for m in team.members):
        raise Conflict("该用户已经是队员")
    team.members.append(TeamMember(user_id=user.id, role="member"))
    db.session.flush()
    return team


def remove_member(viewer: Viewer, team: Team, user_id: int) -> None:
    """Staff or the leader remove a member; a member may leave. The leader is replaced, not removed."""
    if not (is_staff_of(viewer, team) or is_leader_of(viewer, team) or viewer.id == user_id):
        raise Forbidden("只有社区工作人员或队长可以移除队员")
    membership = next((m for m in team.members if m.user_id == user_id), None)
    if membership is None:
        raise NotFound("该用户不是队员")
    if membership.role == "leader":
        raise Conflict("请先更换队长，再移除原队长")
    team.members.remove(membership)
    db.session.flush()


def list_teams(area_id: int | None, limit: int, cursor_id: int | None, include_inactive: bool) -> list[Team]:
    # The area too: present_team checks it against the viewer's grants for every team of the page.
    query = (select(Team).options(selectinload(Team.categories), joinedload(Team.area))
             .order_by(Team.id.desc()).limit(limit + 1))
    if area_id is not None:
        area = require_area(area_id)
        query = query.where(Team.area_id.in_(subtree_ids_select([area.path])))
    if not include_inactive:
        query = query.where(Team.is_active.is_(True))
    if cursor_id:
        query = query.where(Team.id < cursor_id)
    return list(db.session.scalars(query))


def list_eligible_teams(area_id: int, category: str, limit: int, cursor_id: int | None) -> list[Team]:
    """The teams that may take an order of this area and category (a care plan's team picker), newest first: the
    one rule of app/orders/scope.py (active, of the area or one above it, serving the category)."""
    from app.orders.scope import eligible_teams  # the orders package reads teams: imported when used

    area = require_area(area_id, "for_area_id")
    teams = eligible_teams(area.path, category_by_code(category).id)
    teams = [team for team in reversed(teams) if not cursor_id or team.id < cursor_id]
    return teams[:limit + 1]


def member_counts(team_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(TeamMember.team_id, func.count()).where(
        TeamMember.team_id.in_(team_ids)).group_by(TeamMember.team_id))
    return dict(rows.all())


def present_team(team: Team, viewer: Viewer | None, count: int | None = None, detail: bool = False) -> dict:
    """A team as this viewer may see it: the invite code only for its staff and leader."""
    privileged = is_staff_of(viewer, team) or is_leader_of(viewer, team)
    member = viewer is not None and team.id in viewer.team_roles
    data = {
        "id": team.id,
        "area_id": team.area_id,
        "name": team.name,
        "description": team.description,
        "is_active": team.is_active,
        "leader_id": team.leader_id,
        "categories": [{"code": c.code, "name": c.name} for c in team.categories],
        "member_count": count if count is not None else len(team.members),
        "my_role": viewer.team_roles.get(team.id) if viewer else None,
    }
    if privileged:
        data["invite_code"] = team.invite_code
    if detail and (privileged or member):
        data["members"] = [
            {"user_id": m.user_id, "nickname": m.user.display_name, "role": m.role, "joined_at": m.joined_at}
            for m in sorted(team.members, key=lambda m: (m.role != "leader", m.joined_at))
        ]
    return data
