"""The demo world of DESIGN.md §7; loading it twice changes nothing."""
from sqlalchemy import select

from app.areas.models import Area
from app.areas.service import add_area, find_area
from app.categories.models import Category
from app.categories.service import ensure_default_categories
from app.extensions import db
from app.offerings.models import Offering
from app.teams.models import Team, TeamMember
from app.teams.service import new_invite_code
from app.users.models import RoleGrant
from app.users.service import user_by_openid

COMMUNITIES = ("松阳社区", "青山社区")
GRIDS = ("第一网格", "第二网格")
USERS = {
    "demo-admin": "县委组织部管理员",
    "demo-staff-sy": "松阳社区工作人员",
    "demo-staff-qs": "青山社区工作人员",
    "demo-grid-sy": "松阳网格员",
    "demo-leader-sy": "松阳服务队队长",
    "demo-leader-qs": "青山服务队队长",
    "demo-volunteer-sy-1": "松阳志愿者一",
    "demo-volunteer-sy-2": "松阳志愿者二",
    "demo-resident-sy-1": "松阳居民一",
    "demo-resident-sy-2": "松阳居民二",
    "demo-resident-qs-1": "青山居民一",
}
TEAMS = {
    "sy": ("松阳社区党员志愿服务队", "松阳社区", "demo-leader-sy", ["demo-volunteer-sy-1", "demo-volunteer-sy-2"],
           [("escort", "陪同就医", "周一至周五 8:00-17:00"), ("repair", "家电上门维修", "周末全天"),
            ("haircut", "老人上门理发", "每月第一个周六")]),
    "qs": ("青山社区红色志愿服务队", "青山社区", "demo-leader-qs", [],
           [("elderly", "助老送餐", "每天中午"), ("legal", "法律咨询", "每周三下午")]),
}


def _area(name: str, kind: str, parent: Area | None) -> Area:
    return find_area(name, parent) or add_area(name, kind, parent)


def _grant(user, role: str, area: Area) -> None:
    exists = db.session.scalars(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.area_id == area.id)).first()
    if exists is None:
        db.session.add(RoleGrant(user_id=user.id, role=role, area_id=area.id))


def seed_demo() -> dict:
    """Create what is missing of the demo world; return the ids tests and the README rely on."""
    ensure_default_categories()
    county = _area("示范县", "county", None)
    town = _area("城关镇", "town", county)
    communities = {name: _area(name, "community", town) for name in COMMUNITIES}
    for community in communities.values():
        for grid in GRIDS:
            _area(grid, "grid", community)
    users = {}
    for openid, nickname in USERS.items():
        user = user_by_openid(openid)
        if user.nickname in ("", "微信用户"):
            user.nickname = nickname
        users[openid] = user
    sy, qs = communities["松阳社区"], communities["青山社区"]
    users["demo-resident-sy-1"].home_area_id = users["demo-resident-sy-2"].home_area_id = sy.id
    users["demo-resident-qs-1"].home_area_id = qs.id
    db.session.flush()
    _grant(users["demo-admin"], "admin", county)
    _grant(users["demo-staff-sy"], "staff", sy)
    _grant(users["demo-staff-qs"], "staff", qs)
    _grant(users["demo-grid-sy"], "grid_worker", sy)
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    for name, community, leader, members, offerings in TEAMS.values():
        area = communities[community]
        team = db.session.scalars(select(Team).where(Team.name == name, Team.area_id == area.id)).first()
        if team is None:
            team = Team(name=name, area_id=area.id, invite_code=new_invite_code(),
                        description=f"{community}以党员为主体、居民为补充的志愿服务队")
            db.session.add(team)
            db.session.flush()
        team.leader_id = users[leader].id
        have = {m.user_id for m in team.members}
        for openid in [leader, *members]:
            if users[openid].id not in have:
                team.members.append(TeamMember(user_id=users[openid].id,
                                               role="leader" if openid == leader else "member"))
        for code, title, times in offerings:
            exists = db.session.scalars(select(Offering).where(
                Offering.team_id == team.id, Offering.title == title)).first()
            if exists is None:
                db.session.add(Offering(team_id=team.id, category_id=categories[code].id, area_id=area.id,
                                        title=title, description=f"{name}提供{title}服务", service_times=times,
                                        status="published", created_by_id=users[leader].id))
    db.session.commit()
    return {"county": county.id, "town": town.id, **{name: area.id for name, area in communities.items()}}
