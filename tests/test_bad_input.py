"""Bad input for every endpoint of the five-order workflow: 400/404/422 with the contract's body, never a 500.

Each test walks one endpoint through wrong types, unknown fields, missing fields, out-of-range values and
bad ids, collects what every case answered, and compares the whole table at once.
"""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.offerings.models import Offering
from app.orders.models import Order, OrderEvent
from app.teams.models import Team, TeamMember

HUGE = 10**30
NOT_FOUND_ID = 999999
LONG = "字" * 2001

# Values a field of each kind must refuse with a 422 (on that field).
WRONG = {
    "id": ["abc", 1.5, True, [], {}, "", None, 0, -1, 2**31, HUGE, 1e300],
    "id_or_null": ["abc", 1.5, True, [], {}, "", 0, -1, 2**31, HUGE],
    "text": [123, 1.5, True, [], {}, None, LONG, "a\u0000b", "坏\ud800字"],
    "required_text": [123, True, [], {}, None, "", "   ", LONG, "a\u0000b", "坏\ud800字"],
    "phone": [13800001234, "12345", "1380000123x", "", None, "138000012345"],
    "text_list": ["escort", 12, [12], [None], [""], [LONG], ["a\u0000"], {}, None],
    "id_list": ["1", 1, ["abc"], [None], [0], [HUGE], {}, None],
    "photos": ["abc", ["short"], ["g" * 32], [None], [1], ["a" * 32] * 10, {}, None],
    "stars": [0, 6, -1, 4.5, "5", True, None, [], HUGE],
    "minutes": [0, 721, -1, 1.5, "60", True, None, [], HUGE],
    "bool": ["maybe", 2, [], {}, None],
    "on_behalf_of": ["李奶奶", [], 1, {"name": "李奶奶"}, {"phone": "13900005678"},
                     {"name": "李奶奶", "phone": "123"}, {"name": "李奶奶", "phone": "13900005678", "x": 1}],
}
SHAPES = {"a list": "[1, 2]", "a string": '"text"', "a number": "42", "null": "null", "broken": "{bad",
          "not UTF-8": b"\xff\xfe\x00", "too deep": "[" * 50000}


def call(client, method, url, headers, body=None, raw=None):
    if raw is not None:
        return client.open(url, method=method, data=raw, content_type="application/json", headers=headers)
    return client.open(url, method=method, json=body, headers=headers)


def answer(response, field=None) -> str:
    """What a response amounts to: its status, and whether a 422 names the field, in one string."""
    status = response.status_code
    body = response.get_json(silent=True) or {}
    if status >= 500 or "code" not in body or "message" not in body:
        return f"{status} {body}"
    if status == 422 and field is not None and field not in (body.get("errors") or {}):
        return f"422 without {field}: {body.get('errors')}"
    return str(status)


def body_table(client, method, url, headers, valid: dict, kinds: dict, required: set) -> dict:
    """Every bad body for one endpoint, and what each answered."""
    seen = {}
    seen["unknown field"] = answer(call(client, method, url, headers, {**valid, "sneaky": 1}), "sneaky")
    for name, raw in SHAPES.items():
        seen[f"body is {name}"] = answer(call(client, method, url, headers, raw=raw))
    for field in sorted(required):
        seen[f"missing {field}"] = answer(call(client, method, url, headers,
                                               {k: v for k, v in valid.items() if k != field}), field)
    for field, kind in kinds.items():
        for value in WRONG[kind]:
            seen[f"{field}={value!r:.40}"] = answer(call(client, method, url, headers, {**valid, field: value}),
                                                    field)
    return seen


def expected_body_table(table: dict) -> dict:
    """The same cases, as they should be: 400 for bodies that are not JSON, 422 for the rest."""
    shapes_400 = {"body is broken", "body is not UTF-8", "body is too deep"}
    return {case: "400" if case in shapes_400 else "422" for case in table}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- JSON bodies -----------------------------------------------------------------------------------

ORDER_KINDS = {"category": "required_text", "description": "required_text", "address": "required_text",
               "contact_name": "required_text", "contact_phone": "phone", "area_id": "id", "title": "text",
               "offering_id": "id_or_null", "preferred_time": "text", "photos": "photos",
               "on_behalf_of": "on_behalf_of"}
ORDER_REQUIRED = {"category", "description", "address", "contact_name", "contact_phone", "area_id"}


def test_create_order(demo, client, app):
    """Is every bad body for POST /orders refused, and nothing made?"""
    table = body_table(client, "POST", "/api/v1/orders", demo.headers("staff_sy"), demo.order_body(),
                       ORDER_KINDS, ORDER_REQUIRED)
    assert table == expected_body_table(table)
    # References to nothing: each a 422 on its field.
    for field, value in [("area_id", NOT_FOUND_ID), ("offering_id", NOT_FOUND_ID), ("category", "nope"),
                         ("photos", ["0" * 32])]:
        assert answer(call(client, "POST", "/api/v1/orders", demo.headers("resident"),
                           demo.order_body(**{field: value})), field) == "422", field
    assert count(app, Order) == 0


ACTIONS = {
    # action: (status the order is in, who acts, a valid body, field kinds, required fields)
    "dispatch": ("ordered", "staff_sy", {"team_id": "TEAM"}, {"team_id": "id", "note": "text"}, {"team_id"}),
    "accept": ("dispatched", "vol1", {}, {}, set()),
    "decline": ("dispatched", "vol1", {"reason": "没空"}, {"reason": "required_text"}, {"reason"}),
    "start": ("accepted", "vol1", {}, {}, set()),
    "complete": ("in_service", "vol1", {"result": "已完成"}, {"result": "required_text", "photos": "photos",
                                                            "service_minutes": "minutes", "helpers": "id_list"},
                 {"result"}),
    "rate": ("completed", "resident", {"stars": 5}, {"stars": "stars", "comment": "text", "tags": "text_list"},
             {"stars"}),
    "cancel": ("ordered", "resident", {"reason": "不需要了"}, {"reason": "text"}, set()),
    "close": ("completed", "staff_sy", {"note": "已回访"}, {"note": "text"}, set()),
    "reopen": ("rated", "staff_sy", {"reason": "未解决"}, {"reason": "required_text"}, {"reason"}),
    "review": ("rated", "staff_sy", {"note": "已回访"}, {"note": "required_text"}, {"note"}),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_order_action(demo, client, app, action):
    """Is every bad body for this order action refused, leaving the order and its events as they were?"""
    status, who, valid, kinds, required = ACTIONS[action]
    valid = {k: (demo.team_sy if v == "TEAM" else v) for k, v in valid.items()}
    order = demo.order_at(status)
    url = f"/api/v1/orders/{order['id']}/{action}"
    events = count(app, OrderEvent)
    table = body_table(client, "POST", url, demo.headers(who), valid, kinds, required)
    assert table == expected_body_table(table)
    if action == "dispatch":
        assert answer(call(client, "POST", url, demo.headers(who), {"team_id": NOT_FOUND_ID}), "team_id") == "422"
    assert count(app, OrderEvent) == events
    assert client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers(who)).get_json()["status"] == status
    # And the valid body still works: the refusals were about the input, not the order.
    assert call(client, "POST", url, demo.headers(who), valid).status_code == 200


def test_bodiless_actions_accept_nothing_at_all(demo, client):
    """Do accept and start take no body, an empty body or {} alike?"""
    for index, body in enumerate([None, "", "{}"]):
        order = demo.order_at("dispatched")
        response = client.post(f"/api/v1/orders/{order['id']}/accept", data=body, headers=demo.headers("vol1"),
                               content_type="application/json" if body is not None else None)
        assert response.status_code == 200, (index, response.get_json())


TEAM_KINDS = {"name": "required_text", "area_id": "id", "description": "text", "category_codes": "text_list",
              "leader_id": "id_or_null"}


def test_create_team(demo, client, app):
    """Is every bad body for POST /teams refused, and no team made?"""
    before = count(app, Team)
    valid = {"name": "新服务队", "area_id": demo.sy}
    table = body_table(client, "POST", "/api/v1/teams", demo.headers("staff_sy"), valid, TEAM_KINDS,
                       {"name", "area_id"})
    assert table == expected_body_table(table)
    for field, value in [("area_id", NOT_FOUND_ID), ("leader_id", NOT_FOUND_ID), ("category_codes", ["nope"])]:
        assert answer(call(client, "POST", "/api/v1/teams", demo.headers("staff_sy"), {**valid, field: value}),
                      field) == "422", field
    assert count(app, Team) == before


def test_update_team(demo, client):
    """Is every bad body for PATCH /teams/{id} refused, the team unchanged?"""
    kinds = {"name": "required_text", "description": "text", "category_codes": "text_list", "leader_id": "id",
             "is_active": "bool"}
    url = f"/api/v1/teams/{demo.team_sy}"
    table = body_table(client, "PATCH", url, demo.headers("staff_sy"), {"description": "简介"}, kinds, set())
    assert table == expected_body_table(table)
    assert answer(call(client, "PATCH", url, demo.headers("staff_sy"), {"leader_id": NOT_FOUND_ID}),
                  "leader_id") == "422"
    team = client.get(url).get_json()
    assert team["is_active"] is True and team["name"] == "松阳社区党员志愿服务队"


def test_join_team(demo, client, app):
    """Is every bad body for POST /teams/join refused, making no member?"""
    before = count(app, TeamMember)
    table = body_table(client, "POST", "/api/v1/teams/join", demo.headers("resident"), {"invite_code": "ABCDEF"},
                       {"invite_code": "required_text"}, {"invite_code"})
    assert table == expected_body_table(table)
    assert count(app, TeamMember) == before


def test_add_member(demo, client, app):
    """Is every bad body for POST /teams/{id}/members refused, making no member?"""
    before = count(app, TeamMember)
    table = body_table(client, "POST", f"/api/v1/teams/{demo.team_sy}/members", demo.headers("staff_sy"),
                       {"user_id": demo.user_ids["resident"]}, {"user_id": "id"}, {"user_id"})
    assert table == expected_body_table(table)
    assert answer(call(client, "POST", f"/api/v1/teams/{demo.team_sy}/members", demo.headers("staff_sy"),
                       {"user_id": NOT_FOUND_ID}), "user_id") == "422"
    assert count(app, TeamMember) == before


OFFERING_KINDS = {"team_id": "id", "category": "required_text", "title": "required_text", "description": "text",
                  "service_times": "text", "served_area_ids": "id_list"}


def test_create_offering(demo, client, app):
    """Is every bad body for POST /offerings refused, and nothing published?"""
    before = count(app, Offering)
    valid = {"team_id": demo.team_sy, "category": "repair", "title": "上门修理"}
    table = body_table(client, "POST", "/api/v1/offerings", demo.headers("leader_sy"), valid, OFFERING_KINDS,
                       {"team_id", "category", "title"})
    assert table == expected_body_table(table)
    for field, value in [("team_id", NOT_FOUND_ID), ("category", "nope"), ("served_area_ids", [NOT_FOUND_ID])]:
        assert answer(call(client, "POST", "/api/v1/offerings", demo.headers("leader_sy"), {**valid, field: value}),
                      field) == "422", field
    assert count(app, Offering) == before


@pytest.mark.parametrize("action", ["approve", "reject", "withdraw"])
def test_offering_review(demo, client, action):
    """Is every bad body for approving, rejecting or withdrawing an offering refused, leaving it pending?"""
    offering = client.post("/api/v1/offerings", json={"team_id": demo.team_sy, "category": "repair",
                                                      "title": "上门修理"}, headers=demo.headers("leader_sy")).get_json()
    who = "leader_sy" if action == "withdraw" else "staff_sy"
    valid, kinds, required = ({"reason": "请补充服务时间"}, {"reason": "required_text"}, {"reason"}) \
        if action == "reject" else ({}, {}, set())
    url = f"/api/v1/offerings/{offering['id']}/{action}"
    table = body_table(client, "POST", url, demo.headers(who), valid, kinds, required)
    assert table == expected_body_table(table)
    assert client.get(f"/api/v1/offerings/{offering['id']}", headers=demo.headers(who)).get_json()["status"] == \
        "pending"


# --- query strings ---------------------------------------------------------------------------------

LIST_QUERIES = {
    "/api/v1/orders": ["limit=0", "limit=51", "limit=x", "limit=1e3", "cursor=@@@", "status=lost",
                       "status=ordered,lost", "area_id=x", "area_id=0", f"area_id={HUGE}", f"area_id={NOT_FOUND_ID}",
                       "team_id=x", f"team_id={HUGE}", "category=nope", "category=%00", "overdue=maybe",
                       "needs_review=2", "view=everything"],
    "/api/v1/ratings": ["limit=0", "limit=51", "cursor=@@@", "max_stars=0", "max_stars=6", "max_stars=x",
                        "reviewed=maybe"],
    "/api/v1/teams": ["limit=0", "limit=99", "cursor=@@@", "area_id=x", f"area_id={HUGE}",
                      f"area_id={NOT_FOUND_ID}", "include_inactive=maybe"],
    "/api/v1/offerings": ["limit=0", "limit=51", "cursor=@@@", "area_id=x", f"area_id={HUGE}",
                          f"area_id={NOT_FOUND_ID}", "team_id=-1", "category=nope", "status=lost"],
}


@pytest.mark.parametrize("path", list(LIST_QUERIES))
def test_list_queries(demo, client, path):
    """Is every bad query of a list a 422 naming its parameter?"""
    headers = demo.headers("staff_sy")
    table = {q: answer(client.get(f"{path}?{q}", headers=headers), q.split("=")[0]) for q in LIST_QUERIES[path]}
    assert table == {q: "422" for q in LIST_QUERIES[path]}
    # Parameters a list does not know are ignored, not fatal.
    assert client.get(f"{path}?unknown=1", headers=headers).status_code == 200


# --- ids in paths ----------------------------------------------------------------------------------

BAD_IDS = ["0", str(NOT_FOUND_ID), str(2**31), str(2**63), str(HUGE), "abc", "-1", "1.5", "%00"]


def id_routes(demo):
    """Every route of this issue with an id in its path, as (method, template, who, valid body)."""
    routes = [("GET", "/api/v1/orders/{}", "staff_sy", None),
              ("GET", "/api/v1/teams/{}", "staff_sy", None),
              ("PATCH", "/api/v1/teams/{}", "staff_sy", {"description": "简介"}),
              ("POST", "/api/v1/teams/{}/members", "staff_sy", {"user_id": demo.user_ids["resident"]}),
              ("DELETE", "/api/v1/teams/{}/members/" + str(demo.user_ids["vol2"]), "staff_sy", None),
              ("DELETE", f"/api/v1/teams/{demo.team_sy}/members/{{}}", "staff_sy", None),
              ("GET", "/api/v1/offerings/{}", "staff_sy", None),
              ("POST", "/api/v1/offerings/{}/approve", "staff_sy", {}),
              ("POST", "/api/v1/offerings/{}/reject", "staff_sy", {"reason": "不行"}),
              ("POST", "/api/v1/offerings/{}/withdraw", "leader_sy", {})]
    for action, (_status, who, valid, _kinds, _required) in ACTIONS.items():
        body = {k: (demo.team_sy if v == "TEAM" else v) for k, v in valid.items()}
        routes.append(("POST", "/api/v1/orders/{}/" + action, who, body))
    return routes


def test_bad_ids_in_paths(demo, client):
    """Is an id that names nothing (zero, unknown, huge, not a number) a 404 on every route, never a 500?"""
    table, expected = {}, {}
    for method, template, who, body in id_routes(demo):
        for bad in BAD_IDS:
            case = f"{method} {template.format(bad)}"
            table[case] = answer(call(client, method, template.format(bad), demo.headers(who), body))
            expected[case] = "404"
    for bad in ["0" * 32, "abc", "%00" + "a" * 29, "A" * 32, "../" + "a" * 29]:
        case = f"GET /api/v1/attachments/{bad}"
        table[case] = answer(client.get(f"/api/v1/attachments/{bad}", headers=demo.headers("resident")))
        expected[case] = "404"
    assert table == expected


def test_wrong_methods_and_actions(demo, client):
    """Are a wrong method (405) and an unknown action (404) answered in the contract's shape?"""
    order = demo.create_order()
    headers = demo.headers("staff_sy")
    assert answer(client.delete(f"/api/v1/orders/{order['id']}", headers=headers)) == "405"
    assert answer(client.put("/api/v1/orders", json={}, headers=headers)) == "405"
    assert answer(client.post(f"/api/v1/orders/{order['id']}/approve", json={}, headers=headers)) == "404"
    assert answer(client.get(f"/api/v1/orders/{order['id']}/accept", headers=headers)) == "405"


def test_bad_tokens(demo, client):
    """Are a missing, malformed or forged token each a 401, never a 500?"""
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer abc.def.ghi"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer " + "x" * 5000}):
        assert answer(client.post("/api/v1/orders", json=demo.order_body(), headers=headers)) == "401"
        assert answer(client.get("/api/v1/orders", headers=headers)) == "401"
