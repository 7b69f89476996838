"""The current user, their roles and teams, and area-scope checks."""
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from flask import g, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from app.areas.models import Area, like_prefix, subtree_ids
from app.auth.tokens import read_token
from app.errors import Forbidden, Unauthorized
from app.extensions import db
from app.teams.models import TeamMember
from app.users.models import RoleGrant, User

# The role sets, named once: who administers areas, who works in them (staff and grid workers), who admins.
ADMIN_ROLES = ("admin",)
STAFF_ROLES = ("staff", "admin")
AREA_ROLES = ("staff", "admin", "grid_worker")


@dataclass
class Viewer:
    """Who is asking: the user with their role grants (and areas) and team memberships."""

    user: User
    grants: list[RoleGrant] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.user.id

    @cached_property
    def team_roles(self) -> dict[int, str]:
        """{team_id: 'leader' | 'member'}, loaded on first use."""
        rows = db.session.execute(
            select(TeamMember.team_id, TeamMember.role).where(TeamMember.user_id == self.user.id)
        )
        return {team_id: role for team_id, role in rows}

    def forget_teams(self) -> None:
        """Drop the cached memberships after the viewer joined or left a team."""
        self.__dict__.pop("team_roles", None)

    def paths(self, roles=STAFF_ROLES) -> list[str]:
        return [grant.area.path for grant in self.grants if grant.role in roles]

    def has_role(self, roles=STAFF_ROLES) -> bool:
        return any(grant.role in roles for grant in self.grants)

    def covers(self, area_path: str, roles=STAFF_ROLES) -> bool:
        """Whether one of the viewer's grants in `roles` covers the area with this path."""
        return any(area_path.startswith(path) for path in self.paths(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_role(STAFF_ROLES)

    def require_role(self, roles=STAFF_ROLES) -> None:
        if not self.has_role(roles):
            raise Forbidden()

    def area_ids_select(self, roles=STAFF_ROLES):
        """SELECT of the ids of every area in the viewer's scope for these roles."""
        return subtree_ids_select(self.paths(roles))


def subtree_ids_select(paths: list[str]):
    """SELECT of the ids of every area under any of these paths (none if empty)."""
    return subtree_ids([like_prefix(path) for path in paths])


@lru_cache(maxsize=1)
def _viewer_statement():
    """Built once (with a bound user id): building it costs more than the database takes to answer it."""
    return (select(User, RoleGrant, Area, TeamMember.team_id, TeamMember.role)
            .outerjoin(RoleGrant, RoleGrant.user_id == User.id).outerjoin(Area, Area.id == RoleGrant.area_id)
            .outerjoin(TeamMember, TeamMember.user_id == User.id).where(User.id == bindparam("user_id"))
            .execution_options(prepare=True))  # by keys: one plan fits every user (app/database.py)


def load_viewer(user_id: int, version: int) -> Viewer:
    """The user, their grants (with areas) and their team memberships, in one statement.

    The user, grants and areas are selected as entities side by side (outer joins) rather than
    eagerly loaded through relationships: the same objects and one statement, in a third of the time.
    """
    rows = db.session.execute(_viewer_statement(), {"user_id": user_id}).all()
    user = rows[0][0] if rows else None
    if user is None or user.token_version != version:
        raise Unauthorized("登录状态已失效，请重新登录")
    grants: dict[int, RoleGrant] = {}
    for _user, grant, area, _team_id, _role in rows:
        if grant is not None and grant.id not in grants:
            set_committed_value(grant, "area", area)
            grants[grant.id] = grant
    ordered = sorted(grants.values(), key=lambda grant: grant.id)
    if "grants" not in user.__dict__:  # as a lazy load would have set it, unless already loaded
        set_committed_value(user, "grants", ordered)
    viewer = Viewer(user=user, grants=list(user.grants))
    viewer.__dict__["team_roles"] = {team_id: role for *_rest, team_id, role in rows if team_id is not None}
    return viewer


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_viewer() -> Viewer:
    """The logged-in viewer of this request; 401 when there is none."""
    viewer = optional_viewer()
    if viewer is None:
        raise Unauthorized()
    return viewer


def optional_viewer() -> Viewer | None:
    """The logged-in viewer, or None for an anonymous request (a bad token is still 401)."""
    if "viewer" not in g:
        token = bearer_token()
        g.viewer = load_viewer(*read_token(token)) if token else None
        g.current_user = g.viewer.user if g.viewer else None
    return g.viewer
