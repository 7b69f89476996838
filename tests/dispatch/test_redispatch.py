"""改派 (issue 19): staff send a dispatched order, not yet accepted, to another team (DESIGN §4, §8).

The race of 改派 with a member's accept is in tests/test_races.py; who may, from which status, in
tests/orders/test_permissions.py.
"""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app import clock
from app.errors import InvalidTransition
from app.extensions import db
from app.notifications.models import Notification
from app.orders.models import Order, OrderEvent
from app.orders.service import system_dispatch
from app.supervision.service import supervise
from tests.dispatch.test_dispatch_help import _auto, _team

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai


@pytest.fixture
def town_team(client, demo) -> int:
    """A second team that may take 松阳's orders: the town's, serving every category, with leader_qs in it."""
    team = _team(client, demo, "城关镇志愿服务总队", demo.town)
    added = client.post(f"/api/v1/teams/{team}/members", json={"user_id": demo.user_ids["leader_qs"]},
                        headers=demo.headers("admin"))
    assert added.status_code in (200, 201), added.get_json()
    return team


def notices(app, order_id: int | None = None, event_id: int | None = None) -> list[Notification]:
    with app.app_context():
        query = select(Notification).order_by(Notification.id)
        if order_id is not None:
            query = query.where(Notification.order_id == order_id)
        if event_id is not None:
            query = query.where(Notification.event_id == event_id)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def names(demo, user_ids) -> set[str]:
    by_id = {user_id: name for name, user_id in demo.user_ids.items()}
    return {by_id[user_id] for user_id in user_ids}


def test_staff_redispatch_to_another_team(app, client, demo, town_team):
    """Does staff's 改派 move the order to the other team with one event (dispatched → dispatched, naming the
    team it came from), restart dispatched_at, tell the old team's members (in Chinese, without a link to an
    order they no longer see) and the new team's as on any dispatch?"""
    clock.freeze(T0)
    order = demo.order_at("dispatched")
    staff = demo.headers("staff_sy")
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=staff).get_json()
    assert "dispatch" in detail["allowed_actions"]
    # The ranked teams to send it to instead: its own team left out.
    assert [t["team_id"] for t in detail["dispatch_teams"]] == [town_team]
    clock.advance(hours=2)

    moved = demo.act(order["id"], "dispatch", "staff_sy", {"team_id": town_team, "note": "原服务队人手不足"})

    assert (moved["status"], moved["team_id"], moved["version"]) == ("dispatched", town_team, order["version"] + 1)
    assert moved["dispatched_at"] != order["dispatched_at"]
    assert datetime.fromisoformat(moved["dispatched_at"]) == T0 + timedelta(hours=2)
    last = moved["events"][-1]
    assert (last["action"], last["from_status"], last["to_status"], last["actor_id"], last["note"]) == \
        ("dispatch", "dispatched", "dispatched", demo.user_ids["staff_sy"], "原服务队人手不足")
    assert [e["action"] for e in moved["events"]] == ["create", "dispatch", "dispatch"]
    with app.app_context():
        event = db.session.get(OrderEvent, last["id"])
        assert event.data["previous_team_id"] == demo.team_sy and event.data["team_id"] == town_team
    told = notices(app, event_id=last["id"])
    away = [n for n in told if n.kind == "redispatched"]
    assert names(demo, (n.user_id for n in away)) == {"leader_sy", "vol1", "vol2"}
    assert {n.title for n in away} == {"工单已改派给其他队伍"}
    assert all("改派给其他队伍" in n.body and n.page == "" and n.order_id is None for n in away)
    new = [n for n in told if n.kind == "dispatched"]
    assert names(demo, (n.user_id for n in new)) == {"leader_qs"}
    assert all(n.order_id == order["id"] for n in new)
    # The old team no longer sees it; the new one may accept it.
    assert client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("vol1")).status_code == 404
    assert demo.act(order["id"], "accept", "vol1", status=404)["code"] == "not_found"
    assert demo.act(order["id"], "accept", "leader_qs")["status"] == "accepted"


def test_redispatch_to_the_same_team_is_refused(app, client, demo, town_team):
    """Is 改派 to the team that has the order a 422 on team_id in the contract's shape, changing nothing?"""
    order = demo.order_at("dispatched")
    refused = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": demo.team_sy},
                          headers=demo.headers("staff_sy"))
    body = refused.get_json()
    assert refused.status_code == 422 and body["code"] == "validation_error"
    assert body["errors"]["team_id"] == ["工单已派给该服务队，请选择其他服务队改派"]
    other = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": demo.team_qs},
                        headers=demo.headers("staff_sy"))
    assert other.status_code == 422 and other.get_json()["errors"]["team_id"] == ["该服务队不服务此区域"]
    with app.app_context():
        stored = db.session.get(Order, order["id"])
        assert (stored.team_id, stored.version) == (demo.team_sy, order["version"])
    assert [n.kind for n in notices(app, order["id"])] == ["dispatched"] * 3  # the first dispatch's only


def test_only_staff_redispatch_and_only_before_acceptance(app, client, demo, town_team):
    """Do the team and the requester get 403, staff 409 once a member has accepted, and does the system (automatic
    dispatch, a care plan) never redispatch?"""
    order = demo.order_at("dispatched")
    for who in ("vol1", "leader_sy", "resident", "grid_sy"):
        response = demo.act(order["id"], "dispatch", who, {"team_id": town_team}, status=403)
        assert response["code"] == "forbidden"
        seen = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers(who)).get_json()
        assert "dispatch" not in seen["allowed_actions"] and "dispatch_teams" not in seen
    accepted = demo.order_at("accepted")
    assert demo.act(accepted["id"], "dispatch", "staff_sy", {"team_id": town_team}, status=409)["code"] == \
        "invalid_transition"
    detail = client.get(f"/api/v1/orders/{accepted['id']}", headers=demo.headers("staff_sy")).get_json()
    assert "dispatch" not in detail["allowed_actions"] and "dispatch_teams" not in detail
    with app.app_context():
        stored = db.session.get(Order, order["id"])
        with pytest.raises(InvalidTransition):
            system_dispatch(stored, town_team, "自动派单")
        db.session.rollback()


def test_an_automatic_dispatch_is_redispatched_by_staff(app, client, demo):
    """Does staff's 改派 take an order the system dispatched by itself to another team, without cancelling it?"""
    assert _auto(client, demo, demo.sy, True).status_code == 200
    order = demo.create_order()
    assert order["status"] == "dispatched" and order["team_id"] == demo.team_sy
    town = _team(client, demo, "城关镇志愿服务总队", demo.town)  # from now on two teams: staff choose
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()
    assert [t["team_id"] for t in detail["dispatch_teams"]] == [town]
    moved = demo.act(order["id"], "dispatch", "admin", {"team_id": town})
    assert moved["team_id"] == town
    assert [(e["action"], e["actor_name"] == "系统") for e in moved["events"]] == \
        [("create", False), ("dispatch", True), ("dispatch", False)]


def test_redispatch_restarts_the_accept_clock(app, client, demo, town_team):
    """After 改派, does the accept ladder (limit 8 h: remind at 6 h, 督办 at 8 h) count from the 改派, and tell the
    new team, not the old one?"""
    clock.freeze(T0)
    order = demo.order_at("dispatched")
    clock.advance(hours=6)
    with app.app_context():
        assert supervise()["reminded"] == 1  # the first team, 6 h after the dispatch
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": town_team})
    clock.advance(hours=5, minutes=59)  # 11:59 after the dispatch, 5:59 after 改派
    with app.app_context():
        assert supervise() == {"reminded": 0, "escalated": 0, "closed": 0}
    clock.advance(minutes=1)
    with app.app_context():
        assert supervise() == {"reminded": 1, "escalated": 0, "closed": 0}
        remind = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order["id"],
                                                             OrderEvent.action == "remind")
                                    .order_by(OrderEvent.id.desc())).first()
        assert remind.data["deadline"] == (T0 + timedelta(hours=14)).isoformat()
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.event_id == remind.id)))
    assert names(demo, told) == {"leader_qs"}
