"""Who sees an order, and as what: the one home of the order scope rules.

`Scope.of(viewer)` is built once per request. It gives the query condition of the orders the viewer may
see (a list's per-index parts, one order's detail, an order's attachments), the parts the viewer plays in
an order, whether they see its contact whole or masked and staff's notes, and whether they may file an
order on a resident's behalf. `team_refusal` says whether a team may take an order: the one rule, which
`eligible_teams`, `eligible_team_rows` (reading `teams_along`: dispatch_teams' ranking, automatic dispatch, a care
plan's team picker) and `team_and_refusal` (dispatch and 改派, a care plan's team) apply to the teams they read.
"""
from functools import lru_cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload

from app.areas.models import like_prefix, path_ids, subtree_ids
from app.auth.viewer import AREA_ROLES, STAFF_ROLES, Viewer
from app.extensions import db
from app.orders import transitions as t
from app.orders.models import Order
from app.teams.models import Team

ORDERS = Order.__table__
AREA_PARTS_MAX = 32  # up to this many areas in scope, a list reads each area's index on its own
SHAPES_CACHED = 512

# The parts of visibility: an order is seen by its requester, its filer, its assignee, the members of its
# team and those who work in its area (staff, admins, grid workers). A list walks each part on its own
# (column, id) index (app/orders/queries.py); one order ORs them (`condition`).
PART_COLUMNS = {"requester": ORDERS.c.requester_id, "created_by": ORDERS.c.created_by_id,
                "assignee": ORDERS.c.assignee_id, "team": ORDERS.c.team_id, "area": ORDERS.c.area_id}
OWN_PARTS = ("requester", "created_by", "assignee")  # their value is the viewer's id, :viewer_id
# Events whose note is staff's own (the follow-up of a rating): others see the event without it.
STAFF_NOTE_ACTIONS = frozenset({"review"})
VIEW_PARTS = {None: ("requester", "created_by", "assignee", "team", "area"), "requester": ("requester", "created_by"),
              "assigned": ("assignee",), "team": ("team",), "area": ("area",)}


def area_patterns(prefix: str, count: int) -> list:
    """Bind parameters :{prefix}0 … for `count` area paths (their values from `path_params`)."""
    return [bindparam(f"{prefix}{i}") for i in range(count)]


def path_params(prefix: str, paths) -> dict:
    return {f"{prefix}{i}": like_prefix(path) for i, path in enumerate(paths)}


@lru_cache(maxsize=SHAPES_CACHED)
def condition(teams: bool, area_paths: int):
    """The orders a viewer may see, as one bound condition: :viewer_id, :teams (expanding), areas under :vp0 …
    (its values from `Scope.params`)."""
    conditions = [PART_COLUMNS[part] == bindparam("viewer_id") for part in OWN_PARTS]
    if teams:
        conditions.append(ORDERS.c.team_id.in_(bindparam("teams", expanding=True)))
    if area_paths:
        conditions.append(ORDERS.c.area_id.in_(subtree_ids(area_patterns("vp", area_paths))))
    return or_(*conditions)


@lru_cache(maxsize=64)
def _area_ids_statement(count: int):
    """The ids of the areas under `count` paths (:p0 …), at most :limit of them."""
    return subtree_ids(area_patterns("p", count)).limit(bindparam("limit"))


@lru_cache(maxsize=SHAPES_CACHED)
def _sees_statement(teams: bool, area_paths: int):
    return (select(ORDERS.c.id).where(ORDERS.c.id == bindparam("order_id"), condition(teams, area_paths))
            .execution_options(prepare=True))


class Scope:
    """One viewer's scope over orders (their grants' paths read once)."""

    def __init__(self, viewer: Viewer):
        self.viewer = viewer
        self.id = viewer.id
        self.area_paths = tuple(viewer.paths(AREA_ROLES))
        self.staff_paths = tuple(viewer.paths(STAFF_ROLES))  # where the viewer sees staff's notes
        self._covers: dict[str, tuple[bool, bool]] = {}

    @classmethod
    def of(cls, viewer: Viewer) -> "Scope":
        """The viewer's scope, built once per request (kept on the viewer, which lives as long)."""
        scope = viewer.__dict__.get("order_scope")
        if scope is None:
            scope = viewer.__dict__["order_scope"] = cls(viewer)
        return scope

    # --- the query condition ---------------------------------------------------------------------

    @property
    def shape(self) -> tuple[bool, int]:
        """What `condition` needs to be built for this viewer: (any teams, how many area paths)."""
        return bool(self.viewer.team_roles), len(self.area_paths)

    def params(self) -> dict:
        """The values of `condition(*self.shape)`."""
        params = {"viewer_id": self.id, **path_params("vp", self.area_paths)}
        if self.viewer.team_roles:
            params["teams"] = list(self.viewer.team_roles)
        return params

    def sees(self, order_id: int) -> bool:
        """Whether the viewer may see this order (an attachment's, say)."""
        return db.session.execute(_sees_statement(*self.shape), {"order_id": order_id, **self.params()}).first() \
            is not None

    def list_parts(self, view: str | None, params: dict) -> tuple[tuple, int]:
        """`condition` as parts that each have an index ordered by id; `view` keeps some of them.

        Returns ((kind, index), …) for queries.page_statement and the number of area paths of its
        fallback part (areas beyond AREA_PARTS_MAX); their values go into `params`.
        """
        kinds = VIEW_PARTS[view]
        parts = [(kind, 0) for kind in OWN_PARTS if kind in kinds]
        params["viewer_id"] = self.id
        area_paths = 0
        if "team" in kinds:
            for index, team_id in enumerate(sorted(self.viewer.team_roles)):
                parts.append(("team", index))
                params[f"team{index}"] = team_id
        if "area" in kinds and self.area_paths:
            # A community's staff: one part per area on its (area_id, id) index. A town or county:
            # their areas hold a large share of all orders, and walking the newest orders finds a page soon.
            area_ids = list(db.session.execute(
                _area_ids_statement(len(self.area_paths)),
                {**path_params("p", self.area_paths), "limit": AREA_PARTS_MAX + 1}).scalars())
            if len(area_ids) <= AREA_PARTS_MAX:
                for index, area_id in enumerate(area_ids):
                    parts.append(("area", index))
                    params[f"area{index}"] = area_id
            else:
                area_paths = len(self.area_paths)
                params.update(path_params("vp", self.area_paths))
        return tuple(parts), area_paths

    # --- the parts played, and what they show ----------------------------------------------------

    def covers(self, area_path: str) -> tuple[bool, bool]:
        """(staff or admin of the area, any of staff, admin or grid worker of the area), for an area path."""
        found = self._covers.get(area_path)
        if found is None:
            found = self._covers[area_path] = (self.viewer.covers(area_path, STAFF_ROLES),
                                               self.viewer.covers(area_path, AREA_ROLES))
        return found

    def parties(self, requester_id, team_id, assignee_id, area_path: str) -> frozenset:
        """The parts the viewer plays in an order (transitions.REQUESTER …)."""
        found = set()
        if requester_id == self.id:
            found.add(t.REQUESTER)
        team_role = self.viewer.team_roles.get(team_id) if team_id else None
        if team_role:
            found.add(t.TEAM_MEMBER)
            if team_role == "leader":
                found.add(t.TEAM_LEADER)
        if assignee_id == self.id:
            found.add(t.ASSIGNEE)
        if self.covers(area_path)[0]:
            found.add(t.STAFF)
        return frozenset(found)

    def order_parties(self, order: Order) -> frozenset:
        return self.parties(order.requester_id, order.team_id, order.assignee_id, order.area.path)

    def full_view(self, parties: frozenset, order) -> bool:
        """Whether the viewer sees the contact phone and address whole (DESIGN §8): staff and admins of the
        order's area, its assignee, the resident who asked for themself, and whoever filed it on a resident's
        behalf for as long as they work in its area (a grid worker: only the orders they filed).

        `order`: a record with created_by_id, on_behalf_name and area_path."""
        if parties & {t.STAFF, t.ASSIGNEE}:
            return True
        if order["on_behalf_name"] is None:
            return t.REQUESTER in parties
        return order["created_by_id"] == self.id and self.covers(order["area_path"])[1]

    @staticmethod
    def sees_staff_notes(parties: frozenset) -> bool:
        """Staff's own notes (the needs_review flag, the follow-up of a rating) are for staff of the area only."""
        return t.STAFF in parties

    def may_file_for_others(self, area_path: str) -> bool:
        """Staff, admins and grid workers of an area may file orders on behalf of its residents."""
        return self.covers(area_path)[1]


# --- which teams may take an order --------------------------------------------------------------

def team_refusal(team: Team | None, area_path: str, category_id: int, current_team_id: int | None = None) \
        -> str | None:
    """Why this team may not take an order of this area and category, or None if it may: it must be active,
    of the order's area or one above it, and serve the category (a team with no categories serves all); an
    order already dispatched (`current_team_id`) goes only to another team (改派)."""
    if team is None or not team.is_active:
        return "服务队不存在或已停用"
    if current_team_id is not None and team.id == current_team_id:
        return "工单已派给该服务队，请选择其他服务队改派"
    if not area_path.startswith(team.area.path):
        return "该服务队不服务此区域"
    if not team.serves(category_id):
        return "该服务队不提供此类服务"
    return None


@lru_cache(maxsize=1)
def teams_along():
    """SELECT of the active teams of the areas :area_ids (a list), with their area and categories, by id: what
    `eligible_team_rows` reads; built once. The ranking adds its figures to it (app/dispatch/ranking.py)."""
    return (select(Team).where(Team.area_id.in_(bindparam("area_ids", expanding=True)), Team.is_active.is_(True))
            .options(joinedload(Team.area), joinedload(Team.categories)).order_by(Team.id))


def eligible_team_rows(area_path: str, category_id: int, statement=None, params: dict | None = None,
                       current_team_id: int | None = None) -> list:
    """Every team that may take an order of this area and category, by id, as rows (Team, …): one statement
    (`teams_along`, or one made from it with more columns and their `params`) reads the active teams along the
    area's path; `team_refusal` decides (an order dispatched to `current_team_id`: the other teams)."""
    rows = db.session.execute(statement if statement is not None else teams_along(),
                              {"area_ids": path_ids(area_path), **(params or {})}).unique()
    return [row for row in rows if team_refusal(row[0], area_path, category_id, current_team_id) is None]


def eligible_teams(area_path: str, category_id: int) -> list[Team]:
    """Every team that may take an order of this area and category, by id."""
    return [row[0] for row in eligible_team_rows(area_path, category_id)]


def team_and_refusal(team_id: int, area_path: str, category_id: int, current_team_id: int | None = None) \
        -> tuple[Team | None, str | None]:
    """The team by id (with its area and categories, one statement) and `team_refusal` for it."""
    team = db.session.scalars(select(Team).where(Team.id == team_id)
                              .options(joinedload(Team.area), joinedload(Team.categories))).unique().first()
    return team, team_refusal(team, area_path, category_id, current_team_id)
