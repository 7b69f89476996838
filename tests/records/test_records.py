"""志愿服务记录: minutes credited on completion (defaults, limits, helpers), on calls, reversed on reopen; the
record, who may read it, its statements; the hours export of an area."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.orders.models import Order, OrderEvent
from app.records.models import ServiceCredit
from app.users.models import User

START = datetime(2024, 5, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(START)
    yield
    clock.freeze(None)


def credits(app, **where) -> list[tuple]:
    """(user_id, minutes, reason) of the ledger's entries, oldest first."""
    with app.app_context():
        query = select(ServiceCredit.user_id, ServiceCredit.minutes, ServiceCredit.reason).order_by(ServiceCredit.id)
        for name, value in where.items():
            query = query.where(getattr(ServiceCredit, name) == value)
        return [tuple(row) for row in db.session.execute(query)]


def held(app, user_id: int) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.coalesce(func.sum(ServiceCredit.minutes), 0))
                                     .where(ServiceCredit.user_id == user_id)))


def accepted(demo, who="vol1", requester="resident", **changes) -> dict:
    order = demo.create_order(requester, **changes)
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", who)
    return order


def complete(demo, order, who="vol1", status=200, **body) -> dict:
    response = demo.client.post(f"/api/v1/orders/{order['id']}/complete", json={"result": "已完成服务", **body},
                                headers=demo.headers(who))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def served(demo, minutes=60, who="vol1", **body) -> dict:
    """An order `who` accepted, started and completed `minutes` later."""
    order = accepted(demo, who)
    demo.act(order["id"], "start", who)
    clock.advance(minutes=minutes)
    complete(demo, order, who, **body)
    return order


# --- hours on completion ------------------------------------------------------------------------

def test_default_minutes_run_from_start_to_completion(demo, app):
    """Without service_minutes, is the assignee credited the minutes from start to completion?"""
    order = accepted(demo)
    clock.advance(minutes=30)
    demo.act(order["id"], "start", "vol1")
    clock.advance(minutes=95)
    complete(demo, order)
    assert credits(app, order_id=order["id"]) == [(demo.user_ids["vol1"], 95, "order_completed")]


def test_default_minutes_run_from_accept_when_never_started(demo, app):
    """Completed straight from 已接单, are the minutes counted from acceptance?"""
    order = accepted(demo)
    clock.advance(minutes=50)
    complete(demo, order)
    assert credits(app, order_id=order["id"]) == [(demo.user_ids["vol1"], 50, "order_completed")]


@pytest.mark.parametrize("elapsed, expected", [(timedelta(days=3), 720), (timedelta(seconds=10), 1)])
def test_default_minutes_stay_within_one_to_720(demo, app, elapsed, expected):
    """Is a default longer than twelve hours taken as 720 minutes, and a moment as one?"""
    order = accepted(demo)
    clock.freeze(clock.now() + elapsed)
    complete(demo, order)
    assert credits(app, order_id=order["id"]) == [(demo.user_ids["vol1"], expected, "order_completed")]


def test_given_minutes_and_helpers_credit_everyone_who_served(demo, app):
    """Are the assignee and each helper credited the minutes given, once each, with the event recording them?"""
    order = accepted(demo)
    helpers = [demo.user_ids["vol2"], demo.user_ids["leader_sy"], demo.user_ids["vol2"], demo.user_ids["vol1"]]
    body = complete(demo, order, service_minutes=45, helpers=helpers)
    assert body["status"] == "completed"
    assert sorted(credits(app, order_id=order["id"])) == sorted(
        (demo.user_ids[w], 45, "order_completed") for w in ("vol1", "vol2", "leader_sy"))
    with app.app_context():
        event = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order["id"],
                                                            OrderEvent.action == "complete")).one()
        assert event.data["service_minutes"] == 45 and set(event.data["helpers"]) == set(helpers)


def test_a_leader_completing_credits_the_assignee_not_themself(demo, app):
    """When the team leader reports the result, is the assignee credited (and the leader only if named)?"""
    order = accepted(demo)
    complete(demo, order, "leader_sy", service_minutes=30)
    assert credits(app, order_id=order["id"]) == [(demo.user_ids["vol1"], 30, "order_completed")]


def test_no_minutes_for_serving_ones_own_order(demo, app):
    """Does a volunteer who served their own order earn no minutes for it, while a helper does?"""
    order = accepted(demo, "vol1", requester="vol1")
    complete(demo, order, service_minutes=40, helpers=[demo.user_ids["vol2"]])
    assert credits(app, order_id=order["id"]) == [(demo.user_ids["vol2"], 40, "order_completed")]


def test_service_minutes_out_of_range_are_422(demo, app):
    """Is service_minutes outside 1–720 (or not a whole number) a 422 on the field, leaving the order as it was?"""
    order = accepted(demo)
    for value in (0, 721, -5, 1.5, "60", True, [], None):
        response = demo.client.post(f"/api/v1/orders/{order['id']}/complete",
                                    json={"result": "已完成服务", "service_minutes": value},
                                    headers=demo.headers("vol1"))
        assert response.status_code == 422 and "service_minutes" in response.get_json()["errors"], value
    assert demo.client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("vol1")).get_json()["status"] \
        == "accepted"
    assert credits(app) == []
    for value in (1, 720):
        assert complete(demo, accepted(demo), service_minutes=value)["status"] == "completed"
    assert [minutes for _user, minutes, _reason in credits(app)] == [1, 720]


@pytest.mark.parametrize("who, message", [("resident_qs", "只能填写本服务队的队员"), ("leader_qs", "只能填写本服务队的队员"),
                                          ("resident", "下单人不能记为服务人员"), (999999, "只能填写本服务队的队员")])
def test_helpers_outside_the_team_are_422_and_nothing_changes(demo, app, who, message):
    """Is a helper who is not a member of the order's team (or is its requester) a 422 with a Chinese message,
    the order, its events and the ledger untouched?"""
    order = accepted(demo)
    demo.client.get("/api/v1/me", headers=demo.headers("resident_qs"))  # exists, in another community
    helper = who if isinstance(who, int) else demo.user_ids[who]
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(OrderEvent))
    response = demo.client.post(f"/api/v1/orders/{order['id']}/complete",
                                json={"result": "已完成服务", "helpers": [demo.user_ids["vol2"], helper]},
                                headers=demo.headers("vol1"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"helpers": [message]}
    with app.app_context():
        stored = db.session.get(Order, order["id"])
        assert (stored.status, stored.version, stored.completed_at) == ("accepted", 3, None)
        assert db.session.scalar(select(func.count()).select_from(OrderEvent)) == events
    assert credits(app) == []
    complete(demo, order, helpers=[demo.user_ids["vol2"]])  # and a right list still works


def test_malformed_helpers_are_422(demo):
    """Is a helpers value that is not a short list of ids a 422 on the field?"""
    order = accepted(demo)
    for helpers in ("1", 1, ["abc"], [None], [0], [2**31], list(range(1, 23))):
        response = demo.client.post(f"/api/v1/orders/{order['id']}/complete",
                                    json={"result": "已完成服务", "helpers": helpers}, headers=demo.headers("vol1"))
        assert response.status_code == 422 and "helpers" in response.get_json()["errors"], helpers


def test_reopen_reverses_the_minutes_and_a_new_completion_credits_again(demo, app):
    """Does reopening take back each person's minutes with reversing entries (the ledger only grows), and the
    next completion credit whoever serves then?"""
    vol1, vol2 = demo.user_ids["vol1"], demo.user_ids["vol2"]
    order = served(demo, 60, helpers=[vol2])
    demo.act(order["id"], "rate", "resident", {"stars": 5})
    clock.advance(days=2)
    demo.act(order["id"], "reopen", "staff_sy", {"reason": "回访发现问题未解决"})
    assert held(app, vol1) == held(app, vol2) == 0
    assert sorted(credits(app, order_id=order["id"])) == sorted(
        [(vol1, 60, "order_completed"), (vol2, 60, "order_completed"), (vol1, -60, "order_reopened"),
         (vol2, -60, "order_reopened")])
    mine = demo.client.get("/api/v1/me/service-record", headers=demo.headers("vol1")).get_json()
    assert (mine["total_minutes"], mine["services"], mine["items"]) == (0, 0, [])
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol2")
    complete(demo, order, "vol2", service_minutes=30)
    assert (held(app, vol1), held(app, vol2)) == (0, 30)
    # A second reopen takes back only what stands.
    demo.act(order["id"], "close", "staff_sy")
    demo.act(order["id"], "reopen", "staff_sy", {"reason": "仍需上门"})
    assert (held(app, vol1), held(app, vol2)) == (0, 0)
    assert len(credits(app, order_id=order["id"])) == 6


# --- calls --------------------------------------------------------------------------------------

def call_body(demo, **changes) -> dict:
    body = {"area_id": demo.sy, "title": "社区环境整治", "description": "清理楼道杂物", "place": "松阳小区",
            "starts_at": (START + timedelta(hours=1)).isoformat(), "quota": 5, "kind": "activity"}
    body.update(changes)
    return body


def make_call(demo, status=201, **changes) -> dict:
    response = demo.client.post("/api/v1/calls", json=call_body(demo, **changes), headers=demo.headers("staff_sy"))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def confirm(demo, call_id, who, status=200, **body):
    demo.client.post(f"/api/v1/calls/{call_id}/signup", json={}, headers=demo.headers(who))
    response = demo.client.post(f"/api/v1/calls/{call_id}/signups/{demo.user_ids[who]}/confirm", json=body,
                                headers=demo.headers("staff_sy"))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_calls_carry_a_duration_and_confirmation_credits_it_or_the_minutes_given(demo, app):
    """Is a call made with duration_minutes (default 120), and does confirming a sign-up credit it, or the
    minutes staff give, exactly once?"""
    default = make_call(demo)
    assert default["duration_minutes"] == 120
    given = make_call(demo, title="防汛值守", duration_minutes=90)
    assert given["duration_minutes"] == 90
    confirm(demo, default["id"], "vol1")
    confirm(demo, given["id"], "vol1")
    confirm(demo, given["id"], "vol2", minutes=45)
    confirm(demo, given["id"], "vol2", status=409, minutes=60)  # already confirmed: no second credit
    assert credits(app, kind="call") == [(demo.user_ids["vol1"], 120, "call_confirmed"),
                                         (demo.user_ids["vol1"], 90, "call_confirmed"),
                                         (demo.user_ids["vol2"], 45, "call_confirmed")]


@pytest.mark.parametrize("value", [0, 721, "90", 1.5, None])
def test_call_minutes_out_of_range_are_422(demo, app, value):
    """Are a call's duration and a confirmation's minutes held to 1–720 (422 on the field)?"""
    response = demo.client.post("/api/v1/calls", json=call_body(demo, duration_minutes=value),
                                headers=demo.headers("staff_sy"))
    assert response.status_code == 422 and "duration_minutes" in response.get_json()["errors"]
    call = make_call(demo)
    body = confirm(demo, call["id"], "vol1", status=422, minutes=value)
    assert "minutes" in body["errors"]
    assert credits(app) == []


# --- the record ---------------------------------------------------------------------------------

def history(demo) -> dict:
    """vol1: two orders (rated 5 and 3 stars) on 5 May and 6 May, one call on 6 May; vol2 helped once."""
    clock.freeze(START - timedelta(days=1))
    first = served(demo, 60)
    demo.act(first["id"], "rate", "resident", {"stars": 5})
    clock.freeze(START)
    second = served(demo, 90, helpers=[demo.user_ids["vol2"]])
    demo.act(second["id"], "rate", "resident", {"stars": 3})
    call = make_call(demo, duration_minutes=150)
    confirm(demo, call["id"], "vol1")
    return {"first": first, "second": second, "call": call}


def test_my_record_has_the_contract_shape(demo):
    """Does GET /me/service-record give the totals, the average stars and the services newest first?"""
    made = history(demo)
    body = demo.client.get("/api/v1/me/service-record", headers=demo.headers("vol1")).get_json()
    assert {k: body[k] for k in ("total_minutes", "services", "calls", "avg_stars", "next_cursor")} == \
        {"total_minutes": 300, "services": 2, "calls": 1, "avg_stars": 4.0, "next_cursor": None}
    assert body["total_hours"] == 5.0 and body["name"] == "松阳志愿者一"
    assert [(i["kind"], i["id"], i["minutes"], i["stars"], i["date"]) for i in body["items"]] == [
        ("order", made["second"]["id"], 90, 3, "2024-05-06"),  # completed at 10:30
        ("call", made["call"]["id"], 150, None, "2024-05-06"),  # started at 10:00
        ("order", made["first"]["id"], 60, 5, "2024-05-05"),
    ]
    assert body["items"][1]["title"] == "社区环境整治"
    helper = demo.client.get("/api/v1/me/service-record", headers=demo.headers("vol2")).get_json()
    assert (helper["total_minutes"], helper["services"], helper["avg_stars"]) == (90, 1, 3.0)


def test_the_record_of_a_period(demo):
    """Do from and to (Shanghai dates, `to` exclusive) keep to the services of the period?"""
    history(demo)

    def record(**query):
        return demo.client.get("/api/v1/me/service-record", query_string=query,
                               headers=demo.headers("vol1")).get_json()

    assert record(**{"from": "2024-05-06"})["total_minutes"] == 240
    assert record(to="2024-05-06")["total_minutes"] == 60
    assert record(**{"from": "2024-05-05", "to": "2024-05-06"})["services"] == 1
    assert record(**{"from": "2024-06-01"})["items"] == []
    bad = demo.client.get("/api/v1/me/service-record", query_string={"from": "2024-05-07", "to": "2024-05-01"},
                          headers=demo.headers("vol1"))
    assert bad.status_code == 422 and "to" in bad.get_json()["errors"]
    assert demo.client.get("/api/v1/me/service-record", query_string={"from": "五月"},
                           headers=demo.headers("vol1")).status_code == 422


def test_the_record_pages_by_keyset(demo, app):
    """Do the pages of a record give every service once, newest first, in a fixed number of statements?"""
    for n in range(7):
        clock.freeze(START + timedelta(hours=n * 3))
        served(demo, 20 + n)
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = demo.client.get("/api/v1/me/service-record", query_string=query,
                               headers=demo.headers("vol1")).get_json()
        seen += [i["minutes"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        assert body["total_minutes"] == sum(range(20, 27))
        if cursor is None:
            break
    assert seen == list(range(26, 19, -1)) and pages == 3
    bad = demo.client.get("/api/v1/me/service-record", query_string={"cursor": "bm9wZQ"},
                          headers=demo.headers("vol1"))
    assert bad.status_code == 422 and "cursor" in bad.get_json()["errors"]


def test_a_record_is_a_fixed_number_of_statements(demo, count_statements):
    """Does a record cost the same statements for 3 services as for 15 (login aside)?"""
    history(demo)
    demo.client.get("/api/v1/me", headers=demo.headers("vol1"))

    def cost() -> int:
        with count_statements() as statements:
            assert demo.client.get("/api/v1/me/service-record?limit=50", headers=demo.headers("vol1")).status_code \
                == 200
        return len(statements)

    few = cost()
    for n in range(12):
        clock.freeze(START + timedelta(days=1, hours=n))
        served(demo, 10)
    assert cost() == few == 3


RECORD_READERS = {"vol1": 200, "staff_sy": 200, "leader_sy": 200, "admin": 200, "staff_qs": 404, "leader_qs": 404,
                  "vol2": 404, "resident": 404, "grid_sy": 404}


def test_who_may_read_a_volunteers_record(demo):
    """May only the volunteer, staff of their areas and leaders of their teams read their record (others 404)?"""
    history(demo)
    seen = {}
    for who in RECORD_READERS:
        response = demo.client.get(f"/api/v1/users/{demo.user_ids['vol1']}/service-record",
                                   headers=demo.headers(who))
        body = response.get_json()
        seen[who] = response.status_code
        assert body["total_minutes"] == 300 if response.status_code == 200 else body["code"] == "not_found"
    assert seen == RECORD_READERS


def test_staff_read_records_by_home_community_too(demo, app):
    """Is a resident who only lives in 松阳 (no team) readable by 松阳's staff, not 青山's, and an unknown id 404?"""
    with app.app_context():
        user = db.session.get(User, demo.user_ids["resident"])
        assert user.home_area_id == demo.sy
    assert demo.client.get(f"/api/v1/users/{demo.user_ids['resident']}/service-record",
                           headers=demo.headers("staff_sy")).status_code == 200
    assert demo.client.get(f"/api/v1/users/{demo.user_ids['resident']}/service-record",
                           headers=demo.headers("staff_qs")).status_code == 404
    assert demo.client.get("/api/v1/users/999999/service-record", headers=demo.headers("admin")).status_code == 404


# --- the hours export ---------------------------------------------------------------------------

def export(demo, who="staff_sy", **query):
    return demo.client.get("/api/v1/stats/service-hours/export",
                           query_string={"from": "2024-05-01", "to": "2024-06-01", **query}, headers=demo.headers(who))


def test_hours_export_has_one_row_a_volunteer_and_escapes_their_text(demo, app):
    """Does the xlsx (and csv) give one row a volunteer with dates, content and hours, a name starting with '='
    written as text, never as a formula?"""
    history(demo)
    with app.app_context():
        db.session.get(User, demo.user_ids["vol2"]).real_name = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    response = export(demo)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.data))["志愿服务时长"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:10] == ["序号", "姓名", "手机号", "服务开始日期", "服务结束日期", "服务日期", "服务内容", "服务次数",
                           "服务时长（小时）", "服务时长（分钟）"]
    by_name = {row[1]: dict(zip(header, row)) for row in rows[1:]}
    assert set(by_name) == {"松阳志愿者一", "'=HYPERLINK(\"http://x\")"}
    one = by_name["松阳志愿者一"]
    assert (one["服务开始日期"], one["服务结束日期"], one["服务日期"]) == ("2024-05-05", "2024-05-06", "2024-05-05、2024-05-06")
    assert (one["服务次数"], one["服务时长（分钟）"], one["服务时长（小时）"]) == (3, 300, 5)
    assert "社区环境整治（1次）" in one["服务内容"] and "陪医" in one["服务内容"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert by_name["'=HYPERLINK(\"http://x\")"]["服务时长（分钟）"] == 90

    as_csv = export(demo, format="csv")
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert lines[0] == header and len(lines) == 3
    assert {line[1] for line in lines[1:]} == set(by_name)


def test_hours_export_keeps_to_the_area_and_its_staff(demo):
    """Is the export for staff and admins of the area (others 403 or 404), counting only service given there?"""
    history(demo)
    assert export(demo, "admin", area_id=demo.sy).status_code == 200
    assert export(demo, "staff_qs", area_id=demo.sy).status_code == 404
    assert export(demo, "vol1").status_code == 403
    empty = load_workbook(io.BytesIO(export(demo, "admin", area_id=demo.qs).data))["志愿服务时长"]
    assert empty.max_row == 1
