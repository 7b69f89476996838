"""吹哨 calls and 志愿活动 activities: targeting, the quota under concurrency, check-in, points."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import func, select

from app import clock
from app.areas.models import Area
from app.calls.models import Call, CallRecipient, CallSignup
from app.extensions import db
from app.notifications.delivery import deliver_pending
from app.notifications.models import Notification
from app.points.models import PointsEntry
from tests.conftest import login

START = datetime(2024, 5, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(START)
    yield
    clock.freeze(None)


def call_body(demo, **changes) -> dict:
    body = {"area_id": demo.sy, "title": "暴雨后清理松阳小区积水", "description": "请携带雨靴和扫帚，到小区门口集合",
            "starts_at": (START + timedelta(hours=3)).isoformat(), "place": "松阳小区东门", "quota": 5}
    body.update(changes)
    return body


def make_call(demo, who="staff_sy", status=201, **changes) -> dict:
    response = demo.client.post("/api/v1/calls", json=call_body(demo, **changes), headers=demo.headers(who))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def post(demo, call_id, action, who, status, body=None):
    headers = demo.headers(who) if isinstance(who, str) else who
    response = demo.client.post(f"/api/v1/calls/{call_id}/{action}", json=body or {}, headers=headers)
    assert response.status_code == status, (action, who, response.get_json())
    return response.get_json()


def get(demo, path, who, expect=200, **query):
    headers = demo.headers(who) if isinstance(who, str) else who
    response = demo.client.get(f"/api/v1{path}", headers=headers, query_string=query)
    assert response.status_code == expect, (path, who, response.get_json())
    return response.get_json()


def join_team(demo, openids: list[str]) -> list[dict]:
    """Log these users in and make them members of 松阳's team; returns their headers."""
    code = get(demo, f"/teams/{demo.team_sy}", "staff_sy")["invite_code"]
    headers = []
    for openid in openids:
        h = login(demo.client, openid)
        response = demo.client.post("/api/v1/teams/join", json={"invite_code": code}, headers=h)
        assert response.status_code == 200, response.get_json()
        headers.append(h)
    return headers


def patch_me(demo, who, **changes):
    response = demo.client.patch("/api/v1/me", json=changes, headers=demo.headers(who))
    assert response.status_code == 200, response.get_json()


def first_grid(app, community_id) -> int:
    with app.app_context():
        return db.session.scalars(select(Area.id).where(Area.parent_id == community_id).order_by(Area.id)).first()


# --- making a call ------------------------------------------------------------------------------

def test_call_reaches_the_areas_volunteers(app, demo):
    """Does a call without a target reach 松阳's volunteers (in-app and subscribe message outbox), and only them?"""
    call = make_call(demo)
    assert call["status"] == "open" and call["kind"] == "call" and call["signup_count"] == 0
    assert call["recipient_count"] == 3 and call["signups"] == [] and call["allowed_actions"] == ["close"]
    team = {demo.user_ids[k] for k in ("leader_sy", "vol1", "vol2")}
    with app.app_context():
        called = set(db.session.scalars(select(CallRecipient.user_id).where(CallRecipient.call_id == call["id"])))
        notified = db.session.scalars(select(Notification).where(Notification.kind == "call")).all()
        assert called == team
        assert {n.user_id for n in notified} == team
        notice = notified[0]
        assert notice.status == "pending" and str(call["id"]) in notice.page
        assert notice.template_data["thing1"] == call["title"] and "松阳小区东门" in notice.body


@pytest.mark.parametrize("who, status", [
    ("staff_sy", 201), ("admin", 201),
    ("staff_qs", 403), ("grid_sy", 403), ("leader_sy", 403), ("vol1", 403), ("resident", 403),
])
def test_who_may_blow_a_call(demo, who, status):
    """May only staff of the area (and admins above it) blow a call there?"""
    make_call(demo, who=who, status=status)


def test_anonymous_gets_401(demo):
    """Are calls closed to anonymous requests?"""
    assert demo.client.get("/api/v1/calls").status_code == 401
    assert demo.client.post("/api/v1/calls", json=call_body(demo)).status_code == 401


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "长" * 65}, "title"),
    ({"description": "  "}, "description"),
    ({"place": None}, "place"),
    ({"quota": 0}, "quota"),
    ({"quota": 1001}, "quota"),
    ({"quota": "五"}, "quota"),
    ({"quota": 2.5}, "quota"),
    ({"starts_at": "明天上午"}, "starts_at"),
    ({"starts_at": "2024-05-06T05:00:00+08:00"}, "starts_at"),  # 4 hours ago
    ({"starts_at": "2026-01-01T09:00:00+08:00"}, "starts_at"),  # more than a year ahead
    ({"area_id": 99999}, "area_id"),
    ({"area_id": "松阳"}, "area_id"),
    ({"kind": "party"}, "kind"),
    ({"points": -1}, "points"),
    ({"points": 101}, "points"),
    ({"target": {}}, "target"),
    ({"target": {"team_ids": [99999]}}, "target"),
    ({"target": {"category_codes": ["dancing"]}}, "target"),
    ({"target": {"party_members": "maybe"}}, "target"),
    ({"target": ["all"]}, "target"),
    ({"kind": "activity", "target": {"party_members": True}}, "target"),
    ({"unknown": 1}, "unknown"),
])
def test_bad_call_bodies_are_422(demo, changes, field):
    """Is a bad field refused with 422 naming it, in Chinese?"""
    body = call_body(demo, **changes)
    response = demo.client.post("/api/v1/calls", json=body, headers=demo.headers("staff_sy"))
    assert response.status_code == 422, response.get_json()
    data = response.get_json()
    assert data["code"] == "validation_error" and field in data["errors"], data
    assert data["message"] == "提交的内容有误，请检查后重试"


def test_missing_fields_and_bad_json(demo):
    """Are missing required fields named, and malformed JSON a 400?"""
    response = demo.client.post("/api/v1/calls", json={}, headers=demo.headers("staff_sy"))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"area_id", "title", "description", "starts_at", "place", "quota"}
    response = demo.client.post("/api/v1/calls", data="{not json", content_type="application/json",
                                headers=demo.headers("staff_sy"))
    assert response.status_code == 400 and response.get_json()["code"] == "bad_request"


def test_targets_must_lie_in_the_calls_area(app, demo):
    """May a call target only teams and grids inside its own area, and only be made for a community or above?"""
    qs_grid, sy_grid = first_grid(app, demo.qs), first_grid(app, demo.sy)
    for target, field in (({"team_ids": [demo.team_qs]}, "team_ids"), ({"grid_ids": [qs_grid]}, "grid_ids"),
                          ({"grid_ids": [demo.sy]}, "grid_ids")):
        response = demo.client.post("/api/v1/calls", json=call_body(demo, target=target),
                                    headers=demo.headers("staff_sy"))
        assert response.status_code == 422 and field in response.get_json()["errors"]["target"]
    response = demo.client.post("/api/v1/calls", json=call_body(demo, area_id=sy_grid),
                                headers=demo.headers("staff_sy"))
    assert response.status_code == 422 and "area_id" in response.get_json()["errors"]


def test_naive_start_is_shanghai_time(demo):
    """Is a start time without an offset (a console's datetime-local) read as Shanghai time?"""
    call = make_call(demo, starts_at="2024-05-06T12:30:00")
    assert call["starts_at"] == "2024-05-06T04:30:00+00:00"


# --- targeting ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who, status", [
    ("vol1", 201), ("vol2", 201), ("leader_sy", 201),  # 松阳's volunteers: called
    ("resident", 403), ("grid_sy", 403), ("staff_sy", 403),  # in the area, not called
    ("resident_qs", 404), ("leader_qs", 404), ("staff_qs", 404),  # outside the area
])
def test_untargeted_call_is_for_the_areas_volunteers(demo, who, status):
    """Can the area's volunteers sign up, others in the area see it but get 403, and outsiders 404?"""
    call = make_call(demo)
    get(demo, f"/calls/{call['id']}", who, 404 if status == 404 else 200)
    post(demo, call["id"], "signup", who, status)


def test_others_who_can_see_a_call_are_told_why(demo):
    """Does a resident of the area see the call as not for them (no signup button, 403 in Chinese)?"""
    call = make_call(demo)
    seen = get(demo, f"/calls/{call['id']}", "resident")
    assert seen["eligible"] is False and seen["allowed_actions"] == [] and "signups" not in seen
    error = post(demo, call["id"], "signup", "resident", 403)
    assert error["code"] == "forbidden" and "指定" in error["message"]
    assert get(demo, f"/calls/{call['id']}", "vol1")["allowed_actions"] == ["signup"]


def test_call_to_party_members(demo):
    """Does a call to Party members reach those registered in the area, and no other volunteer?"""
    patch_me(demo, "resident2", is_party_member=True, home_area_id=demo.sy, work_unit="县供电公司")
    patch_me(demo, "resident_qs", is_party_member=True)  # registered in 青山: not called
    call = make_call(demo, target={"party_members": True})
    assert call["recipient_count"] == 1 and call["target"]["party_members"] is True
    post(demo, call["id"], "signup", "resident2", 201)
    post(demo, call["id"], "signup", "vol1", 403)
    post(demo, call["id"], "signup", "resident", 403)
    post(demo, call["id"], "signup", "resident_qs", 404)


def test_call_to_chosen_teams_from_the_town(app, demo):
    """Does a town-wide call to 松阳's team let its members sign up, while 青山's people see it but get 403?"""
    call = make_call(demo, who="admin", area_id=demo.town, target={"team_ids": [demo.team_sy]})
    post(demo, call["id"], "signup", "vol1", 201)
    post(demo, call["id"], "signup", "leader_qs", 403)
    post(demo, call["id"], "signup", "resident_qs", 403)
    post(demo, call["id"], "signup", "staff_qs", 403)  # staff of 青山 can see a call of the town above


def test_call_to_volunteers_serving_a_category(demo):
    """Does a call to volunteers of a category reach teams serving it (a team with none serves all)?"""
    response = demo.client.patch(f"/api/v1/teams/{demo.team_sy}", json={"category_codes": ["escort"]},
                                 headers=demo.headers("staff_sy"))
    assert response.status_code == 200
    legal = make_call(demo, target={"category_codes": ["legal"]})
    escort = make_call(demo, target={"category_codes": ["escort", "care"]})
    assert legal["recipient_count"] == 0 and escort["recipient_count"] == 3
    post(demo, legal["id"], "signup", "vol1", 403)
    post(demo, escort["id"], "signup", "vol1", 201)


def test_call_to_grids(app, demo):
    """Does a call to a grid reach the people living there (and teams based there), not the rest of the community?"""
    grid = first_grid(app, demo.sy)
    patch_me(demo, "resident2", home_area_id=grid)
    call = make_call(demo, target={"grid_ids": [grid]})
    assert call["recipient_count"] == 1
    post(demo, call["id"], "signup", "resident2", 201)
    post(demo, call["id"], "signup", "resident", 403)
    post(demo, call["id"], "signup", "vol1", 403)


def test_people_the_target_takes_in_later_are_called_too(app, demo):
    """May a volunteer who joined the team, or a Party member who registered, after the call was blown sign up?"""
    untargeted = make_call(demo)
    party = make_call(demo, target={"party_members": True})
    [late] = join_team(demo, ["late-volunteer"])
    seen = get(demo, f"/calls/{untargeted['id']}", late)
    assert seen["eligible"] is True and seen["allowed_actions"] == ["signup"]
    post(demo, untargeted["id"], "signup", late, 201)
    post(demo, party["id"], "signup", late, 403)  # a volunteer, but no Party member
    patch_me(demo, "resident", is_party_member=True, home_area_id=demo.sy)
    post(demo, party["id"], "signup", "resident", 201)
    with app.app_context():
        called = db.session.scalar(select(func.count()).select_from(CallRecipient).where(
            CallRecipient.call_id == untargeted["id"]))
        assert called == 4  # the three called when it was blown, and the one who joined since
    assert get(demo, f"/calls/{untargeted['id']}", "staff_sy")["recipient_count"] == 4


def test_activity_is_open_to_everyone_in_the_area(app, demo):
    """May anyone living or serving in the area join an activity, with nobody singled out by notifications?"""
    activity = make_call(demo, kind="activity", title="重阳节敬老志愿活动")
    assert activity["kind_label"] == "志愿活动" and activity["recipient_count"] == 0
    for who in ("resident", "vol1", "staff_sy"):
        post(demo, activity["id"], "signup", who, 201)
    post(demo, activity["id"], "signup", "resident_qs", 404)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


# --- the quota ----------------------------------------------------------------------------------

def test_full_call_answers_409(app, demo):
    """Once the quota is taken, is the next sign-up 409 名额已满 — and does a withdrawal free a place?"""
    call = make_call(demo, quota=2)
    post(demo, call["id"], "signup", "vol1", 201)
    seen = post(demo, call["id"], "signup", "vol2", 201)
    assert seen["full"] is True and seen["remaining"] == 0 and seen["status_label"] == "名额已满"
    error = post(demo, call["id"], "signup", "leader_sy", 409)
    assert error == {"code": "conflict", "message": "名额已满"}
    assert "signup" not in get(demo, f"/calls/{call['id']}", "leader_sy")["allowed_actions"]
    left = post(demo, call["id"], "withdraw", "vol1", 200)
    assert left["my_signup"]["status"] == "withdrawn" and left["signup_count"] == 1
    post(demo, call["id"], "signup", "leader_sy", 201)
    post(demo, call["id"], "signup", "vol1", 409)  # full again
    with app.app_context():
        assert db.session.get(Call, call["id"]).signup_count == 2


def test_sign_up_twice_and_come_back(demo):
    """Is a second sign-up 409, and may one who withdrew sign up again?"""
    call = make_call(demo)
    mine = post(demo, call["id"], "signup", "vol1", 201)
    assert mine["my_signup"]["status"] == "signed_up" and mine["allowed_actions"] == ["withdraw"]
    assert post(demo, call["id"], "signup", "vol1", 409)["message"] == "您已报名"
    post(demo, call["id"], "withdraw", "vol1", 200)
    post(demo, call["id"], "withdraw", "vol1", 409)
    back = post(demo, call["id"], "signup", "vol1", 201)
    assert back["my_signup"]["status"] == "signed_up" and back["signup_count"] == 1


def _race(url: str, headers: list[dict], call_id: int) -> list[tuple[int, dict]]:
    """Fire one sign-up per header set at the same moment over real HTTP; return (status, body) each."""
    barrier = threading.Barrier(len(headers))
    results: list = [None] * len(headers)

    def sign_up(index: int) -> None:
        barrier.wait()
        response = requests.post(f"{url}/api/v1/calls/{call_id}/signup", headers=headers[index], timeout=60)
        results[index] = (response.status_code, response.json())

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def test_quota_holds_under_concurrent_sign_ups(app, demo, live_server):
    """Do 20 volunteers racing for 5 places get exactly 5 places, the other 15 told 名额已满?"""
    headers = join_team(demo, [f"racer-{i}" for i in range(20)])
    call = make_call(demo, quota=5)
    results = _race(live_server, headers, call["id"])
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 5 + [409] * 15, results
    assert {body["message"] for status, body in results if status == 409} == {"名额已满"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CallSignup).where(
            CallSignup.call_id == call["id"])) == 5
        assert db.session.get(Call, call["id"]).signup_count == 5
    assert get(demo, f"/calls/{call['id']}", "staff_sy")["signup_counts"]["signed_up"] == 5


def test_one_volunteer_racing_themself_gets_one_place(app, demo, live_server):
    """Do 8 simultaneous sign-ups by the same volunteer take exactly one place?"""
    call = make_call(demo, quota=5)
    results = _race(live_server, [demo.headers("vol1")] * 8, call["id"])
    assert sorted(status for status, _ in results) == [201] + [409] * 7, results
    with app.app_context():
        assert db.session.get(Call, call["id"]).signup_count == 1
        assert db.session.scalar(select(func.count()).select_from(CallSignup)) == 1


# --- check-in, confirmation and points ----------------------------------------------------------

def points_of(app, user_id) -> list[PointsEntry]:
    with app.app_context():
        rows = db.session.scalars(select(PointsEntry).where(PointsEntry.user_id == user_id)).all()
        db.session.expunge_all()
        return rows


def test_confirmed_check_in_earns_points_once(app, demo):
    """Does a check-in earn the call's points only when staff confirm it, and only once?"""
    call = make_call(demo, points=8)
    vol1 = demo.user_ids["vol1"]
    post(demo, call["id"], "signup", "vol1", 201)
    early = post(demo, call["id"], "checkin", "vol1", 409)  # starts in 3 hours; check-in opens 2 hours before
    assert "签到尚未开始" in early["message"]
    clock.advance(hours=1, minutes=5)
    assert "checkin" in get(demo, f"/calls/{call['id']}", "vol1")["allowed_actions"]
    checked = post(demo, call["id"], "checkin", "vol1", 200)
    assert checked["my_signup"]["status"] == "checked_in" and checked["allowed_actions"] == []
    post(demo, call["id"], "checkin", "vol1", 409)
    post(demo, call["id"], "withdraw", "vol1", 409)  # checked in: the place is used
    assert points_of(app, vol1) == []  # not without confirmation
    confirmed = post(demo, call["id"], f"signups/{vol1}/confirm", "staff_sy", 200)
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_at"] and confirmed["name"] == "松阳志愿者一"
    again = post(demo, call["id"], f"signups/{vol1}/confirm", "staff_sy", 409)
    assert "重复" in again["message"]
    [entry] = points_of(app, vol1)
    assert (entry.amount, entry.reason, entry.call_id, entry.area_id) == (8, "call_checkin", call["id"], demo.sy)
    assert get(demo, "/me", "vol1")["points"] == 8


def test_check_in_closes_a_day_after_the_start(app, demo):
    """Is a volunteer's own check-in refused a day after the start, while staff may still confirm who came?"""
    call = make_call(demo, points=5)
    post(demo, call["id"], "signup", "vol1", 201)
    clock.advance(hours=3 + 24, minutes=1)
    assert get(demo, f"/calls/{call['id']}", "vol1")["allowed_actions"] == ["withdraw"]
    late = post(demo, call["id"], "checkin", "vol1", 409)
    assert "签到已截止" in late["message"]
    post(demo, call["id"], f"signups/{demo.user_ids['vol1']}/confirm", "staff_sy", 200)
    assert [e.amount for e in points_of(app, demo.user_ids["vol1"])] == [5]


def test_staff_confirm_one_who_came_without_checking_in(app, demo):
    """May staff confirm a signed-up volunteer who could not check in on the phone?"""
    call = make_call(demo)
    post(demo, call["id"], "signup", "vol2", 201)
    vol2 = demo.user_ids["vol2"]
    confirmed = post(demo, call["id"], f"signups/{vol2}/confirm", "staff_sy", 200)
    assert confirmed["status"] == "confirmed" and confirmed["checked_in_at"]
    assert [e.amount for e in points_of(app, vol2)] == [10]  # the default points


def test_zero_point_activity_gives_no_entry(app, demo):
    """Does an activity worth no points write no ledger entry on confirmation?"""
    activity = make_call(demo, kind="activity", points=0)
    post(demo, activity["id"], "signup", "resident", 201)
    post(demo, activity["id"], f"signups/{demo.user_ids['resident']}/confirm", "staff_sy", 200)
    assert points_of(app, demo.user_ids["resident"]) == []


@pytest.mark.parametrize("who, status", [("staff_sy", 200), ("admin", 200), ("vol2", 403), ("grid_sy", 403),
                                         ("resident", 403), ("staff_qs", 404), ("resident_qs", 404)])
def test_who_may_confirm(demo, who, status):
    """May only staff of the call's area confirm a check-in (others who see it 403, outsiders 404)?"""
    call = make_call(demo)
    post(demo, call["id"], "signup", "vol1", 201)
    post(demo, call["id"], f"signups/{demo.user_ids['vol1']}/confirm", who, status)


def test_staff_cannot_confirm_their_own_check_in(app, demo):
    """Is a staff member who signed up refused (403) when confirming their own check-in, so no one awards
    themselves points, while another staff member or an admin may confirm it?"""
    activity = make_call(demo, kind="activity", points=10)
    staff = demo.user_ids["staff_sy"]
    post(demo, activity["id"], "signup", "staff_sy", 201)
    refused = post(demo, activity["id"], f"signups/{staff}/confirm", "staff_sy", 403)
    assert refused["message"] == "不能确认自己的签到，请由其他工作人员确认"
    assert points_of(app, staff) == []
    post(demo, activity["id"], f"signups/{staff}/confirm", "admin", 200)
    assert [e.amount for e in points_of(app, staff)] == [10]


def test_confirming_what_cannot_be_confirmed(demo):
    """Is confirming someone who never signed up 404, and one who withdrew 409?"""
    call = make_call(demo)
    post(demo, call["id"], f"signups/{demo.user_ids['vol1']}/confirm", "staff_sy", 404)
    post(demo, call["id"], "signup", "vol1", 201)
    post(demo, call["id"], "withdraw", "vol1", 200)
    post(demo, call["id"], f"signups/{demo.user_ids['vol1']}/confirm", "staff_sy", 409)
    post(demo, call["id"], "checkin", "vol2", 409)  # not signed up


def test_closing_a_call(app, demo):
    """Do staff close a call once, after which nobody signs up, withdraws or checks in — but confirmation goes on?"""
    call = make_call(demo)
    post(demo, call["id"], "signup", "vol1", 201)
    post(demo, call["id"], "signup", "vol2", 201)
    clock.advance(hours=2)
    post(demo, call["id"], "checkin", "vol1", 200)
    post(demo, call["id"], "close", "vol1", 403)
    closed = post(demo, call["id"], "close", "staff_sy", 200)
    assert closed["status"] == "closed" and closed["status_label"] == "已结束" and closed["allowed_actions"] == []
    post(demo, call["id"], "close", "staff_sy", 409)
    post(demo, call["id"], "signup", "leader_sy", 409)
    post(demo, call["id"], "withdraw", "vol2", 409)
    post(demo, call["id"], "checkin", "vol2", 409)
    post(demo, call["id"], f"signups/{demo.user_ids['vol1']}/confirm", "staff_sy", 200)
    assert [e.reason for e in points_of(app, demo.user_ids["vol1"])] == ["call_checkin"]


def test_closing_and_confirming_tell_the_volunteers(app, demo):
    """Are those still signed up told when a call is closed, and a volunteer told of a confirmed check-in?"""
    call = make_call(demo, points=6)
    for who in ("vol1", "vol2", "leader_sy"):
        post(demo, call["id"], "signup", who, 201)
    post(demo, call["id"], "withdraw", "leader_sy", 200)
    post(demo, call["id"], f"signups/{demo.user_ids['vol1']}/confirm", "staff_sy", 200)
    post(demo, call["id"], "close", "staff_sy", 200)
    with app.app_context():
        rows = db.session.execute(select(Notification.kind, Notification.user_id, Notification.body).where(
            Notification.kind.in_(("call_closed", "call_confirmed")))).all()
    by_kind = {}
    for kind, user_id, body in rows:
        by_kind.setdefault(kind, {})[user_id] = body
    assert set(by_kind["call_confirmed"]) == {demo.user_ids["vol1"]}
    assert "6 积分" in by_kind["call_confirmed"][demo.user_ids["vol1"]]
    assert set(by_kind["call_closed"]) == {demo.user_ids["vol2"]}  # not the one who withdrew or was confirmed
    with app.app_context():
        deliver_pending()
    messages = get(demo, "/me/messages", "vol2")["items"]
    assert messages[0]["kind_label"] == "活动结束" and call["title"] in messages[0]["body"]


@pytest.mark.parametrize("body", [None, {}, {"extra": 1}])
def test_bodyless_posts(demo, body):
    """Does a sign-up take no body or {} (and refuse unknown fields)?"""
    call = make_call(demo)
    kwargs = {} if body is None else {"json": body}
    response = demo.client.post(f"/api/v1/calls/{call['id']}/signup", headers=demo.headers("vol1"), **kwargs)
    assert response.status_code == (422 if body else 201), response.get_json()


def test_unknown_call_is_404(demo):
    """Is a call that does not exist a 404 on every route?"""
    get(demo, "/calls/99999", "staff_sy", 404)
    post(demo, 99999, "signup", "vol1", 404)
    post(demo, 99999, "close", "staff_sy", 404)
    get(demo, "/calls/99999/signups", "staff_sy", 404)


# --- lists and detail ---------------------------------------------------------------------------

def test_staff_see_who_signed_up(demo):
    """Do staff see the sign-ups (names, phones) while volunteers see only their own state?"""
    call = make_call(demo)
    post(demo, call["id"], "signup", "vol1", 201)
    post(demo, call["id"], "signup", "vol2", 201)
    post(demo, call["id"], "withdraw", "vol2", 200)
    staff_view = get(demo, f"/calls/{call['id']}", "staff_sy")
    assert [s["user_id"] for s in staff_view["signups"]] == [demo.user_ids["vol1"]]
    assert staff_view["signup_counts"] == {"signed_up": 1, "checked_in": 0, "confirmed": 0, "withdrawn": 1}
    volunteer_view = get(demo, f"/calls/{call['id']}", "vol1")
    assert "signups" not in volunteer_view and "recipient_count" not in volunteer_view
    assert "phone" not in volunteer_view["my_signup"]
    page = get(demo, f"/calls/{call['id']}/signups", "staff_sy", limit=1)
    assert [s["user_id"] for s in page["items"]] == [demo.user_ids["vol1"]] and page["next_cursor"]
    rest = get(demo, f"/calls/{call['id']}/signups", "staff_sy", limit=1, cursor=page["next_cursor"])
    assert [s["status"] for s in rest["items"]] == ["withdrawn"] and rest["next_cursor"] is None
    only = get(demo, f"/calls/{call['id']}/signups", "staff_sy", status="withdrawn")
    assert [s["user_id"] for s in only["items"]] == [demo.user_ids["vol2"]]
    get(demo, f"/calls/{call['id']}/signups", "vol1", 403)
    get(demo, f"/calls/{call['id']}/signups", "staff_qs", 404)
    get(demo, f"/calls/{call['id']}/signups", "staff_sy", 422, status="gone")


def test_list_is_scoped_filtered_and_paginated(demo):
    """Does each person list the calls of their areas, newest first, page by page, with filters?"""
    first = make_call(demo, title="第一次吹哨")
    second = make_call(demo, kind="activity", title="志愿活动")
    third = make_call(demo, title="第三次吹哨")
    qs_call = make_call(demo, who="staff_qs", area_id=demo.qs, title="青山吹哨")
    post(demo, first["id"], "signup", "vol1", 201)

    page = get(demo, "/calls", "vol1", limit=2)
    assert [c["id"] for c in page["items"]] == [third["id"], second["id"]] and page["next_cursor"]
    rest = get(demo, "/calls", "vol1", limit=2, cursor=page["next_cursor"])
    assert [c["id"] for c in rest["items"]] == [first["id"]] and rest["next_cursor"] is None
    assert rest["items"][0]["my_signup"]["status"] == "signed_up"
    assert [c["id"] for c in get(demo, "/calls", "vol1", mine="true")["items"]] == [first["id"]]
    assert [c["id"] for c in get(demo, "/calls", "vol1", kind="activity")["items"]] == [second["id"]]
    assert [c["id"] for c in get(demo, "/calls", "resident_qs")["items"]] == [qs_call["id"]]
    assert len(get(demo, "/calls", "admin")["items"]) == 4
    assert [c["id"] for c in get(demo, "/calls", "admin", area_id=demo.qs)["items"]] == [qs_call["id"]]
    assert get(demo, "/calls", "staff_sy", area_id=demo.qs)["items"] == []
    clock.advance(hours=2)
    post(demo, first["id"], "checkin", "vol1", 200)
    assert [c["id"] for c in get(demo, "/calls", "staff_sy", awaiting_confirmation="true")["items"]] == [first["id"]]
    post(demo, third["id"], "close", "staff_sy", 200)
    assert [c["id"] for c in get(demo, "/calls", "staff_sy", status="closed")["items"]] == [third["id"]]


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 51}, {"cursor": "@@@"}, {"kind": "x"},
                                   {"status": "full"}, {"area_id": "x"}, {"area_id": 99999}])
def test_bad_list_queries_are_422(demo, query):
    """Is a bad list parameter a 422, not a 500?"""
    get(demo, "/calls", "vol1", 422, **query)


def test_list_loads_a_page_in_fixed_statements(demo, count_statements):
    """Does a page of calls cost the same number of statements for 2 calls as for 6?"""
    headers = demo.headers("vol1")

    def statements_for_list() -> int:
        with count_statements() as statements:
            response = demo.client.get("/api/v1/calls", headers=headers)
            assert response.status_code == 200
        return len(statements)

    for _ in range(2):
        post(demo, make_call(demo)["id"], "signup", "vol1", 201)
    few = statements_for_list()
    for _ in range(4):
        post(demo, make_call(demo)["id"], "signup", "vol1", 201)
    assert statements_for_list() == few


def test_sign_up_moves_follow_their_table(app, demo):
    """Without HTTP: does each sign-up move start only from the table's statuses, refusing others with the
    table's 409, and does every status reach only what the table allows?"""
    from app.calls.models import SIGNUP_STATUSES
    from app.calls.transitions import SIGNUP_MOVES, move_signup
    from app.errors import Conflict

    call = make_call(demo)
    post(demo, call["id"], "signup", "vol1", 201)
    assert {m.target for m in SIGNUP_MOVES.values()} <= set(SIGNUP_STATUSES)
    with app.app_context():
        signup = db.session.scalars(select(CallSignup).where(CallSignup.call_id == call["id"])).one()
        for status in SIGNUP_STATUSES:
            for action, rule in SIGNUP_MOVES.items():
                db.session.execute(db.update(CallSignup).where(CallSignup.id == signup.id).values(status=status))
                if status in rule.sources:
                    move_signup(signup, action)
                    db.session.refresh(signup)
                    assert signup.status == rule.target, (status, action)
                else:
                    with pytest.raises(Conflict, match=rule.refusal):
                        move_signup(signup, action)
        db.session.rollback()
