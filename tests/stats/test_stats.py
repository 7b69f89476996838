"""Figures (DESIGN §5): a known history of orders, every figure and rate checked to the digit.

The same module runs on SQLite and on PostgreSQL (TEST_DATABASE_URL). The history is written
straight into the tables with explicit timestamps, so nothing but the rows below counts: the
order-flow test at the end goes through the API instead.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import clock
from app.areas.models import Area
from app.categories.models import Category
from app.extensions import db
from app.orders.models import Order, Rating
from app.points.models import PointsEntry
from tests.conftest import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 4, 5, 12, 0, tzinfo=SHANGHAI)
MARCH = {"from": "2024-03-01", "to": "2024-04-01"}


def cst(month, day, hour=0, minute=0, year=2024) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# name: (area, category, created, status, minutes to accept, hours to complete, stars, due_at override)
HISTORY = {
    1: ("sy", "escort", cst(3, 1, 0, 30), "rated", 30, 10, 5, None),  # 2024-02-29 16:30 UTC: March in Shanghai
    2: ("sy", "escort", cst(3, 1, 9), "rated", 60, 50, 3, None),  # completed after its 48 h deadline
    3: ("sy", "elderly", cst(3, 2, 10), "closed", 90, 20, None, None),
    4: ("sy", "repair", cst(3, 5, 14), "completed", 10, 2, None, None),
    5: ("sy", "repair", cst(3, 5, 15), "cancelled", None, None, None, None),
    6: ("sy", "escort", cst(3, 10, 8), "ordered", None, None, None, None),  # due 03-12: overdue
    7: ("sy", "elderly", cst(3, 18, 8), "in_service", 120, None, None, cst(4, 10)),  # not yet due
    8: ("grid", "haircut", cst(3, 31, 23, 30), "rated", 45, 1, 4, None),  # on 松阳's first grid
    9: ("sy", "escort", cst(4, 1, 0, 10), "ordered", None, None, None, None),  # April in Shanghai
    10: ("sy", "escort", cst(2, 29, 23, 50), "ordered", None, None, None, None),  # February
    11: ("qs", "elderly", cst(3, 3, 10), "rated", 20, 5, 2, None),
    12: ("qs", "legal", cst(3, 4, 10), "dispatched", None, None, None, None),  # due 03-07: overdue
}
# (area, order name or None for a call, amount, when)
POINTS = [
    ("sy", 1, 20, cst(3, 2)),
    ("sy", 3, 10, cst(3, 3)),
    ("grid", 8, 5, cst(3, 31, 23, 50)),
    ("sy", None, 8, cst(3, 15, 9)),  # a 吹哨 call's check-in
    ("sy", 2, 20, cst(4, 2)),  # April: outside the month
    ("qs", 11, 10, cst(3, 4)),
]


def build_history(app, demo) -> dict:
    """Write the orders, ratings and points above; return {name: order id} and the grid's id."""
    with app.app_context():
        grid = db.session.scalars(select(Area).where(Area.parent_id == demo.sy).order_by(Area.id)).first()
        areas = {"sy": demo.sy, "qs": demo.qs, "grid": grid.id}
        teams = {"sy": demo.team_sy, "grid": demo.team_sy, "qs": demo.team_qs}
        categories = {c.code: c for c in db.session.scalars(select(Category))}
        requester = demo.user_ids["resident"]
        assignee = {"sy": demo.user_ids["vol1"], "grid": demo.user_ids["vol2"], "qs": demo.user_ids["leader_qs"]}
        ids = {}
        for name, (area, code, created, status, accept_min, done_hours, stars, due) in HISTORY.items():
            category = categories[code]
            dispatched = status not in ("ordered", "cancelled")
            order = Order(
                status=status, category_id=category.id, area_id=areas[area], title=category.name,
                description="测试工单", address="测试地址", contact_name="张大爷", contact_phone="13800001234",
                requester_id=requester, created_by_id=requester, created_at=created,
                due_at=due or created + timedelta(hours=category.sla_hours),
                team_id=teams[area] if dispatched else None,
                dispatched_at=created + timedelta(minutes=5) if dispatched else None,
                assignee_id=assignee[area] if accept_min is not None else None,
                accepted_at=created + timedelta(minutes=accept_min) if accept_min is not None else None,
                completed_at=created + timedelta(hours=done_hours) if done_hours is not None else None,
                cancelled_at=created + timedelta(hours=1) if status == "cancelled" else None,
            )
            db.session.add(order)
            db.session.flush()
            ids[name] = order.id
            if stars is not None:
                rated_at = order.completed_at + timedelta(hours=1)
                db.session.add(Rating(order_id=order.id, stars=stars, created_at=rated_at))
        for area, name, amount, when in POINTS:
            db.session.add(PointsEntry(user_id=demo.user_ids["vol1"], area_id=areas[area], amount=amount,
                                       reason="order_rated" if name else "call_checkin",
                                       order_id=ids[name] if name else None, created_at=when))
        db.session.commit()
    clock.freeze(NOW)
    return {"orders": ids, "grid": areas["grid"]}


@pytest.fixture
def history(app, demo):
    return build_history(app, demo)


def get(client, demo, who, path, **params):
    return client.get(f"/api/v1/stats/{path}", query_string=params, headers=demo.headers(who))


SY_MARCH = {
    "received": 8, "cancelled": 1, "valid": 7, "completed": 5, "completion_rate": 5 / 7,
    "on_time_completed": 4, "on_time_rate": 0.8, "response_minutes": 52.5, "rated": 3, "satisfied": 2,
    "satisfaction_rate": 2 / 3, "avg_stars": 4.0, "overdue_open": 1, "volunteer_services": 5, "points_awarded": 43,
}
QS_MARCH = {
    "received": 2, "cancelled": 0, "valid": 2, "completed": 1, "completion_rate": 0.5,
    "on_time_completed": 1, "on_time_rate": 1.0, "response_minutes": 20.0, "rated": 1, "satisfied": 0,
    "satisfaction_rate": 0.0, "avg_stars": 2.0, "overdue_open": 1, "volunteer_services": 1, "points_awarded": 10,
}
COUNTY_MARCH = {
    "received": 10, "cancelled": 1, "valid": 9, "completed": 6, "completion_rate": 6 / 9,
    "on_time_completed": 5, "on_time_rate": 5 / 6, "response_minutes": 45.0, "rated": 4, "satisfied": 2,
    "satisfaction_rate": 0.5, "avg_stars": 3.5, "overdue_open": 2, "volunteer_services": 6, "points_awarded": 53,
}
EMPTY = {
    "received": 0, "cancelled": 0, "valid": 0, "completed": 0, "completion_rate": None, "on_time_completed": 0,
    "on_time_rate": None, "response_minutes": None, "rated": 0, "satisfied": 0, "satisfaction_rate": None,
    "avg_stars": None, "overdue_open": 0, "volunteer_services": 0, "points_awarded": 0,
}


def figures_of(body: dict) -> dict:
    return {name: body[name] for name in SY_MARCH}


def assert_figures(actual: dict, expected: dict) -> None:
    for name, value in expected.items():
        if isinstance(value, float):
            assert actual[name] == pytest.approx(value, abs=1e-9), name
        else:
            assert actual[name] == value, name


# --- summary ------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, area, expected", [
    ("staff_sy", "sy", SY_MARCH),
    ("staff_qs", "qs", QS_MARCH),
    ("admin", "county", COUNTY_MARCH),
    ("admin", "town", COUNTY_MARCH),
    ("admin", "sy", SY_MARCH),
])
def test_summary_figures_to_the_digit(client, demo, history, who, area, expected):
    """Does every figure of a known March match, for each area subtree?"""
    response = get(client, demo, who, "summary", area_id=getattr(demo, area), **MARCH)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_figures(figures_of(body), expected)
    assert body["area_id"] == getattr(demo, area)
    assert body["from"].startswith("2024-02-29T16:00:00")
    assert body["to"].startswith("2024-03-31T16:00:00")


def test_summary_rates_are_exact_numbers(client, demo, history):
    """Are rates given unrounded (2/3, not 0.67) and figures integers?"""
    body = get(client, demo, "staff_sy", "summary", **MARCH).get_json()
    assert body["satisfaction_rate"] == 2 / 3
    assert body["completion_rate"] == 5 / 7
    assert isinstance(body["received"], int) and isinstance(body["points_awarded"], int)


def test_summary_of_a_grid(client, demo, history):
    """Does a grid's summary hold only the orders and points of that grid?"""
    body = get(client, demo, "staff_sy", "summary", area_id=history["grid"], **MARCH).get_json()
    assert_figures(body, {"received": 1, "completed": 1, "completion_rate": 1.0, "on_time_rate": 1.0,
                          "response_minutes": 45.0, "rated": 1, "satisfaction_rate": 1.0, "avg_stars": 4.0,
                          "overdue_open": 0, "points_awarded": 5})


def test_empty_period_has_null_rates(client, demo, history):
    """With no orders, are the counts 0 and every rate null, never 0?"""
    body = get(client, demo, "admin", "summary", **{"from": "2023-01-01", "to": "2023-02-01"}).get_json()
    assert figures_of(body) == EMPTY


def test_all_cancelled_has_null_completion_rate(client, demo, history):
    """When every order was cancelled, is the completion rate null (valid = 0)?"""
    body = get(client, demo, "staff_sy", "summary", **{"from": "2024-03-05T15:00:00+08:00",
                                                     "to": "2024-03-05T16:00:00+08:00"}).get_json()
    assert (body["received"], body["cancelled"], body["valid"]) == (1, 1, 0)
    assert body["completion_rate"] is None and body["on_time_rate"] is None


@pytest.mark.parametrize("params", [
    {"from": "2024-03-01", "to": "2024-04-01"},
    {"from": "2024-02-29T16:00:00Z", "to": "2024-03-31T16:00:00Z"},
    {"from": "2024-03-01T00:00:00+08:00", "to": "2024-04-01T00:00:00+08:00"},
    {"from": "2024-03-01T00:00:00", "to": "2024-04-01T00:00:00"},  # naive: Shanghai time
    {"to": "2024-04-01"},  # the month that ends there
])
def test_period_forms(client, demo, history, params):
    """Do dates, ISO datetimes with or without an offset and a lone `to` give the same March?"""
    body = get(client, demo, "staff_sy", "summary", **params).get_json()
    assert_figures(body, SY_MARCH)


def test_unencoded_plus_offset(client, demo, history):
    """Is a '+08:00' offset sent unencoded in the query string (arriving as a space) understood?"""
    response = client.get("/api/v1/stats/summary?from=2024-03-01T00:00:00+08:00&to=2024-04-01T00:00:00+08:00",
                          headers=demo.headers("staff_sy"))
    assert response.status_code == 200
    assert response.get_json()["received"] == 8


def test_to_is_exclusive(client, demo, history):
    """Is an order created exactly at `to` left out, and one at `from` counted?"""
    at = "2024-03-01T09:00:00+08:00"  # order 2 was created at this instant
    assert get(client, demo, "staff_sy", "summary", **{"from": "2024-03-01", "to": at}).get_json()["received"] == 1
    assert get(client, demo, "staff_sy", "summary", **{"from": at, "to": "2024-03-02"}).get_json()["received"] == 1


def test_default_period_is_the_current_shanghai_month(client, demo, history):
    """Without from/to, is the period the current Asia/Shanghai month?"""
    clock.freeze(cst(4, 1, 0, 5))  # already April in Shanghai, still March 31 in UTC
    body = get(client, demo, "staff_sy", "summary").get_json()
    assert body["from"].startswith("2024-03-31T16:00:00")
    assert body["received"] == 1  # order 9 only
    clock.freeze(cst(3, 20, 12))
    body = get(client, demo, "staff_sy", "summary").get_json()
    assert body["received"] == 8


def test_overdue_is_as_of_now(client, demo, history):
    """Does overdue_open count open orders past due at the current time?"""
    clock.freeze(cst(3, 11))  # before order 6's deadline (03-12 08:00)
    assert get(client, demo, "staff_sy", "summary", **MARCH).get_json()["overdue_open"] == 0
    clock.freeze(cst(4, 10, 1))  # order 7's deadline has passed too (and the first token has expired)
    headers = login(client, "demo-staff-sy")
    assert client.get("/api/v1/stats/summary", query_string=MARCH, headers=headers).get_json()["overdue_open"] == 2


@pytest.mark.parametrize("params, field", [
    ({"from": "2024-13-01"}, "from"),
    ({"from": "yesterday"}, "from"),
    ({"from": "2024-04-01", "to": "2024-03-01"}, "to"),
    ({"from": "2024-03-01", "to": "2024-03-01"}, "to"),
    ({"from": "0001-01-01"}, "from"),
    ({"from": "2024-03-01", "to": "9999-12-31T23:59:59+00:00"}, "to"),
])
def test_bad_periods_are_422(client, demo, history, params, field):
    """Is a malformed or empty period a 422 naming the field?"""
    response = get(client, demo, "staff_sy", "summary", **params)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


# --- scope --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["summary", "breakdown?by=day", "report?month=2024-03", "export?format=csv"])
@pytest.mark.parametrize("who, status", [("resident", 403), ("vol1", 403), ("leader_sy", 403), ("grid_sy", 403)])
def test_only_staff_and_admins_see_figures(client, demo, history, path, who, status):
    """Are residents, volunteers and grid workers refused (403)?"""
    response = client.get(f"/api/v1/stats/{path}", headers=demo.headers(who))
    assert response.status_code == status
    assert response.get_json()["code"] == "forbidden"


@pytest.mark.parametrize("path", ["summary", "breakdown?by=area", "report", "export"])
def test_huge_area_ids_are_422_not_500(client, demo, path):
    """Is an area id beyond the integer range refused before it reaches SQL?"""
    sep = "&" if "?" in path else "?"
    response = client.get(f"/api/v1/stats/{path}{sep}area_id=13606279860720700", headers=demo.headers("admin"))
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["summary", "breakdown?by=team", "report", "export"])
def test_figures_need_login(client, demo, path):
    """Is an anonymous request 401?"""
    assert client.get(f"/api/v1/stats/{path}").status_code == 401


@pytest.mark.parametrize("path", ["summary", "breakdown?by=category", "report?month=2024-03", "export?format=xlsx"])
@pytest.mark.parametrize("who, area", [("staff_sy", "qs"), ("staff_sy", "town"), ("staff_sy", "county"),
                                       ("staff_qs", "sy"), ("staff_sy", None)])
def test_areas_outside_scope_are_404(client, demo, history, path, who, area):
    """Is an area outside the viewer's subtree (or unknown) a 404, never its figures?"""
    area_id = getattr(demo, area) if area else 999999
    sep = "&" if "?" in path else "?"
    response = client.get(f"/api/v1/stats/{path}{sep}area_id={area_id}", headers=demo.headers(who))
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_default_scope_is_the_viewers(client, demo, history):
    """Without area_id, does staff see their community and the admin the county?"""
    assert_figures(get(client, demo, "staff_sy", "summary", **MARCH).get_json(), SY_MARCH)
    assert_figures(get(client, demo, "staff_qs", "summary", **MARCH).get_json(), QS_MARCH)
    assert_figures(get(client, demo, "admin", "summary", **MARCH).get_json(), COUNTY_MARCH)


def test_staff_of_two_communities_sees_both(client, demo, history, app):
    """Does a viewer granted on two communities see the union of both by default?"""
    from app.users.models import RoleGrant

    with app.app_context():
        db.session.add(RoleGrant(user_id=demo.user_ids["staff_sy"], role="staff", area_id=demo.qs))
        db.session.commit()
    body = get(client, demo, "staff_sy", "summary", **MARCH).get_json()
    assert_figures(body, COUNTY_MARCH)
    assert body["area_id"] is None and body["area_name"] == "松阳社区、青山社区"
    items = get(client, demo, "staff_sy", "breakdown", by="area", **MARCH).get_json()["items"]
    assert [(i["label"], i["received"]) for i in items] == [("松阳社区", 8), ("青山社区", 2)]


# --- breakdowns ---------------------------------------------------------------------------------

def breakdown(client, demo, by, who="staff_sy", **params):
    response = get(client, demo, who, "breakdown", by=by, **{**MARCH, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_breakdown_by_category(client, demo, history):
    """Are the figures per category right, most-ordered first?"""
    items = breakdown(client, demo, "category")
    assert [(i["key"], i["label"]) for i in items] == [
        ("escort", "陪医"), ("elderly", "助老"), ("repair", "家电维修"), ("haircut", "理发")]
    escort, elderly, repair, haircut = items
    assert_figures(escort, {"received": 3, "cancelled": 0, "valid": 3, "completed": 2, "completion_rate": 2 / 3,
                            "on_time_completed": 1, "on_time_rate": 0.5, "response_minutes": 45.0, "rated": 2,
                            "satisfied": 1, "satisfaction_rate": 0.5, "avg_stars": 4.0, "overdue_open": 1,
                            "volunteer_services": 2, "points_awarded": 20})
    assert_figures(elderly, {"received": 2, "completed": 1, "completion_rate": 0.5, "on_time_rate": 1.0,
                             "response_minutes": 105.0, "rated": 0, "satisfaction_rate": None, "avg_stars": None,
                             "overdue_open": 0, "points_awarded": 10})
    assert_figures(repair, {"received": 2, "cancelled": 1, "valid": 1, "completed": 1, "completion_rate": 1.0,
                            "response_minutes": 10.0, "points_awarded": 0})
    assert_figures(haircut, {"received": 1, "completed": 1, "rated": 1, "satisfaction_rate": 1.0,
                             "points_awarded": 5})


def test_breakdown_by_team(client, demo, history):
    """Are the figures per team right, with undispatched orders last under 未派单?"""
    items = breakdown(client, demo, "team")
    assert [(i["key"], i["label"]) for i in items] == [(demo.team_sy, "松阳社区党员志愿服务队"), (None, "未派单")]
    assert_figures(items[0], {"received": 6, "cancelled": 0, "completed": 5, "completion_rate": 5 / 6,
                              "on_time_rate": 0.8, "response_minutes": 52.5, "rated": 3,
                              "satisfaction_rate": 2 / 3, "overdue_open": 0, "points_awarded": 35})
    assert_figures(items[1], {"received": 2, "cancelled": 1, "valid": 1, "completed": 0, "completion_rate": 0.0,
                              "on_time_rate": None, "response_minutes": None, "overdue_open": 1})


def test_breakdown_by_area(client, demo, history):
    """Does the area breakdown split a subtree into its children (and the node itself)?"""
    items = breakdown(client, demo, "area")
    assert [(i["key"], i["label"], i["received"], i["points_awarded"]) for i in items] == [
        (demo.sy, "松阳社区（本级）", 7, 38), (history["grid"], "第一网格", 1, 5)]
    town = breakdown(client, demo, "area", who="admin", area_id=demo.town)
    assert [(i["key"], i["label"], i["received"], i["completed"]) for i in town] == [
        (demo.sy, "松阳社区", 8, 5), (demo.qs, "青山社区", 2, 1)]
    assert_figures(town[0], SY_MARCH)
    assert_figures(town[1], QS_MARCH)
    county = breakdown(client, demo, "area", who="admin", area_id=demo.county)
    assert [(i["label"], i["received"]) for i in county] == [("城关镇", 10)]


def test_breakdown_by_day_uses_shanghai_days(client, demo, history):
    """Are days Asia/Shanghai calendar days, every day of the period listed?"""
    items = breakdown(client, demo, "day")
    assert len(items) == 31
    assert items[0]["key"] == "2024-03-01" and items[0]["label"] == "3月1日"
    by_day = {i["key"]: i for i in items}
    assert by_day["2024-03-01"]["received"] == 2  # 00:30 Shanghai is still February 29 in UTC
    assert by_day["2024-03-31"]["received"] == 1  # 23:30 Shanghai
    assert by_day["2024-03-05"]["received"] == 2 and by_day["2024-03-05"]["cancelled"] == 1
    assert by_day["2024-03-04"] == {**by_day["2024-03-04"], **EMPTY}
    assert {k: i["points_awarded"] for k, i in by_day.items() if i["points_awarded"]} == {
        "2024-03-02": 20, "2024-03-03": 10, "2024-03-15": 8, "2024-03-31": 5}
    assert sum(i["received"] for i in items) == 8
    assert_figures(by_day["2024-03-01"], {"completed": 2, "on_time_rate": 0.5, "response_minutes": 45.0,
                                          "satisfaction_rate": 0.5, "avg_stars": 4.0})


def test_breakdown_needs_a_known_dimension(client, demo, history):
    """Is an unknown `by` a 422?"""
    assert get(client, demo, "staff_sy", "breakdown", by="weather").status_code == 422


def test_breakdown_by_day_refuses_very_long_periods(client, demo, history):
    """Is a day breakdown over more than 400 days a 422 rather than thousands of rows?"""
    response = get(client, demo, "admin", "breakdown", by="day", **{"from": "2020-01-01", "to": "2024-01-01"})
    assert response.status_code == 422


def test_summary_is_a_fixed_number_of_statements(client, demo, history, app, count_statements):
    """Does the summary cost the same statements for 8 orders as for 40 (no per-order work)?"""
    headers = demo.headers("staff_sy")
    with count_statements() as few:
        client.get("/api/v1/stats/summary", query_string=MARCH, headers=headers)
    with app.app_context():
        template = db.session.get(Order, history["orders"][6])
        for n in range(32):
            db.session.add(Order(**{c.name: getattr(template, c.name) for c in Order.__table__.columns
                                    if c.name not in ("id",)}))
        db.session.commit()
    with count_statements() as many:
        body = client.get("/api/v1/stats/summary", query_string=MARCH, headers=headers).get_json()
    assert body["received"] == 40
    assert len(many) == len(few) <= 8


# --- through the API ----------------------------------------------------------------------------

def test_orders_made_through_the_api_are_counted(client, demo, app):
    """Do orders moved by the real actions show up with the right figures and response time?"""
    clock.freeze(cst(5, 6, 9))
    order = demo.create_order()
    clock.advance(minutes=15)
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    clock.advance(minutes=25)
    demo.act(order["id"], "accept", "vol1")
    clock.advance(hours=3)
    demo.act(order["id"], "complete", "vol1", {"result": "已陪同完成复查"})
    demo.act(order["id"], "rate", "resident", {"stars": 4})
    other = demo.create_order(category="repair")
    demo.act(other["id"], "cancel", "resident", {"reason": "不需要了"})
    body = get(client, demo, "staff_sy", "summary").get_json()
    assert_figures(body, {"received": 2, "cancelled": 1, "valid": 1, "completed": 1, "completion_rate": 1.0,
                          "on_time_rate": 1.0, "response_minutes": 40.0, "rated": 1, "satisfaction_rate": 1.0,
                          "avg_stars": 4.0, "overdue_open": 0, "volunteer_services": 1})
    with app.app_context():
        ledger = db.session.scalar(select(func.coalesce(func.sum(PointsEntry.amount), 0)))
    assert body["points_awarded"] == ledger  # whatever the points rules award, the figure is the ledger's sum


# --- the monthly report -------------------------------------------------------------------------

def test_monthly_report_states_the_figures(client, demo, history):
    """Does the report state March's figures in Chinese, percentages with one decimal?"""
    response = get(client, demo, "staff_sy", "report", month="2024-03")
    assert response.status_code == 200
    body = response.get_json()
    text = body["text"]
    for phrase in ("2024年3月", "松阳社区", "受理群众点单8件", "群众取消1件，有效工单7件", "办结5件", "办结率71.4%",
                   "按时办结4件", "按时办结率80.0%", "“微服务”5人次", "中位数53分钟", "积分43分", "群众评单3件",
                   "满意率66.7%", "平均评分4.0星", "陪医（3件）、助老（2件）、家电维修（2件）",
                   "松阳社区党员志愿服务队（5人次）", "仍有1件工单超期未办结"):
        assert phrase in text, phrase
    assert "None" not in text and "null" not in text
    assert_figures(body["figures"], SY_MARCH)
    assert body["figures"]["month"] == "2024-03"
    assert [c["key"] for c in body["figures"]["top_categories"]] == ["escort", "elderly", "repair"]


def test_monthly_report_of_the_county(client, demo, history):
    """Does the county's report give the county's rates?"""
    text = get(client, demo, "admin", "report", month="2024-03").get_json()["text"]
    assert "示范县" in text and "受理群众点单10件" in text and "办结率66.7%" in text
    assert "按时办结率83.3%" in text and "满意率50.0%" in text and "中位数45分钟" in text


def test_monthly_report_of_an_empty_month(client, demo, history):
    """With no orders, does the report say so instead of printing 0% or null?"""
    body = get(client, demo, "staff_sy", "report", month="2023-07").get_json()
    assert body["text"] == "2023年7月，松阳社区暂未受理群众点单。"
    assert body["figures"]["completion_rate"] is None


def test_monthly_report_without_ratings(client, demo, app):
    """When nothing was rated yet, does the report say the satisfaction rate is not counted?"""
    clock.freeze(cst(6, 3, 9))
    demo.create_order()
    text = get(client, demo, "staff_sy", "report", month="2024-06").get_json()["text"]
    assert "受理群众点单1件" in text and "目前尚无办结工单，办结率0.0%" in text
    assert "暂无群众评单，满意率暂不统计" in text
    assert "2024年6月（截至6月3日）" in text


def test_monthly_report_month_is_shanghai(client, demo, history):
    """Is April's report the Shanghai April (order 9 at 00:10 on April 1 counts)?"""
    body = get(client, demo, "staff_sy", "report", month="2024-04").get_json()
    assert body["figures"]["received"] == 1
    assert body["figures"]["points_awarded"] == 20


@pytest.mark.parametrize("month", ["2024-13", "2024-3", "march", "2024-00", "9999-12", "0000-01"])
def test_monthly_report_month_format(client, demo, history, month):
    """Is a malformed month a 422?"""
    assert get(client, demo, "staff_sy", "report", month=month).status_code == 422


def test_percent_formatting():
    """Are percentages one decimal, rounded half up, and — without a denominator?"""
    from app.stats.report import percent, rate_percent

    assert percent(2, 3) == "66.7%"
    assert percent(1, 8) == "12.5%"
    assert percent(1, 3) == "33.3%"
    assert percent(1, 1) == "100.0%"
    assert percent(0, 0) == "—"
    assert percent(1, 2000) == "0.1%"  # 0.05 rounds up
    assert rate_percent(2 / 3) == "66.7%"
    assert rate_percent(None) == "—"


def test_figures_are_served_from_a_read_only_database(app, client, demo, history, database_url):
    """Do every figure, breakdown, the report and the export work on the read-only replica engine of
    DATABASE_REPLICA_URL (docs/deploy.md), with the same numbers as the primary? (The export's access-log entry
    goes to the primary: tests/stats/test_replica.py.)"""
    from app import create_app, replica as replicas
    from tests.conftest import is_postgres

    if not is_postgres(database_url):
        pytest.skip("a read-only replica is PostgreSQL's (TEST_DATABASE_URL)")
    replica = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, DATABASE_REPLICA_URL=database_url,
                         REPLICA_CHECK_SECONDS=0)
    reader = replica.test_client()
    try:
        for path, params in (("summary", MARCH), ("breakdown", {"by": "category", **MARCH}),
                             ("breakdown", {"by": "area", **MARCH}), ("report", {"month": "2024-03"}),
                             ("export", {"format": "csv", **MARCH})):
            params = {"area_id": demo.sy, **params}
            primary = get(client, demo, "staff_sy", path, **params)
            answered = reader.get(f"/api/v1/stats/{path}", query_string=params, headers=demo.headers("staff_sy"))
            assert answered.status_code == 200, (path, answered.get_data(as_text=True)[:500])
            assert answered.get_data() == primary.get_data() or path == "export", path
        engine = replicas.replica_engine(replica)
        with engine.connect() as conn:
            assert conn.execute(db.text("SHOW transaction_read_only")).scalar() == "on"
    finally:
        with replica.app_context():
            db.session.remove()
            db.engine.dispose()
        replicas.dispose(replica)
