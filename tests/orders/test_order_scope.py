"""The order scope (app/orders/scope.py) without HTTP: who sees an order, the parts they play, full or
masked view, staff's notes, filing for others, and the teams that may take an order."""
import pytest
from sqlalchemy import select

from app.areas.models import Area
from app.auth.viewer import load_viewer
from app.extensions import db
from app.orders import transitions as t
from app.orders.models import Order
from app.orders.scope import Scope, eligible_teams, team_refusal
from app.teams.models import Team
from app.users.models import RoleGrant


@pytest.fixture
def scopes(app, demo):
    """Scope.of(viewer) for a demo user, inside an app context that the test runs in."""
    with app.app_context():
        yield lambda who: Scope.of(load_viewer(demo.user_ids[who], 1))


def record(order: Order) -> dict:
    """The keys of an order's row that the scope reads."""
    return {"created_by_id": order.created_by_id, "on_behalf_name": order.on_behalf_name,
            "area_path": order.area.path}


def test_built_once_per_viewer(scopes, demo):
    """Is the scope built once for a viewer and kept, so a request reads the grants once?"""
    viewer = load_viewer(demo.user_ids["staff_sy"], 1)
    assert Scope.of(viewer) is Scope.of(viewer)


def test_who_sees_an_order(scopes, demo):
    """Does `sees` (the condition of lists, detail and attachments) answer for each part?"""
    order = demo.order_at("accepted")
    seen = {who: scopes(who).sees(order["id"]) for who in
            ("resident", "resident2", "vol1", "vol2", "leader_sy", "leader_qs", "staff_sy", "staff_qs", "admin",
             "grid_sy")}
    assert seen == {"resident": True, "resident2": False, "vol1": True, "vol2": True, "leader_sy": True,
                    "leader_qs": False, "staff_sy": True, "staff_qs": False, "admin": True, "grid_sy": True}


def test_parties_and_views(scopes, demo):
    """Does each viewer play the parts the transitions table expects, and see the contact as DESIGN §8 says?"""
    created = demo.order_at("accepted")
    order = db.session.get(Order, created["id"])
    expected = {"resident": ({t.REQUESTER}, True), "vol1": ({t.TEAM_MEMBER, t.ASSIGNEE}, True),
                "vol2": ({t.TEAM_MEMBER}, False), "leader_sy": ({t.TEAM_MEMBER, t.TEAM_LEADER}, False),
                "staff_sy": ({t.STAFF}, True), "admin": ({t.STAFF}, True), "grid_sy": (set(), False)}
    for who, (parts, full) in expected.items():
        scope = scopes(who)
        parties = scope.order_parties(order)
        assert (set(parties), scope.full_view(parties, record(order))) == (parts, full), who
        assert scope.sees_staff_notes(parties) is (t.STAFF in parts), who


def test_on_behalf_filer_sees_whole_only_while_holding_the_role(scopes, demo):
    """Does a grid worker see whole only what they filed, and no longer after losing the role?"""
    filed = db.session.get(Order, demo.create_order("grid_sy", on_behalf_of={"name": "李奶奶",
                                                                               "phone": "13900005678"})["id"])
    scope = scopes("grid_sy")
    assert scope.full_view(scope.order_parties(filed), record(filed)) is True
    assert scope.may_file_for_others(filed.area.path) is True
    db.session.execute(db.delete(RoleGrant).where(RoleGrant.user_id == demo.user_ids["grid_sy"]))
    db.session.flush()
    db.session.expire_all()  # a new request's viewer
    scope = Scope.of(load_viewer(demo.user_ids["grid_sy"], 1))
    parties = scope.order_parties(filed)
    assert parties == {t.REQUESTER} and scope.full_view(parties, record(filed)) is False
    assert scope.may_file_for_others(filed.area.path) is False
    db.session.rollback()


def test_list_parts_follow_the_view(scopes, demo):
    """Does a list walk the viewer's own, team and area parts, and `view` keep only some?"""
    params = {}
    parts, area_paths = scopes("leader_sy").list_parts(None, params)
    assert [kind for kind, _ in parts] == ["requester", "created_by", "assignee", "team"] and area_paths == 0
    assert params["team0"] == demo.team_sy
    parts, _ = scopes("staff_sy").list_parts("area", params)
    assert {kind for kind, _ in parts} == {"area"} and len(parts) == 3  # the community and its two grids
    assert scopes("resident").list_parts("team", {}) == ((), 0)


def test_teams_that_may_take_an_order(scopes, demo):
    """Are the eligible teams exactly those active, of the order's area or above, serving its category?"""
    order = db.session.get(Order, demo.create_order()["id"])
    grid = db.session.scalars(select(Area).where(Area.parent_id == demo.sy)).first()
    assert [team.id for team in eligible_teams(order.area.path, order.category_id)] == [demo.team_sy]
    assert [team.id for team in eligible_teams(grid.path, order.category_id)] == [demo.team_sy]
    team_qs = db.session.get(Team, demo.team_qs)
    assert team_refusal(team_qs, order.area.path, order.category_id) == "该服务队不服务此区域"
    assert team_refusal(None, order.area.path, order.category_id) == "服务队不存在或已停用"
    team_sy = db.session.get(Team, demo.team_sy)
    team_sy.is_active = False
    assert team_refusal(team_sy, order.area.path, order.category_id) == "服务队不存在或已停用"
    db.session.flush()
    assert eligible_teams(order.area.path, order.category_id) == []
    db.session.rollback()
