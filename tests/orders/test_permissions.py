"""Who may do what to an order: every action × every part a user can play, with the status in each cell.

401 anonymous; 404 for those who cannot see the order; 403 for those who see it but whose part does not
allow the action; 409 invalid_transition for those whose part allows it, but not in this status; 200 allowed.
"""
import pytest

from app.extensions import db
from app.orders.models import Order

# The parts, and the demo user who plays each. The order is always the resident's, in 松阳社区; the
# assignee (once there is one) is vol1, so before acceptance vol1 is just another member of the team.
WHO = {
    "requester": "resident",
    "other_resident": "resident2",
    "assignee": "vol1",
    "team_member": "vol2",
    "team_leader": "leader_sy",
    "other_team": "leader_qs",
    "staff": "staff_sy",
    "other_staff": "staff_qs",
    "admin": "admin",
    "grid_worker": "grid_sy",
    "anonymous": None,
}
PARTS = list(WHO)

CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "invalid_transition"}

BODIES = {
    "dispatch": {"team_id": "TEAM_SY"},
    "decline": {"reason": "人手不足"},
    "complete": {"result": "已完成服务"},
    "rate": {"stars": 4, "comment": "满意"},
    "cancel": {"reason": "情况有变"},
    "close": {"note": "回访后关闭"},
    "reopen": {"reason": "回访发现问题未解决"},
    "review": {"note": "已电话回访"},
}


def row(action, status, target, cells):
    """One row of the matrix: the action on an order in `status`; cells in PARTS order."""
    codes = [int(c) for c in cells.split()]
    assert len(codes) == len(PARTS), action
    return action, status, target, dict(zip(PARTS, codes))


#                                       req oth asg mem ldr oTm stf oSt adm grd anon
MATRIX = [
    row("dispatch", "ordered", "dispatched", "403 404 404 404 404 404 200 404 200 403 401"),
    row("dispatch", "dispatched", "dispatched", "403 404 403 403 403 404 200 404 200 403 401"),  # 改派
    row("dispatch", "accepted", None,        "403 404 403 403 403 404 409 404 409 403 401"),
    row("accept", "dispatched", "accepted",  "403 404 200 200 200 404 403 404 403 403 401"),
    row("accept", "accepted", None,          "403 404 409 409 409 404 403 404 403 403 401"),
    row("decline", "dispatched", "ordered",  "403 404 200 200 200 404 403 404 403 403 401"),
    row("decline", "accepted", None,         "403 404 409 409 409 404 403 404 403 403 401"),
    row("start", "accepted", "in_service",   "403 404 200 403 403 404 403 404 403 403 401"),
    row("start", "in_service", None,         "403 404 409 403 403 404 403 404 403 403 401"),
    row("complete", "in_service", "completed", "403 404 200 403 200 404 403 404 403 403 401"),
    row("complete", "accepted", "completed", "403 404 200 403 200 404 403 404 403 403 401"),
    row("complete", "completed", None,       "403 404 409 403 409 404 403 404 403 403 401"),
    row("rate", "completed", "rated",        "200 404 403 403 403 404 403 404 403 403 401"),
    row("rate", "rated", None,               "409 404 403 403 403 404 403 404 403 403 401"),
    row("cancel", "ordered", "cancelled",    "200 404 404 404 404 404 200 404 200 403 401"),
    row("cancel", "dispatched", "cancelled", "200 404 403 403 403 404 200 404 200 403 401"),
    row("cancel", "accepted", "cancelled",   "409 404 403 403 403 404 200 404 200 403 401"),
    row("cancel", "completed", None,         "409 404 403 403 403 404 409 404 409 403 401"),
    row("close", "completed", "closed",      "403 404 403 403 403 404 200 404 200 403 401"),
    row("close", "rated", None,              "403 404 403 403 403 404 409 404 409 403 401"),
    row("reopen", "rated", "ordered",        "403 404 403 403 403 404 200 404 200 403 401"),
    row("reopen", "in_service", None,        "403 404 403 403 403 404 409 404 409 403 401"),
    row("review", "rated", "rated",          "403 404 403 403 403 404 200 404 200 403 401"),
    row("review", "completed", None,         "403 404 403 403 403 404 409 404 409 403 401"),
]


# 改派 goes to another team than the order's own (the town's, made by the test).
STATUS_BODIES = {("dispatch", "dispatched"): {"team_id": "TEAM_TOWN"}}


def _body(demo, action, status=None):
    body = dict(STATUS_BODIES.get((action, status), BODIES.get(action, {})))
    if body.get("team_id") == "TEAM_SY":
        body["team_id"] = demo.team_sy
    elif body.get("team_id") == "TEAM_TOWN":
        body["team_id"] = demo.team_town
    return body


def _stored(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        return order.status, order.version


def _try(demo, app, client, action, status, target, part, expected) -> tuple[int, list[str]]:
    """One cell on a fresh order: the status the part gets, and anything else that went wrong."""
    order = demo.order_at(status)
    who = WHO[part]
    headers = demo.headers(who) if who else {}
    problems = []
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=headers)
    if seen.status_code == 200:
        if (action in seen.get_json()["allowed_actions"]) != (expected == 200):
            problems.append(f"allowed_actions {seen.get_json()['allowed_actions']} disagree")
    elif seen.status_code != expected:
        problems.append(f"GET answered {seen.status_code}")
    before = _stored(app, order["id"])
    response = client.post(f"/api/v1/orders/{order['id']}/{action}", json=_body(demo, action, status),
                           headers=headers)
    body = response.get_json()
    if response.status_code == 200:
        last = body["events"][-1]
        if body["status"] != target or last["action"] != action or last["actor_id"] != demo.user_ids[who]:
            problems.append(f"moved to {body['status']} with event {last}")
        if _stored(app, order["id"]) != (target, before[1] + 1):
            problems.append("stored order did not move with its version")
    else:
        if body.get("code") != CODES.get(response.status_code):
            problems.append(f"code {body.get('code')}")
        if _stored(app, order["id"]) != before:
            problems.append("a refused action changed the order")
    return response.status_code, problems


@pytest.mark.parametrize(("action", "status", "target", "expected"), MATRIX,
                         ids=[f"{action}@{status}" for action, status, _, _ in MATRIX])
def test_action_matrix(demo, app, client, action, status, target, expected):
    """Does every part get the matrix's status for this action, with buttons and stored order agreeing?"""
    if (action, status) in STATUS_BODIES:
        made = client.post("/api/v1/teams", json={"name": "城关镇志愿服务总队", "area_id": demo.town},
                           headers=demo.headers("admin"))
        assert made.status_code == 201, made.get_json()
        demo.team_town = made.get_json()["id"]
    actual, problems = {}, {}
    for part in PARTS:
        actual[part], found = _try(demo, app, client, action, status, target, part, expected[part])
        if found:
            problems[part] = found
    assert actual == expected
    assert problems == {}


VIEW = {"requester": 200, "other_resident": 404, "assignee": 200, "team_member": 200, "team_leader": 200,
        "other_team": 404, "staff": 200, "other_staff": 404, "admin": 200, "grid_worker": 200, "anonymous": 401}


def test_who_sees_an_order(demo, client):
    """Does each part see (200), not see (404) or need to log in (401) for a dispatched order, and lists agree?"""
    order = demo.order_at("dispatched")
    seen, listed = {}, {}
    for part, who in WHO.items():
        headers = demo.headers(who) if who else {}
        seen[part] = client.get(f"/api/v1/orders/{order['id']}", headers=headers).status_code
        page = client.get("/api/v1/orders", headers=headers)
        listed[part] = page.status_code if page.status_code != 200 else (
            200 if order["id"] in [o["id"] for o in page.get_json()["items"]] else 404)
    assert seen == VIEW
    assert listed == VIEW


def test_unknown_action_and_order(demo, client):
    """Are an unknown action and an unknown order both 404?"""
    order = demo.create_order()
    headers = demo.headers("staff_sy")
    assert client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=headers).status_code == 404
    assert client.post("/api/v1/orders/999999/dispatch", json={"team_id": demo.team_sy},
                       headers=headers).status_code == 404


def test_dispatch_needs_a_team_serving_the_order(demo, client, app):
    """Is dispatching to another community's team, an inactive team or one not serving the category a 422?"""
    order = demo.create_order()
    headers = demo.headers("staff_sy")
    other = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": demo.team_qs}, headers=headers)
    assert other.status_code == 422 and "team_id" in other.get_json()["errors"]

    narrow = client.post("/api/v1/teams", json={"name": "法律服务小组", "area_id": demo.sy,
                                                "category_codes": ["legal"]}, headers=headers).get_json()
    wrong = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": narrow["id"]}, headers=headers)
    assert wrong.status_code == 422 and "team_id" in wrong.get_json()["errors"]

    client.patch(f"/api/v1/teams/{demo.team_sy}", json={"is_active": False}, headers=headers)
    inactive = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": demo.team_sy},
                           headers=headers)
    assert inactive.status_code == 422
    assert _stored(app, order["id"]) == ("ordered", 1)

    # A team founded at the town serves every community under it; one with no categories serves all.
    town_team = client.post("/api/v1/teams", json={"name": "城关镇志愿服务总队", "area_id": demo.town},
                            headers=demo.headers("admin")).get_json()
    ok = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": town_team["id"]}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["team_id"] == town_team["id"]


# --- masking -------------------------------------------------------------------------------------

FULL = ("13800001234", "松阳小区3栋2单元")
MASKED = ("138****1234", "松阳社区")


def contact(client, demo, order_id, who):
    order = client.get(f"/api/v1/orders/{order_id}", headers=demo.headers(who)).get_json()
    return order["contact_phone"], order["address"]


def test_contact_is_masked_for_team_members_but_the_assignee(demo, client):
    """Do team members other than the assignee see 138****1234 and the community, and the rest it all?"""
    order = demo.order_at("dispatched")
    assert {who: contact(client, demo, order["id"], who) for who in ("vol1", "vol2", "leader_sy")} == {
        "vol1": MASKED, "vol2": MASKED, "leader_sy": MASKED}
    demo.act(order["id"], "accept", "vol1")
    seen = {who: contact(client, demo, order["id"], who)
            for who in ("resident", "vol1", "vol2", "leader_sy", "staff_sy", "admin", "grid_sy")}
    # A grid worker sees it whole only on orders they filed (issue 14): this one the resident filed.
    assert seen == {"resident": FULL, "vol1": FULL, "vol2": MASKED, "leader_sy": MASKED, "staff_sy": FULL,
                    "admin": FULL, "grid_sy": MASKED}
    # Lists mask the same way.
    items = {o["id"]: o for o in client.get("/api/v1/orders", headers=demo.headers("vol2")).get_json()["items"]}
    assert (items[order["id"]]["contact_phone"], items[order["id"]]["address"]) == MASKED
    items = {o["id"]: o for o in client.get("/api/v1/orders", headers=demo.headers("vol1")).get_json()["items"]}
    assert (items[order["id"]]["contact_phone"], items[order["id"]]["address"]) == FULL
    # The responses to actions too: the leader completing for vol1 gets the masked order back.
    done = demo.act(order["id"], "complete", "leader_sy", {"result": "已完成"})
    assert (done["contact_phone"], done["address"]) == MASKED


def test_masked_address_names_the_community_of_a_grid(demo, client):
    """For an order placed in a grid, do other members see the community's name, not the grid's?"""
    grid = client.get(f"/api/v1/areas?parent_id={demo.sy}").get_json()["items"][0]
    order = demo.order_at("dispatched", area_id=grid["id"])
    assert contact(client, demo, order["id"], "vol2") == MASKED
    assert contact(client, demo, order["id"], "staff_sy") == FULL


def test_on_behalf_phone_is_masked_too(demo, client):
    """Is the phone of the resident an order was filed for masked like the contact phone?"""
    order = demo.create_order("grid_sy", on_behalf_of={"name": "李奶奶", "phone": "13900005678"})
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("vol2")).get_json()
    assert seen["on_behalf_of"] == {"name": "李奶奶", "phone": "139****5678"}
    assert client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()[
        "on_behalf_of"] == {"name": "李奶奶", "phone": "13900005678"}


def test_needs_review_is_shown_to_staff_only(demo, client, app):
    """Is an order's needs_review flag shown to staff of its area and hidden from everyone else?"""
    order = demo.order_at("dispatched")
    with app.app_context():
        db.session.get(Order, order["id"]).needs_review = True
        db.session.commit()
    seen = {who: client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers(who)).get_json()["needs_review"]
            for who in ("resident", "vol1", "staff_sy", "admin")}
    assert seen == {"resident": False, "vol1": False, "staff_sy": True, "admin": True}


def test_grid_worker_sees_whole_contact_only_on_orders_they_filed(demo, client):
    """Does a grid worker see 138****1234 on their grid's orders that others filed, and the whole contact on
    the orders they filed for a resident (issue 14)?"""
    theirs = demo.order_at("dispatched")
    filed = demo.create_order("grid_sy", on_behalf_of={"name": "李奶奶", "phone": "13900005678"})
    assert contact(client, demo, theirs["id"], "grid_sy") == MASKED
    assert contact(client, demo, filed["id"], "grid_sy") == FULL
    listed = {o["id"]: (o["contact_phone"], o["address"])
              for o in client.get("/api/v1/orders", headers=demo.headers("grid_sy")).get_json()["items"]}
    assert (listed[theirs["id"]], listed[filed["id"]]) == (MASKED, FULL)


def test_on_behalf_filer_loses_whole_contact_with_their_role(demo, client, app):
    """Once the grid worker who filed an order for a resident loses the role, do they see it masked, the
    resident's phone in on_behalf_of too, while still seeing the order (issue 14)?"""
    from app.users.models import RoleGrant

    order = demo.create_order("grid_sy", on_behalf_of={"name": "李奶奶", "phone": "13900005678"})
    assert contact(client, demo, order["id"], "grid_sy") == FULL
    with app.app_context():
        db.session.execute(db.delete(RoleGrant).where(RoleGrant.user_id == demo.user_ids["grid_sy"]))
        db.session.commit()
    seen = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("grid_sy")).get_json()
    assert (seen["contact_phone"], seen["address"]) == MASKED
    assert seen["on_behalf_of"] == {"name": "李奶奶", "phone": "139****5678"}
    assert seen["allowed_actions"] == ["cancel"]  # still the order's requester
    listed = client.get("/api/v1/orders", headers=demo.headers("grid_sy")).get_json()["items"]
    assert [(o["contact_phone"], o["address"]) for o in listed if o["id"] == order["id"]] == [MASKED]


def test_review_notes_reach_staff_only(demo, client):
    """Do staff's follow-up notes of a rating (回访) stay with staff of the area: not in the rating or the
    timeline the requester, the assignee or the team see (issue 14)?"""
    order = demo.order_at("rated")
    demo.act(order["id"], "review", "staff_sy", {"note": "志愿者迟到，已批评教育"})

    def notes(who):
        seen = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers(who)).get_json()
        review = [e["note"] for e in seen["events"] if e["action"] == "review"]
        return seen["rating"]["review_note"], seen["rating"]["reviewed_by_id"] is not None, review

    hidden = ("", False, [""])
    assert {who: notes(who) for who in ("resident", "vol1", "vol2", "leader_sy")} == {
        "resident": hidden, "vol1": hidden, "vol2": hidden, "leader_sy": hidden}
    shown = ("志愿者迟到，已批评教育", True, ["志愿者迟到，已批评教育"])
    assert notes("staff_sy") == shown and notes("admin") == shown
