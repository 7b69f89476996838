"""Dispatch help (DESIGN §8): ranked dispatch_teams, automatic dispatch, duplicate warnings."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app import clock
from app.areas.models import Area
from app.categories.models import Category
from app.extensions import db
from app.orders.models import Order, OrderEvent, Rating

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=timezone.utc)


def _grid(app, community_id: int, name: str = "第一网格") -> int:
    with app.app_context():
        return db.session.scalar(select(Area.id).where(Area.parent_id == community_id, Area.name == name))


def _team(client, demo, name: str, area_id: int, codes=None, who: str = "admin") -> int:
    body = {"name": name, "area_id": area_id}
    if codes is not None:
        body["category_codes"] = codes
    response = client.post("/api/v1/teams", json=body, headers=demo.headers(who))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _history(app, demo, team_id: int, status: str, dispatched_ago: timedelta, response: timedelta | None,
             stars: int | None = None, area_id: int | None = None) -> None:
    """An order of the past, dispatched to the team and accepted `response` later (None: not yet), rated a day
    later when `stars`."""
    with app.app_context():
        escort = db.session.scalar(select(Category.id).where(Category.code == "escort"))
        dispatched = NOW - dispatched_ago
        order = Order(status=status, category_id=escort, area_id=area_id or demo.sy, title="陪医",
                      description="往日的工单", address="松阳小区", contact_name="张大爷", contact_phone="13800001234",
                      requester_id=demo.user_ids["resident2"], created_by_id=demo.user_ids["resident2"],
                      team_id=team_id, created_at=dispatched - timedelta(minutes=5), due_at=dispatched,
                      dispatched_at=dispatched, accepted_at=None if response is None else dispatched + response,
                      rated_at=None if stars is None else dispatched + timedelta(days=1), version=1)
        db.session.add(order)
        db.session.flush()
        db.session.add(OrderEvent(order_id=order.id, action="create", to_status="ordered", created_at=order.created_at))
        if stars is not None:
            db.session.add(Rating(order_id=order.id, stars=stars, created_at=dispatched + timedelta(days=1)))
        db.session.commit()


@pytest.fixture
def histories(app, client, demo):
    """Teams around an order placed in 松阳's first grid, with constructed histories."""
    clock.freeze(NOW - timedelta(days=120))
    grid = _grid(app, demo.sy)
    teams = {
        "community": demo.team_sy,  # serves everything, no history in the windows
        "grid": _team(client, demo, "第一网格服务小组", grid, ["escort"]),
        "town": _team(client, demo, "城关镇志愿服务总队", demo.town),
        "other_grid": _team(client, demo, "第二网格服务小组", _grid(app, demo.sy, "第二网格"), ["escort"]),
        "legal": _team(client, demo, "法律服务小组", demo.sy, ["legal"]),
        "inactive": _team(client, demo, "已停用小组", demo.sy),
    }
    client.patch(f"/api/v1/teams/{teams['inactive']}", json={"is_active": False}, headers=demo.headers("admin"))
    clock.freeze(NOW)
    day = timedelta(days=1)
    # The grid's team: one order in hand, answered in 30 minutes, rated 5 and 2.
    _history(app, demo, teams["grid"], "accepted", 2 * day, timedelta(minutes=30))
    _history(app, demo, teams["grid"], "rated", 5 * day, timedelta(minutes=30), stars=5)
    _history(app, demo, teams["grid"], "rated", 6 * day, timedelta(minutes=30), stars=2)
    # The town's: nothing in hand, answered in 6 minutes, three good ratings.
    for ago, stars in ((3, 5), (4, 4), (8, 5)):
        _history(app, demo, teams["town"], "rated", ago * day, timedelta(minutes=6), stars=stars)
    # The community's: only history older than both windows (slow, rated 1): it counts for nothing.
    _history(app, demo, teams["community"], "closed", 100 * day, timedelta(hours=10), stars=1)
    order = demo.create_order(area_id=grid)
    return teams, order


def test_dispatch_teams_are_exactly_the_eligible_ranked(client, demo, histories):
    """Does staff's order detail list exactly the teams that may take it, ranked, with their reasons?"""
    teams, order = histories
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()
    ranked = detail["dispatch_teams"]
    assert [t["team_id"] for t in ranked] == [teams["grid"], teams["town"], teams["community"]]
    assert [t["score"] for t in ranked] == [73.3, 68.2, 67.5]
    assert ranked[0]["reasons"] == ["本网格", "当前 1 单", "近30天平均 30 分钟接单", "满意率 50%（2 次评价）"]
    assert ranked[1]["reasons"] == ["上级区域（城关镇）", "当前无在办工单", "近30天平均 6 分钟接单", "满意率 100%（3 次评价）"]
    assert ranked[2]["reasons"] == ["本社区", "当前无在办工单", "近30天无接单记录", "暂无评价"]
    assert ranked[0]["name"] == "第一网格服务小组" and ranked[0]["area_id"] == order["area_id"]


def test_load_moves_a_team_down(app, client, demo, histories):
    """Do three more orders in the grid team's hands put it below the town's and the community's?"""
    teams, order = histories
    for ago in (1, 1, 2):
        _history(app, demo, teams["grid"], "dispatched", timedelta(hours=ago), None)
    ranked = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()["dispatch_teams"]
    assert [t["team_id"] for t in ranked] == [teams["town"], teams["community"], teams["grid"]]
    assert "当前 4 单" in ranked[2]["reasons"]


def test_a_full_teams_load_is_counted_up_to_a_hundred(app, client, demo, histories):
    """Is a backlog past LOAD_COUNTED shown as "100 单以上" (and scored as a hundred), the count stopping there?"""
    from app import gendata
    from app.dispatch.ranking import LOAD_COUNTED

    teams, order = histories
    with app.app_context():
        gendata.add_dispatched_orders(teams["town"], LOAD_COUNTED + 20, demo.user_ids["resident2"])
    ranked = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()["dispatch_teams"]
    town = next(t for t in ranked if t["team_id"] == teams["town"])
    assert town["reasons"][1] == f"当前 {LOAD_COUNTED} 单以上"
    # Two levels up 10, a hundred in hand 25/101, answering in 6 minutes 20·60/66, all ratings good 15.
    assert town["score"] == round(10 + 25 / (1 + LOAD_COUNTED) + 20 * 60 / 66 + 15, 1)
    assert [t["team_id"] for t in ranked] == [teams["grid"], teams["community"], teams["town"]]


def test_every_suggested_team_is_accepted_by_dispatch(client, demo, histories):
    """Is each suggestion one that dispatch accepts, and a team left out one it refuses? (one rule)"""
    teams, order = histories
    suggested = {t["team_id"] for t in client.get(f"/api/v1/orders/{order['id']}",
                                                  headers=demo.headers("staff_sy")).get_json()["dispatch_teams"]}
    for name in ("other_grid", "legal", "inactive"):
        refused = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": teams[name]},
                              headers=demo.headers("staff_sy"))
        assert refused.status_code == 422 and teams[name] not in suggested
    refused = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": demo.team_qs},
                          headers=demo.headers("staff_sy"))
    assert refused.status_code == 422
    ok = demo.act(order["id"], "dispatch", "staff_sy", {"team_id": teams["town"]})
    assert ok["status"] == "dispatched" and "dispatch_teams" not in ok


@pytest.mark.parametrize("who", ["resident", "vol1", "grid_sy", "leader_sy"])
def test_only_staff_who_may_dispatch_see_suggestions(client, demo, who):
    """Do the requester, volunteers and grid workers get the order without dispatch_teams?"""
    order = demo.create_order()
    if who in ("vol1", "leader_sy"):
        demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers(who)).get_json()
    assert "dispatch_teams" not in detail


# --- automatic dispatch ---------------------------------------------------------------------------

def _auto(client, demo, area_id: int, on: bool, who: str = "staff_sy"):
    return client.patch(f"/api/v1/areas/{area_id}", json={"auto_dispatch": on}, headers=demo.headers(who))


@pytest.mark.parametrize("who, status", [("staff_sy", 200), ("admin", 200), ("staff_qs", 404), ("grid_sy", 404),
                                         ("resident", 404)])
def test_who_may_switch_automatic_dispatch(client, demo, who, status):
    """May staff and admins of the area switch auto_dispatch, and nobody else (404, unchanged)?"""
    response = _auto(client, demo, demo.sy, True, who)
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["auto_dispatch"] is True
    areas = client.get(f"/api/v1/areas?parent_id={demo.town}").get_json()["items"]
    assert next(a for a in areas if a["id"] == demo.sy)["auto_dispatch"] is (status == 200)


def test_staff_may_not_rename_an_area(client, demo):
    """Is renaming still for admins only (staff get 404)?"""
    assert client.patch(f"/api/v1/areas/{demo.sy}", json={"name": "改名社区"},
                        headers=demo.headers("staff_sy")).status_code == 404


def test_an_order_goes_to_the_one_eligible_team(app, client, demo):
    """With auto_dispatch on, is an order (also in a grid below) dispatched at creation to the one team that may
    take it, by the system with note 自动派单, its members told, and may staff still cancel it?"""
    assert _auto(client, demo, demo.sy, True).status_code == 200
    order = demo.create_order(area_id=_grid(app, demo.sy))
    assert order["status"] == "dispatched" and order["team_id"] == demo.team_sy
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()
    dispatch = [e for e in detail["events"] if e["action"] == "dispatch"]
    assert len(dispatch) == 1 and dispatch[0]["actor_id"] is None and dispatch[0]["note"] == "自动派单"
    assert dispatch[0]["actor_name"] == "系统"
    with app.app_context():
        from app.notifications.models import Notification

        told = set(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "dispatched", Notification.order_id == order["id"])))
    assert told == {demo.user_ids[k] for k in ("leader_sy", "vol1", "vol2")}
    # The team may accept it as any dispatched order; staff may cancel it instead.
    assert "accept" in client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("vol1")).get_json()[
        "allowed_actions"]
    cancelled = demo.act(order["id"], "cancel", "staff_sy", {"reason": "派错了，重新下单"})
    assert cancelled["status"] == "cancelled"


def test_two_eligible_teams_leave_the_order_to_staff(client, demo):
    """With two teams that may take it, or auto_dispatch off, does the order wait for staff?"""
    order = demo.create_order()
    assert order["status"] == "ordered"
    _auto(client, demo, demo.sy, True)
    _team(client, demo, "城关镇志愿服务总队", demo.town)
    order = demo.create_order()
    assert order["status"] == "ordered" and order["team_id"] is None
    # A category only the town's narrow team serves: one team again.
    _auto(client, demo, demo.sy, False)
    assert demo.create_order()["status"] == "ordered"


def test_a_declined_automatic_order_is_dispatched_again_by_staff(client, demo):
    """Is an automatically dispatched order that the team declines back with staff, who dispatch it again?"""
    _auto(client, demo, demo.sy, True)
    order = demo.create_order()
    back = demo.act(order["id"], "decline", "vol1", {"reason": "这周人手不够"})
    assert back["status"] == "ordered"
    again = demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    assert again["status"] == "dispatched"


# --- duplicates -----------------------------------------------------------------------------------

def test_possible_duplicates_on_create(client, demo):
    """Does a create list the requester's open orders of the category from the last 3 days, and only those?"""
    clock.freeze(NOW - timedelta(days=4))
    old = demo.create_order()
    clock.freeze(NOW - timedelta(hours=20))
    first = demo.create_order()
    assert first["possible_duplicates"] == []
    cancelled = demo.create_order()
    demo.act(cancelled["id"], "cancel", "resident")
    demo.create_order(category="repair")
    demo.create_order("resident2")
    clock.freeze(NOW)
    second = demo.create_order()
    assert second["possible_duplicates"] == [first["id"]] and old["id"] not in second["possible_duplicates"]
    # The form's check before sending says the same.
    found = client.get("/api/v1/orders/possible-duplicates?category=escort", headers=demo.headers("resident"))
    assert [o["id"] for o in found.get_json()["items"]] == [first["id"], second["id"]]
    assert found.get_json()["items"][0]["title"] and found.get_json()["items"][0]["status"] == "ordered"


def test_orders_filed_for_different_residents_are_not_duplicates(client, demo):
    """Are a grid worker's orders for two residents apart, and two for the same resident a duplicate?"""
    one = demo.create_order("grid_sy", on_behalf_of={"name": "王奶奶", "phone": "13900000001"})
    other = demo.create_order("grid_sy", on_behalf_of={"name": "李爷爷", "phone": "13900000002"})
    again = demo.create_order("grid_sy", on_behalf_of={"name": "王奶奶", "phone": "13900000001"})
    assert other["possible_duplicates"] == [] and again["possible_duplicates"] == [one["id"]]
    found = client.get("/api/v1/orders/possible-duplicates?category=escort&on_behalf_phone=13900000002",
                       headers=demo.headers("grid_sy")).get_json()["items"]
    assert [o["id"] for o in found] == [other["id"]]


def test_a_new_order_names_its_latest_duplicates_only(client, demo):
    """Does a requester with more open orders of a kind than SHOWN see the SHOWN latest, oldest first — and are a grid
    worker's many orders for other residents no crowd in front of the one for the same resident?"""
    from app.dispatch.duplicates import SHOWN

    mine = [demo.create_order()["id"] for _ in range(SHOWN + 2)]
    again = demo.create_order()
    assert again["possible_duplicates"] == mine[-SHOWN:]
    found = client.get("/api/v1/orders/possible-duplicates?category=escort", headers=demo.headers("resident"))
    assert [o["id"] for o in found.get_json()["items"]] == mine[-SHOWN + 1:] + [again["id"]]

    wang = {"name": "王奶奶", "phone": "13900000001"}
    first = demo.create_order("grid_sy", on_behalf_of=wang)
    for n in range(SHOWN + 1):
        demo.create_order("grid_sy", on_behalf_of={"name": "李爷爷", "phone": f"139000001{n:02d}"})
    assert demo.create_order("grid_sy", on_behalf_of=wang)["possible_duplicates"] == [first["id"]]
    found = client.get("/api/v1/orders/possible-duplicates?category=escort&on_behalf_phone=13900000001",
                       headers=demo.headers("grid_sy")).get_json()["items"]
    assert [o["id"] for o in found][0] == first["id"] and len(found) == 2


def test_the_dispatch_queue_marks_duplicates_and_staff_cancel_one(client, demo):
    """Does staff's queue check mark both orders of a pair, and can staff cancel one naming the other?"""
    first, second, lone = demo.create_order(), demo.create_order(), demo.create_order("resident2")
    ids = f"{first['id']},{second['id']},{lone['id']}"
    marks = client.get(f"/api/v1/orders/duplicates?ids={ids}", headers=demo.headers("staff_sy")).get_json()
    assert marks["items"] == [{"order_id": first["id"], "duplicates": [second["id"]]},
                              {"order_id": second["id"], "duplicates": [first["id"]]}]
    # Outside staff's areas: nothing is revealed.
    other = client.get(f"/api/v1/orders/duplicates?ids={ids}", headers=demo.headers("staff_qs")).get_json()
    assert other["items"] == []
    cancelled = demo.act(second["id"], "cancel", "staff_sy", {"reason": f"与工单 #{first['id']} 重复"})
    assert cancelled["cancel_reason"] == f"与工单 #{first['id']} 重复"
    marks = client.get(f"/api/v1/orders/duplicates?ids={ids}", headers=demo.headers("staff_sy")).get_json()
    assert marks["items"] == []


@pytest.mark.parametrize("query", ["", "?ids=", "?ids=abc", "?ids=" + ",".join(["1"] * 51)])
def test_duplicate_marks_refuse_bad_ids(client, demo, query):
    """Are missing, malformed or too many ids a 422 in the contract's shape?"""
    response = client.get(f"/api/v1/orders/duplicates{query}", headers=demo.headers("staff_sy"))
    assert response.status_code == 422 and response.get_json()["code"] == "validation_error"


def test_staff_read_many_details_at_once(demo, live_server):
    """Do eight of staff's order details read at once (the 派单台 loads the suggestions in parallel) all answer 200,
    though each writes its row of the access log (SQLite: the read ends before the write)?"""
    import threading

    import requests

    orders = [demo.create_order(description=f"需要陪同去县医院复查第{n}次") for n in range(8)]
    headers = demo.headers("staff_sy")
    codes = []
    barrier = threading.Barrier(len(orders))

    def read(order_id):
        barrier.wait()
        codes.append(requests.get(f"{live_server}/api/v1/orders/{order_id}", headers=headers, timeout=30).status_code)

    threads = [threading.Thread(target=read, args=(o["id"],)) for o in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [200] * len(orders)
