"""The five-order workflow over HTTP in the demo world: 点单, 派单, 接单, 服务, 评单, and what hangs on them."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.orders.models import Order, OrderEvent
from app.orders.signals import order_changed
from app.orders.transitions import ACTIONS, RULES
from tests.conftest import login
from tests.attachments.test_attachments import JPEG, PNG


def upload(client, headers, data=PNG, name="photo.png"):
    from io import BytesIO

    response = client.post("/api/v1/attachments", data={"file": (BytesIO(data), name)}, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def get_order(demo, order_id, who, status=200):
    response = demo.client.get(f"/api/v1/orders/{order_id}", headers=demo.headers(who))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def list_ids(demo, who, query=""):
    response = demo.client.get(f"/api/v1/orders{query}", headers=demo.headers(who))
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_five_steps_over_http(demo, client):
    """Does an order go 点单 → 派单 → 接单 → 服务 → 评单 over HTTP, each step seen by the right people?"""
    photo = upload(client, demo.headers("resident"))
    order = demo.create_order("resident", photos=[photo], preferred_time="明天上午")
    assert order["status"] == "ordered"
    assert order["title"] == "陪医"  # no title and no offering: the category's name
    assert order["photos"] == [photo]
    assert order["allowed_actions"] == ["cancel"]
    assert order["requester_id"] == demo.user_ids["resident"]

    # 派单: staff of the community see it waiting and dispatch it to the 松阳 team.
    assert order["id"] in list_ids(demo, "staff_sy", "?status=ordered")
    assert order["id"] not in list_ids(demo, "vol1")
    assert "dispatch" in get_order(demo, order["id"], "staff_sy")["allowed_actions"]
    order = demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy, "note": "请尽快联系"})
    assert order["status"] == "dispatched" and order["team_id"] == demo.team_sy
    assert order["dispatched_at"] is not None

    # 接单: the team's members now see it and may accept it.
    assert order["id"] in list_ids(demo, "vol1")
    assert get_order(demo, order["id"], "vol1")["allowed_actions"] == ["accept", "decline"]
    order = demo.act(order["id"], "accept", "vol1")
    assert order["status"] == "accepted" and order["assignee_id"] == demo.user_ids["vol1"]
    assert get_order(demo, order["id"], "vol1")["allowed_actions"] == ["start", "complete"]

    # 服务: start, then report the result with a photo.
    order = demo.act(order["id"], "start", "vol1")
    assert order["status"] == "in_service" and order["started_at"] is not None
    result_photo = upload(client, demo.headers("vol1"), JPEG, "result.jpg")
    order = demo.act(order["id"], "complete", "vol1", {"result": "已陪同完成复查，药已取回", "photos": [result_photo]})
    assert order["status"] == "completed" and order["result_photos"] == [result_photo]
    # The requester sees the result photo of their order.
    assert client.get(f"/api/v1/attachments/{result_photo}", headers=demo.headers("resident")).status_code == 200

    # 评单: the requester rates once.
    mine = get_order(demo, order["id"], "resident")
    assert mine["allowed_actions"] == ["rate"]
    order = demo.act(order["id"], "rate", "resident", {"stars": 5, "tags": ["准时", "耐心"], "comment": "非常感谢"})
    assert order["status"] == "rated"
    assert order["rating"]["stars"] == 5 and order["rating"]["tags"] == ["准时", "耐心"]
    assert order["rating"]["comment"] == "非常感谢"
    demo.act(order["id"], "rate", "resident", {"stars": 1}, status=409)

    timeline = get_order(demo, order["id"], "staff_sy")["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("create", None, "ordered"), ("dispatch", "ordered", "dispatched"), ("accept", "dispatched", "accepted"),
        ("start", "accepted", "in_service"), ("complete", "in_service", "completed"), ("rate", "completed", "rated"),
    ]
    assert [e["actor_id"] for e in timeline] == [demo.user_ids[w] for w in
                                                 ("resident", "staff_sy", "vol1", "vol1", "vol1", "resident")]
    assert timeline[1]["note"] == "请尽快联系"
    assert order["version"] == len(timeline)


def test_every_action_is_in_the_one_table():
    """Does the transitions table name exactly the ten actions of DESIGN §4?"""
    assert set(ACTIONS) == {"dispatch", "accept", "decline", "start", "complete", "rate", "cancel", "close",
                            "reopen", "review"}
    assert all(r.parties for r in RULES) and all(r.sources for r in RULES)


def test_due_at_comes_from_the_category(demo, app):
    """Is due_at the creation time plus the category's deadline, and is an open order past it overdue?"""
    start = clock.now().replace(microsecond=0)
    clock.freeze(start)
    escort = demo.create_order()  # 陪医: 48 hours
    haircut = demo.create_order(category="haircut", description="上门理发")  # 理发: 120 hours
    assert escort["due_at"] == (start + timedelta(hours=48)).isoformat()
    assert haircut["due_at"] == (start + timedelta(hours=120)).isoformat()
    assert escort["overdue"] is False

    clock.advance(hours=49)
    assert get_order(demo, escort["id"], "resident")["overdue"] is True
    assert get_order(demo, haircut["id"], "resident")["overdue"] is False
    assert list_ids(demo, "staff_sy", "?overdue=true") == [escort["id"]]

    # A completed order is not overdue, however late.
    done = demo.order_at("completed")
    clock.advance(hours=100)
    assert get_order(demo, done["id"], "resident")["overdue"] is False


def test_categories_are_seeded_in_chinese(client, demo):
    """Are the default categories there with Chinese names, deadlines and points?"""
    items = client.get("/api/v1/categories").get_json()["items"]
    by_code = {c["code"]: c for c in items}
    assert [c["name"] for c in items] == ["陪医", "陪护", "助老", "助困", "家电维修", "理发", "法律咨询", "心理疏导",
                                          "文体活动", "其他"]
    assert by_code["escort"]["sla_hours"] == 48 and by_code["escort"]["points"] == 20
    assert all(c["sla_hours"] > 0 and c["points"] > 0 for c in items)


def test_order_from_an_offering_takes_its_title(demo, client):
    """Does an order placed from a published offering carry it, with its title as the default?"""
    offerings = client.get(f"/api/v1/offerings?area_id={demo.sy}&category=escort").get_json()["items"]
    offering = offerings[0]
    order = demo.create_order(offering_id=offering["id"])
    assert order["offering_id"] == offering["id"] and order["title"] == offering["title"]
    titled = demo.create_order(offering_id=offering["id"], title="周三去医院")
    assert titled["title"] == "周三去医院"
    wrong = client.post("/api/v1/orders", json=demo.order_body(offering_id=offering["id"], category="legal"),
                        headers=demo.headers("resident"))
    assert wrong.status_code == 422 and "offering_id" in wrong.get_json()["errors"]


@pytest.mark.parametrize("who", ["staff_sy", "grid_sy", "admin"])
def test_on_behalf_of_a_resident(demo, who):
    """Can staff, grid workers and admins file an order for an elderly resident, recorded as such?"""
    order = demo.create_order(who, on_behalf_of={"name": "李奶奶", "phone": "13900005678"},
                              contact_name="李奶奶", contact_phone="13900005678")
    assert order["on_behalf_of"] == {"name": "李奶奶", "phone": "13900005678"}
    assert order["requester_id"] == demo.user_ids[who]
    event = get_order(demo, order["id"], who)["events"][0]
    assert event["action"] == "create" and "李奶奶" in event["note"]
    assert order["id"] in list_ids(demo, "staff_sy")


@pytest.mark.parametrize("who, changes", [("resident", {}), ("resident", {"photos": []}),
                                           ("staff_sy", {"on_behalf_of": {"name": "李奶奶", "phone": "13900005678"}})])
def test_a_new_orders_answer_is_what_the_list_shows(demo, who, changes):
    """Is POST /orders' answer, built from the order just written (no read-back), exactly the list's item of it,
    with the earlier likely duplicates; and is a replay of its Idempotency-Key the same answer again?"""
    first = demo.create_order(who, **changes)
    headers = {**demo.headers(who), "Idempotency-Key": "answer-as-listed"}
    response = demo.client.post("/api/v1/orders", json=demo.order_body(**changes), headers=headers)
    assert response.status_code == 201
    answer = response.get_json()
    listed = demo.client.get("/api/v1/orders", headers=demo.headers(who)).get_json()["items"]
    assert [item["id"] for item in listed[:2]] == [answer["id"], first["id"]]
    assert answer.pop("possible_duplicates") == [first["id"]] and first.pop("possible_duplicates") == []
    assert (answer, first) == (listed[0], listed[1])
    replay = demo.client.post("/api/v1/orders", json=demo.order_body(**changes), headers=headers)
    assert replay.status_code == 200 and replay.get_json() == {**answer, "possible_duplicates": [first["id"]]}


@pytest.mark.parametrize("who", ["resident", "vol1", "staff_qs"])
def test_on_behalf_needs_a_role_in_the_area(demo, client, who):
    """Is filing for someone else refused (403) to residents, volunteers and staff of another community?"""
    response = client.post("/api/v1/orders", json=demo.order_body(on_behalf_of={"name": "李奶奶",
                                                                                 "phone": "13900005678"}),
                           headers=demo.headers(who))
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def test_order_with_the_bound_phone(demo, client):
    """Does use_bound_phone put the requester's bound phone on the order, and refuse it without one or on behalf?"""
    headers = demo.headers("resident")
    client.post("/api/v1/me/phone", json={"code": "dev:13800005678"}, headers=headers)
    body = demo.order_body(use_bound_phone=True)
    del body["contact_phone"]
    placed = client.post("/api/v1/orders", json=body, headers=headers)
    unbound = client.post("/api/v1/orders", json=body, headers=login(client, "resident-without-phone"))
    no_phone = demo.order_body()
    del no_phone["contact_phone"]
    missing = client.post("/api/v1/orders", json=no_phone, headers=headers)
    behalf = client.post("/api/v1/orders", json=dict(body, on_behalf_of={"name": "李奶奶", "phone": "13900005678"}),
                         headers=demo.headers("staff_sy"))

    assert placed.status_code == 201, placed.get_json()
    assert placed.get_json()["contact_phone"] == "13800005678"
    assert unbound.status_code == 422 and "use_bound_phone" in unbound.get_json()["errors"]
    assert missing.status_code == 422 and "contact_phone" in missing.get_json()["errors"]
    assert behalf.status_code == 422 and "use_bound_phone" in behalf.get_json()["errors"]


def test_orders_only_in_communities_or_grids(demo, client):
    """Is an order placed on a town or county refused with a field error?"""
    for area_id in (demo.town, demo.county):
        response = client.post("/api/v1/orders", json=demo.order_body(area_id=area_id),
                               headers=demo.headers("resident"))
        assert response.status_code == 422
        assert "area_id" in response.get_json()["errors"]


def test_decline_sends_the_order_back(demo):
    """Does a decline need a reason, clear team and assignee, and let staff dispatch again?"""
    order = demo.order_at("dispatched")
    demo.act(order["id"], "decline", "vol2", {}, status=422)
    order = demo.act(order["id"], "decline", "vol2", {"reason": "本周人手不足"})
    assert order["status"] == "ordered" and order["team_id"] is None and order["assignee_id"] is None
    assert order["events"][-1]["note"] == "本周人手不足"
    # The team no longer sees it; staff may dispatch it again.
    get_order(demo, order["id"], "vol2", status=404)
    order = demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    assert order["status"] == "dispatched"


def test_leader_may_complete_for_the_assignee(demo):
    """May the team leader report the result of an order a member accepted?"""
    order = demo.order_at("accepted")
    order = demo.act(order["id"], "complete", "leader_sy", {"result": "队长代为反馈：已完成"})
    assert order["status"] == "completed"
    assert order["events"][-1]["actor_id"] == demo.user_ids["leader_sy"]


def test_cancel_rules(demo):
    """May the requester cancel before acceptance without a reason, and staff later only with one?"""
    order = demo.create_order()
    assert demo.act(order["id"], "cancel", "resident")["status"] == "cancelled"
    order = demo.order_at("dispatched")
    assert demo.act(order["id"], "cancel", "resident", {"reason": "已自行解决"})["cancel_reason"] == "已自行解决"

    accepted = demo.order_at("accepted")
    demo.act(accepted["id"], "cancel", "resident", {"reason": "不需要了"}, status=409)
    demo.act(accepted["id"], "cancel", "staff_sy", {}, status=422)
    cancelled = demo.act(accepted["id"], "cancel", "staff_sy", {"reason": "居民已住院，服务取消"})
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"] is not None
    assert cancelled["allowed_actions"] == []


def test_close_and_system_close(demo, app):
    """Do staff close a completed order, and does the system close one left unrated, with events?"""
    order = demo.order_at("completed")
    closed = demo.act(order["id"], "close", "staff_sy", {"note": "电话回访，居民不愿评价"})
    assert closed["status"] == "closed" and closed["closed_at"] is not None

    other = demo.order_at("completed")
    with app.app_context():
        from app.orders.service import system_close

        row = db.session.get(Order, other["id"])
        assert system_close(row, "7 天未评价，系统自动关闭") is True
        db.session.commit()
        assert system_close(db.session.get(Order, other["id"]), "again") is False
    after = get_order(demo, other["id"], "staff_sy")
    assert after["status"] == "closed"
    assert after["events"][-1]["actor_id"] is None and after["events"][-1]["actor_name"] == "系统"


def test_low_rating_goes_to_the_review_queue(demo, client):
    """Does a rating of 2 stars or fewer enter the staff queue, where staff record the follow-up and reopen?"""
    low = demo.order_at("completed")
    demo.act(low["id"], "rate", "resident", {"stars": 2, "tags": ["不准时"], "comment": "迟到了一个小时"})
    high = demo.order_at("rated")  # 5 stars

    queue = client.get("/api/v1/ratings", headers=demo.headers("staff_sy"))
    assert queue.status_code == 200
    items = queue.get_json()["items"]
    assert [i["order_id"] for i in items] == [low["id"]]
    assert items[0]["stars"] == 2 and items[0]["comment"] == "迟到了一个小时" and items[0]["reviewed_at"] is None
    assert high["id"] in [i["order_id"] for i in client.get(
        "/api/v1/ratings?max_stars=5", headers=demo.headers("staff_sy")).get_json()["items"]]
    # Staff of another community see nothing of it; residents may not read the queue.
    assert client.get("/api/v1/ratings", headers=demo.headers("staff_qs")).get_json()["items"] == []
    assert client.get("/api/v1/ratings", headers=demo.headers("resident")).status_code == 403

    # 回访: staff record the follow-up; the rating leaves the unreviewed queue.
    reviewed = demo.act(low["id"], "review", "staff_sy", {"note": "电话回访，已向居民致歉"})
    assert reviewed["status"] == "rated"
    assert reviewed["rating"]["review_note"] == "电话回访，已向居民致歉"
    assert reviewed["rating"]["reviewed_by_id"] == demo.user_ids["staff_sy"]
    assert client.get("/api/v1/ratings?reviewed=false", headers=demo.headers("staff_sy")).get_json()["items"] == []
    assert [i["order_id"] for i in client.get("/api/v1/ratings?reviewed=true",
                                              headers=demo.headers("staff_sy")).get_json()["items"]] == [low["id"]]

    # The follow-up found the need unmet: reopen, dispatch again, rate again.
    reopened = demo.act(low["id"], "reopen", "staff_sy", {"reason": "居民反映问题未解决"})
    assert reopened["status"] == "ordered"
    assert reopened["team_id"] is None and reopened["assignee_id"] is None and reopened["rated_at"] is None
    demo.act(low["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(low["id"], "accept", "vol2")
    demo.act(low["id"], "complete", "vol2", {"result": "再次上门，问题已解决"})
    again = demo.act(low["id"], "rate", "resident", {"stars": 4})
    assert again["rating"]["stars"] == 4 and again["rating"]["reviewed_at"] is None


def test_change_and_event_share_one_transaction(demo, app):
    """When something fails after the move, are neither the new status nor its event kept?"""
    order = demo.order_at("dispatched")

    def explode(sender, **kwargs):
        raise RuntimeError("a receiver failed")

    order_changed.connect(explode)
    try:
        response = demo.client.post(f"/api/v1/orders/{order['id']}/accept", headers=demo.headers("vol1"))
    finally:
        order_changed.disconnect(explode)
    assert response.status_code == 500
    assert response.get_json()["code"] == "internal_error" and response.get_json()["request_id"]
    after = get_order(demo, order["id"], "vol1")
    assert after["status"] == "dispatched" and after["assignee_id"] is None
    assert [e["action"] for e in after["events"]] == ["create", "dispatch"]


# --- every order's status is its events replayed -------------------------------------------------

ACTORS = ["resident", "resident2", "vol1", "vol2", "leader_sy", "leader_qs", "staff_sy", "staff_qs", "admin",
          "grid_sy"]
BODIES = {
    "dispatch": lambda demo, rng: {"team_id": rng.choice([demo.team_sy, demo.team_sy, demo.team_qs])},
    "decline": lambda demo, rng: {"reason": "人手不足"},
    "complete": lambda demo, rng: {"result": "服务已完成"},
    "rate": lambda demo, rng: {"stars": rng.randint(1, 5), "comment": "评价"},
    "cancel": lambda demo, rng: {"reason": "不需要了"} if rng.random() < 0.8 else {},
    "reopen": lambda demo, rng: {"reason": "需求未解决"},
    "review": lambda demo, rng: {"note": "已回访"},
    "close": lambda demo, rng: {},
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_status_is_replayable_from_events(demo, app, seed):
    """After a random mix of actions by random people, does folding each order's events give its status?"""
    rng = random.Random(seed)
    orders = [demo.create_order(rng.choice(["resident", "resident2", "staff_sy", "grid_sy"]))["id"]
              for _ in range(6)]
    seen = set()
    for _ in range(150):
        order_id, actor = rng.choice(orders), rng.choice(ACTORS)
        action = rng.choice(ACTIONS)
        if rng.random() < 0.7:  # mostly what the actor's buttons offer, so orders travel far
            seen_order = demo.client.get(f"/api/v1/orders/{order_id}", headers=demo.headers(actor))
            offered = seen_order.get_json().get("allowed_actions") if seen_order.status_code == 200 else None
            if offered:
                action = rng.choice(offered)
        body = BODIES.get(action, lambda demo, rng: {})(demo, rng)
        response = demo.client.post(f"/api/v1/orders/{order_id}/{action}", json=body,
                                    headers=demo.headers(actor))
        assert response.status_code in (200, 403, 404, 409, 422), (action, actor, response.get_json())
        seen.add(response.status_code)
    assert 200 in seen and 409 in seen

    with app.app_context():
        for order in db.session.scalars(select(Order)):
            events = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                                        .order_by(OrderEvent.id)).all()
            assert events[0].action == "create" and events[0].from_status is None
            status = None
            for event in events:
                assert event.from_status == status, (order.id, event.action)
                status = event.to_status
            assert status == order.status, order.id
            assert order.version == len(events)
        assert db.session.scalar(select(func.count()).select_from(OrderEvent)) > len(orders)
