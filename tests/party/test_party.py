"""双报到: the register of in-service Party members, their units, what they did, exports and figures."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from app import clock
from app.calls.models import CallSignup
from app.extensions import db
from app.party.service import party_figures
from tests.conftest import login

NOW = datetime(2024, 5, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 on 10 May in Shanghai
MAY = {"from": "2024-05-01", "to": "2024-06-01"}


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def patch_me(client, headers, **changes):
    response = client.patch("/api/v1/me", json=changes, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def get(demo, path, who, expect=200, **query):
    response = demo.client.get(f"/api/v1{path}", headers=demo.headers(who), query_string=query)
    assert response.status_code == expect, (path, who, response.get_json())
    return response


@pytest.fixture
def register(demo):
    """Three Party members in 松阳 (two of 县供电公司, one of 县医院), one in 青山, one who is not registered."""
    members = {
        "vol1": dict(real_name="李志愿", work_unit="县供电公司"),
        "resident2": dict(real_name="王党员", work_unit="县供电公司"),
        "leader_sy": dict(real_name="赵队长", work_unit="县人民医院"),
        "resident_qs": dict(real_name="钱党员", work_unit="县教育局", home_area_id=demo.qs),
    }
    for who, profile in members.items():
        home = profile.pop("home_area_id", demo.sy)
        patch_me(demo.client, demo.headers(who), is_party_member=True, home_area_id=home, **profile)
    patch_me(demo.client, demo.headers("vol2"), is_party_member=True)  # no home community: not registered
    patch_me(demo.client, demo.headers("resident"), home_area_id=demo.sy, work_unit="县财政局")  # not a member
    return demo


def serve_and_check_in(demo):
    """vol1 completes an order and is confirmed at a call; resident2 checks in but is not confirmed."""
    demo.order_at("completed")  # accepted and completed by vol1
    response = demo.client.post("/api/v1/calls", headers=demo.headers("staff_sy"), json={
        "area_id": demo.sy, "title": "党员先锋岗值守", "description": "社区党群服务中心值守",
        "starts_at": NOW.isoformat(), "place": "党群服务中心", "quota": 10, "target": {"party_members": True}})
    assert response.status_code == 201, response.get_json()
    call_id = response.get_json()["id"]
    for who in ("vol1", "resident2"):
        assert demo.client.post(f"/api/v1/calls/{call_id}/signup", headers=demo.headers(who)).status_code == 201
        assert demo.client.post(f"/api/v1/calls/{call_id}/checkin", headers=demo.headers(who)).status_code == 200
    confirm = f"/api/v1/calls/{call_id}/signups/{demo.user_ids['vol1']}/confirm"
    assert demo.client.post(confirm, headers=demo.headers("staff_sy")).status_code == 200


# --- the register -------------------------------------------------------------------------------

def test_staff_list_the_party_members_of_their_community(register):
    """Do 松阳's staff see exactly the Party members registered in 松阳, newest first, with their units?"""
    items = get(register, "/party/members", "staff_sy").get_json()["items"]
    assert [m["name"] for m in items] == ["王党员", "李志愿", "赵队长"]
    wang = items[0]
    assert wang["home_area_name"] == "松阳社区" and wang["work_unit"] == "县供电公司"
    assert wang["services"] == 0 and wang["call_checkins"] == 0
    assert [m["name"] for m in get(register, "/party/members", "staff_qs").get_json()["items"]] == ["钱党员"]
    everyone = get(register, "/party/members", "admin", area_id=register.town).get_json()["items"]
    assert len(everyone) == 4


def test_members_show_services_and_call_check_ins(register):
    """Are completed orders (as assignee) and confirmed check-ins counted per member — unconfirmed ones not?"""
    serve_and_check_in(register)
    items = {m["name"]: m for m in get(register, "/party/members", "staff_sy").get_json()["items"]}
    assert (items["李志愿"]["services"], items["李志愿"]["call_checkins"]) == (1, 1)
    assert (items["王党员"]["services"], items["王党员"]["call_checkins"]) == (0, 0)


def test_a_members_page_lists_their_services_and_call_sign_ups(register):
    """Does a member's page show the orders they completed and the calls they signed up for, with labels?"""
    serve_and_check_in(register)
    vol1 = register.user_ids["vol1"]
    member = get(register, f"/party/members/{vol1}", "staff_sy").get_json()
    assert (member["name"], member["work_unit"], member["services"], member["call_checkins"]) == \
        ("李志愿", "县供电公司", 1, 1)
    [service] = member["recent_services"]
    assert service["status"] == "completed" and service["status_label"] == "待评价"
    assert service["area_name"] == "松阳社区" and service["completed_at"]
    [call] = member["recent_calls"]
    assert (call["title"], call["kind_label"], call["status_label"]) == ("党员先锋岗值守", "吹哨", "已确认签到")
    wang = get(register, f"/party/members/{register.user_ids['resident2']}", "staff_sy").get_json()
    assert wang["recent_services"] == [] and wang["recent_calls"][0]["status"] == "checked_in"


def test_a_members_page_shows_only_calls_these_staff_may_open(register):
    """Does 青山's staff see a member's town-wide call, but not a call of 松阳 they cannot open?"""
    qs_member = register.user_ids["resident_qs"]
    starts = (NOW + timedelta(hours=1)).isoformat()
    made = {}
    for who, area, title in (("staff_sy", register.sy, "松阳楼道清理"), ("admin", register.town, "全镇防汛")):
        response = register.client.post("/api/v1/calls", headers=register.headers(who), json={
            "area_id": area, "title": title, "description": "志愿活动", "starts_at": starts, "place": "社区广场",
            "quota": 5, "kind": "activity"})
        assert response.status_code == 201, response.get_json()
        made[title] = response.get_json()["id"]
    town = register.client.post(f"/api/v1/calls/{made['全镇防汛']}/signup", headers=register.headers("resident_qs"))
    assert town.status_code == 201, town.get_json()
    with register.app.app_context():  # joined 松阳's activity too (e.g. while living there): a row of its own
        db.session.add(CallSignup(call_id=made["松阳楼道清理"], user_id=qs_member, status="signed_up",
                                  signed_up_at=NOW))
        db.session.commit()
    assert len(get(register, f"/party/members/{qs_member}", "admin").get_json()["recent_calls"]) == 2
    seen = get(register, f"/party/members/{qs_member}", "staff_qs").get_json()["recent_calls"]
    assert [c["title"] for c in seen] == ["全镇防汛"]


@pytest.mark.parametrize("who, member, expect", [
    ("staff_sy", "vol1", 200), ("admin", "vol1", 200),
    ("staff_qs", "vol1", 404),  # registered in 松阳, not 青山
    ("staff_sy", "resident", 404), ("staff_sy", "vol2", 404),  # not registered Party members
    ("vol1", "vol1", 403), ("grid_sy", "vol1", 403),
])
def test_who_may_open_a_members_page(register, who, member, expect):
    """May only staff of the member's community (and admins above) open their page; others 404 or 403?"""
    get(register, f"/party/members/{register.user_ids[member]}", who, expect)


def test_member_list_pages_and_search(register):
    """Is the register keyset-paginated and searchable by name or unit?"""
    first = get(register, "/party/members", "staff_sy", limit=2).get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = get(register, "/party/members", "staff_sy", limit=2, cursor=first["next_cursor"]).get_json()
    assert [m["name"] for m in rest["items"]] == ["赵队长"] and rest["next_cursor"] is None
    assert [m["name"] for m in get(register, "/party/members", "staff_sy", q="医院").get_json()["items"]] == ["赵队长"]
    assert [m["name"] for m in get(register, "/party/members", "staff_sy", q="王").get_json()["items"]] == ["王党员"]
    assert get(register, "/party/members", "staff_sy", q="%").get_json()["items"] == []


def test_member_list_costs_fixed_statements(register, count_statements):
    """Does a page of the register cost the same statements for 3 members as for 8?"""
    register.headers("staff_sy")  # log in before counting

    def statements() -> int:
        with count_statements() as seen:
            get(register, "/party/members", "staff_sy")
        return len(seen)

    few = statements()
    assert few <= 3  # the viewer, then one statement for the page with its counts
    for i in range(5):
        headers = login(register.client, f"party-{i}")
        patch_me(register.client, headers, is_party_member=True, home_area_id=register.sy, work_unit=f"单位{i}")
    assert len(get(register, "/party/members", "staff_sy").get_json()["items"]) == 8
    assert statements() == few


@pytest.mark.parametrize("who, area, expect", [
    ("resident", None, 403), ("vol1", None, 403), ("grid_sy", None, 403), ("leader_sy", None, 403),
    ("staff_sy", "qs", 404), ("staff_sy", "town", 404), ("staff_sy", "missing", 404),
    ("staff_sy", "sy", 200), ("admin", "qs", 200),
])
def test_who_may_read_the_register(register, who, area, expect):
    """Is the register for staff and admins only, and an area outside their scope 404?"""
    area_id = {"sy": register.sy, "qs": register.qs, "town": register.town, "missing": 99999, None: None}[area]
    query = {"area_id": area_id} if area_id else {}
    for path in ("/party/members", "/party/units", "/party/summary", "/party/members/export"):
        get(register, path, who, expect, **query)


def test_anonymous_is_401(client, register):
    """Is the register closed to anonymous requests?"""
    assert client.get("/api/v1/party/members").status_code == 401


# --- units --------------------------------------------------------------------------------------

def test_units_are_aggregated(register):
    """Are work units listed by name with their members, services and check-ins?"""
    serve_and_check_in(register)
    items = get(register, "/party/units", "staff_sy").get_json()["items"]
    assert {u["work_unit"]: (u["members"], u["services"], u["call_checkins"]) for u in items} == {
        "县供电公司": (2, 1, 1), "县人民医院": (1, 0, 0)}
    assert [u["work_unit"] for u in items] == sorted(u["work_unit"] for u in items)
    units = get(register, "/party/units", "admin").get_json()["items"]
    assert {u["work_unit"] for u in units} == {"县供电公司", "县人民医院", "县教育局"}


def test_units_page_by_name(register):
    """Are units keyset-paginated by name, with a bad cursor a 422?"""
    seen, cursor = [], None
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = get(register, "/party/units", "admin", **query).get_json()
        seen += [u["work_unit"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 3 and seen == sorted(seen)
    get(register, "/party/units", "admin", 422, cursor="not-a-cursor")


# --- export -------------------------------------------------------------------------------------

def test_export_csv(register):
    """Is the csv UTF-8 with a BOM (for Excel), one row per registered member?"""
    serve_and_check_in(register)
    response = get(register, "/party/members/export", "staff_sy", format="csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["用户编号", "姓名"] and len(rows) == 4
    li = next(row for row in rows if row[1] == "李志愿")
    assert li[4:] == ["松阳社区", "县供电公司", "1", "1"]


def test_export_xlsx(register):
    """Is the xlsx a workbook with the register, and is typed text never a formula?"""
    patch_me(register.client, register.headers("resident2"), work_unit="=HYPERLINK(\"http://x\")")
    response = get(register, "/party/members/export", "admin", area_id=register.sy)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "姓名" and len(rows) == 4
    assert {row[1] for row in rows[1:]} == {"李志愿", "王党员", "赵队长"}
    assert "'=HYPERLINK(\"http://x\")" in {row[5] for row in rows[1:]}


def test_export_format_is_checked(register):
    """Is an unknown export format a 422?"""
    get(register, "/party/members/export", "staff_sy", 422, format="pdf")


# --- figures ------------------------------------------------------------------------------------

def test_party_figures(app, register):
    """Do the figures count members and units now, and services and check-ins in the period?"""
    serve_and_check_in(register)
    with app.app_context():
        from app.areas.models import Area

        sy, town = db.session.get(Area, register.sy), db.session.get(Area, register.town)
        start, end = NOW - timedelta(days=1), NOW + timedelta(days=1)
        assert party_figures(sy, start, end) == {
            "party_members": 3, "party_units": 2, "party_services": 1, "party_call_checkins": 1}
        assert party_figures([town.path], start, end) == {
            "party_members": 4, "party_units": 3, "party_services": 1, "party_call_checkins": 1}
        assert party_figures(sy.path, end, end + timedelta(days=30)) == {
            "party_members": 3, "party_units": 2, "party_services": 0, "party_call_checkins": 0}
        assert party_figures(sy, None, None)["party_services"] == 1


def test_summary_endpoint(register):
    """Does GET /party/summary give the figures of an area and period (default: this month)?"""
    serve_and_check_in(register)
    body = get(register, "/party/summary", "staff_sy", **MAY).get_json()
    assert body["party_members"] == 3 and body["party_services"] == 1 and body["party_call_checkins"] == 1
    assert body["from"] == "2024-04-30T16:00:00+00:00" and body["to"] == "2024-05-31T16:00:00+00:00"
    assert get(register, "/party/summary", "staff_sy").get_json()["party_services"] == 1
    april = get(register, "/party/summary", "admin", **{"from": "2024-04-01", "to": "2024-05-01"}).get_json()
    assert (april["party_members"], april["party_services"], april["party_call_checkins"]) == (4, 0, 0)


@pytest.mark.parametrize("query", [{"from": "五月"}, {"from": "2024-05-10", "to": "2024-05-01"},
                                   {"to": "2024-13-01"}, {"area_id": "x"}])
def test_summary_bad_periods_are_422(register, query):
    """Is a bad period a 422, not a 500?"""
    get(register, "/party/summary", "staff_sy", 422, **query)


# --- the figures in /stats ----------------------------------------------------------------------

def test_stats_summary_carries_the_party_figures(register):
    """Does GET /stats/summary give the 双报到 figures of its area and period, to the digit?"""
    serve_and_check_in(register)
    party = ("party_members", "party_units", "party_services", "party_call_checkins")

    def figures(who, **query):
        body = get(register, "/stats/summary", who, **query).get_json()
        return tuple(body[name] for name in party)

    assert figures("staff_sy", **MAY) == (3, 2, 1, 1)
    assert figures("staff_qs", **MAY) == (1, 1, 0, 0)
    assert figures("admin", **MAY) == (4, 3, 1, 1)
    assert figures("admin", area_id=register.qs, **MAY) == (1, 1, 0, 0)
    assert figures("staff_sy", **{"from": "2024-04-01", "to": "2024-05-01"}) == (3, 2, 0, 0)
    assert figures("staff_sy") == (3, 2, 1, 1)  # default: this month


def test_monthly_report_tells_the_party_figures(register):
    """Does the monthly report say how many Party members registered and what they did?"""
    serve_and_check_in(register)
    text = get(register, "/stats/report", "staff_sy", month="2024-05").get_json()["text"]
    assert "在职党员到社区“双报到”3名，涉及驻区单位2个，本期提供志愿服务1人次、响应吹哨和参加志愿活动1人次。" in text
    april = get(register, "/stats/report", "staff_sy", month="2024-04").get_json()["text"]
    assert "在职党员到社区“双报到”3名，涉及驻区单位2个。" in april


def test_report_without_party_members_says_nothing_of_them(demo):
    """With no one registered, does the report leave the 双报到 sentence out?"""
    assert "双报到" not in get(demo, "/stats/report", "staff_sy", month="2024-05").get_json()["text"]


def test_stats_export_has_the_party_figures(register):
    """Does the figures sheet of the stats export list the 双报到 figures?"""
    serve_and_check_in(register)
    response = get(register, "/stats/export", "staff_sy", format="xlsx", **MAY)
    sheet = load_workbook(io.BytesIO(response.data))["统计指标"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["双报到党员（名）"] == 3 and rows["驻区单位（个）"] == 2
    assert rows["党员服务（件）"] == 1 and rows["党员参与吹哨、活动（人次）"] == 1
