"""Care plans (周期服务, DESIGN §8): set-up and scope, pause/resume/end, and the worker filing each visit once."""
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app import clock
from app.care import service
from app.care.models import CarePlan, CareVisit
from app.extensions import db
from app.orders.models import Order, OrderEvent
from tests.conftest import is_postgres

# 20:00 in Asia/Shanghai on Friday 2026-01-23: the evening before the plan's first possible day.
EVENING = datetime(2026, 1, 23, 12, 0, tzinfo=timezone.utc)


def plan_body(demo, **changes) -> dict:
    body = {"resident": {"user_id": demo.user_ids["resident"], "phone": "13800001234"}, "area_id": demo.sy,
            "category": "elderly", "title": "独居老人上门探访", "description": "每周上门看望，帮忙打扫和买菜",
            "address": "松阳小区3栋2单元", "weekdays": [4, 1], "time_slot": "上午",
            "starts_on": "2026-01-24", "team_id": demo.team_sy}
    body.update(changes)
    return body


def create_plan(client, demo, who: str = "staff_sy", status: int = 201, **changes) -> dict:
    response = client.post("/api/v1/care-plans", json=plan_body(demo, **changes), headers=demo.headers(who))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def run_worker(app) -> int:
    with app.app_context():
        try:
            return service.file_due_visits()
        finally:
            db.session.remove()


def visit_orders(app, plan_id: int) -> list[Order]:
    with app.app_context():
        orders = list(db.session.scalars(select(Order).where(Order.care_plan_id == plan_id).order_by(Order.id)))
        db.session.expunge_all()
    return orders


def visit_days(app, plan_id: int) -> list[date]:
    with app.app_context():
        return list(db.session.scalars(select(CareVisit.visit_on).where(CareVisit.plan_id == plan_id)
                                       .order_by(CareVisit.visit_on)))


def every_evening(app, start: datetime, days: int, passes: int = 1) -> None:
    """Run the worker at 20:00 and at 08:00 (Asia/Shanghai) of each day, `passes` times each."""
    for offset in range(days):
        for hour in (0, 12):  # 08:00 and 20:00 local
            clock.freeze(start.replace(hour=hour) + timedelta(days=offset))
            for _ in range(passes):
                run_worker(app)


# --- set-up and scope -----------------------------------------------------------------------------

def test_staff_set_up_a_plan(client, demo):
    """Does staff's plan come back with its schedule, team, next visit and actions?"""
    clock.freeze(EVENING)
    plan = create_plan(client, demo)
    assert plan["status"] == "active" and plan["weekdays"] == [1, 4] and plan["schedule"] == "每周一、周四上午"
    assert plan["team_id"] == demo.team_sy and plan["resident_name"] and plan["category"] == "elderly"
    assert plan["next_visit_on"] == "2026-01-26" and plan["allowed_actions"] == ["pause", "end"]
    assert plan["visits"] == []


def test_a_grid_worker_sets_up_a_plan_for_a_resident_without_an_account(client, demo):
    """May a grid worker set one up for a resident known by name and phone only?"""
    plan = create_plan(client, demo, "grid_sy", resident={"name": "王奶奶", "phone": "13900000001"}, team_id=None)
    assert plan["resident_id"] is None and plan["resident_name"] == "王奶奶" and plan["owner_id"] == \
        demo.user_ids["grid_sy"]


@pytest.mark.parametrize("changes, field", [
    ({"weekdays": []}, "weekdays"), ({"weekdays": [0]}, "weekdays"), ({"weekdays": [8]}, "weekdays"),
    ({"time_slot": "凌晨"}, "time_slot"), ({"starts_on": "2026-02-30"}, "starts_on"),
    ({"ends_on": "2026-01-01"}, "ends_on"), ({"category": "nope"}, "category"),
    ({"resident": {}}, "resident"), ({"resident": {"user_id": 999999}}, "resident"),
    ({"area_id": 999999}, "area_id"),
])
def test_bad_plans_are_field_errors(client, demo, changes, field):
    """Is each bad field a 422 naming it, never a 500?"""
    response = client.post("/api/v1/care-plans", json=plan_body(demo, **changes), headers=demo.headers("staff_sy"))
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()


def test_the_team_must_be_one_that_may_take_the_visits(client, demo):
    """Is another community's team refused (the dispatch rule's one home)?"""
    response = client.post("/api/v1/care-plans", json=plan_body(demo, team_id=demo.team_qs),
                           headers=demo.headers("staff_sy"))
    assert response.status_code == 422 and "team_id" in response.get_json()["errors"]


@pytest.mark.parametrize("who, create, see", [("staff_sy", 201, 200), ("grid_sy", 201, 200), ("admin", 201, 200),
                                              ("staff_qs", 403, 404), ("resident", 403, 403), ("vol1", 403, 403)])
def test_who_sets_up_and_sees_plans(client, demo, who, create, see):
    """Do staff, grid workers and admins of the area set up and see plans, and nobody else?"""
    create_plan(client, demo, who, status=create)
    plan = create_plan(client, demo)
    assert client.get(f"/api/v1/care-plans/{plan['id']}", headers=demo.headers(who)).status_code == see
    listed = client.get("/api/v1/care-plans", headers=demo.headers(who))
    if see == 200:
        assert plan["id"] in [p["id"] for p in listed.get_json()["items"]]
    elif see == 404:
        assert listed.get_json()["items"] == []
    assert client.post(f"/api/v1/care-plans/{plan['id']}/pause", headers=demo.headers(who)).status_code == see


def test_pause_resume_end(client, demo):
    """Do pause, resume and end move a plan, and a move its status does not allow answer 409?"""
    plan = create_plan(client, demo)
    headers = demo.headers("staff_sy")

    def act(action, status=200):
        response = client.post(f"/api/v1/care-plans/{plan['id']}/{action}", headers=headers)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    assert act("resume", 409)["code"] == "invalid_transition"
    assert act("pause")["status"] == "paused" and act("pause", 409)
    assert act("resume")["allowed_actions"] == ["pause", "end"]
    assert act("end")["status"] == "ended" and act("resume", 409) and act("end", 409)


# --- the worker -----------------------------------------------------------------------------------

def test_visits_are_filed_the_day_before_across_weeks_and_a_month_end(app, client, demo):
    """Over three weeks across the end of January, is each Monday and Thursday visit filed on the day before,
    once, through the normal flow (on the resident's behalf by the owner, dispatched to the plan's team)?"""
    clock.freeze(EVENING)
    plan = create_plan(client, demo)
    every_evening(app, EVENING, 21, passes=2)
    expected = [date(2026, 1, 26), date(2026, 1, 29), date(2026, 2, 2), date(2026, 2, 5), date(2026, 2, 9),
                date(2026, 2, 12)]
    assert visit_days(app, plan["id"]) == expected
    orders = visit_orders(app, plan["id"])
    assert len(orders) == len(expected)
    for order, day in zip(orders, expected):
        # Filed at the worker's first pass of the day before (08:00 Asia/Shanghai = 00:00 UTC).
        assert order.created_at == datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - timedelta(days=1)
        assert order.created_at.astimezone(service.LOCAL).date() == day - timedelta(days=1)
        assert order.preferred_time.startswith(f"{day.month}月{day.day}日") and order.preferred_time.endswith("上午")
        assert order.requester_id == order.created_by_id == demo.user_ids["staff_sy"]
        assert order.on_behalf_name and order.on_behalf_phone == "13800001234"
        assert order.status == "dispatched" and order.team_id == demo.team_sy
        assert order.due_at > order.created_at  # the category's deadline, as any order
    with app.app_context():
        events = db.session.execute(select(OrderEvent.action, OrderEvent.actor_id, OrderEvent.note).where(
            OrderEvent.order_id == orders[0].id).order_by(OrderEvent.id)).all()
    assert [tuple(e) for e in events] == [("create", demo.user_ids["staff_sy"], f"代 {orders[0].on_behalf_name} 下单"),
                                          ("dispatch", None, "周期服务派单")]
    demo._headers.clear()  # three weeks on: log in again
    detail = client.get(f"/api/v1/care-plans/{plan['id']}", headers=demo.headers("staff_sy")).get_json()
    assert [v["visit_on"] for v in detail["visits"]] == [d.isoformat() for d in reversed(expected)]
    assert {v["status"] for v in detail["visits"]} == {"dispatched"}


def test_a_visit_is_filed_on_the_day_when_the_evening_before_was_missed(app, client, demo):
    """If the worker was away the evening before, is the day's visit filed that morning, still once?"""
    clock.freeze(EVENING)
    plan = create_plan(client, demo, weekdays=[1])
    clock.freeze(datetime(2026, 1, 26, 0, 30, tzinfo=timezone.utc))  # Monday 08:30 local
    assert run_worker(app) == 1 and run_worker(app) == 0
    assert visit_days(app, plan["id"]) == [date(2026, 1, 26)]


def test_start_end_and_month_end(app, client, demo):
    """Does a daily plan from Friday 30 January to Monday 2 February file exactly those four days?"""
    clock.freeze(datetime(2026, 1, 27, 12, tzinfo=timezone.utc))
    plan = create_plan(client, demo, weekdays=[1, 2, 3, 4, 5, 6, 7], starts_on="2026-01-30", ends_on="2026-02-02",
                       team_id=None)
    every_evening(app, datetime(2026, 1, 27, 12, tzinfo=timezone.utc), 10)
    assert visit_days(app, plan["id"]) == [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 2)]
    assert {o.status for o in visit_orders(app, plan["id"])} == {"ordered"}  # no team: staff dispatch them


def test_paused_and_ended_plans_file_nothing(app, client, demo):
    """Is nothing filed while a plan is paused, filing back after resume, and nothing after end?"""
    clock.freeze(EVENING)
    plan = create_plan(client, demo)
    headers = demo.headers("staff_sy")
    client.post(f"/api/v1/care-plans/{plan['id']}/pause", headers=headers)
    every_evening(app, EVENING, 7)
    assert visit_days(app, plan["id"]) == []
    demo._headers.clear()
    headers = demo.headers("staff_sy")
    client.post(f"/api/v1/care-plans/{plan['id']}/resume", headers=headers)
    every_evening(app, EVENING + timedelta(days=7), 7)  # Friday 30 January on
    assert visit_days(app, plan["id"]) == [date(2026, 2, 2), date(2026, 2, 5)]
    demo._headers.clear()
    client.post(f"/api/v1/care-plans/{plan['id']}/end", headers=demo.headers("staff_sy"))
    every_evening(app, EVENING + timedelta(days=14), 7)
    assert visit_days(app, plan["id"]) == [date(2026, 2, 2), date(2026, 2, 5)]


def test_a_second_worker_with_a_stale_view_files_nothing_twice(app, client, demo):
    """When two workers both find a visit due, does only the first file it (the unique plan and date)?"""
    clock.freeze(EVENING + timedelta(days=2))  # Sunday evening: Monday's visit is due
    plan = create_plan(client, demo)
    with app.app_context():
        first = service.file_visit(db.session.get(CarePlan, plan["id"]), date(2026, 1, 26))
        second = service.file_visit(db.session.get(CarePlan, plan["id"]), date(2026, 1, 26))
        count = db.session.scalar(select(func.count()).select_from(Order).where(Order.care_plan_id == plan["id"]))
    assert first is not None and second is None and count == 1


def test_two_workers_at_once(app, client, demo, database_url):
    """Do two workers passing at the same moment file each visit once between them (PostgreSQL)?"""
    if not is_postgres(database_url):
        pytest.skip("several workers run on PostgreSQL only (README); SQLite runs one")
    clock.freeze(EVENING + timedelta(days=2))
    plans = [create_plan(client, demo, weekdays=[1, 7]) for _ in range(5)]
    barrier = threading.Barrier(2)
    results = []

    def work():
        with app.app_context():
            barrier.wait()
            results.append(service.file_due_visits())
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results) == 10  # five plans × (Sunday today, Monday tomorrow)
    for plan in plans:
        assert len(visit_orders(app, plan["id"])) == 2


def test_visits_count_in_the_figures_like_any_order(app, client, demo):
    """Are filed visits received, completed and rated in /stats/summary like any order?"""
    clock.freeze(EVENING)
    plan = create_plan(client, demo)
    every_evening(app, EVENING, 3)
    (order,) = visit_orders(app, plan["id"])
    demo.act(order.id, "accept", "vol1")
    demo.act(order.id, "complete", "vol1", {"result": "已上门打扫"})
    demo.act(order.id, "rate", "staff_sy", {"stars": 5})
    summary = client.get("/api/v1/stats/summary?area_id=%d&from=2026-01-01&to=2026-03-01" % demo.sy,
                         headers=demo.headers("staff_sy")).get_json()
    assert summary["received"] == 1 and summary["completed"] == 1 and summary["satisfaction_rate"] == 1.0


def test_the_demo_has_a_care_plan_with_its_history(app, runner, client, demo):
    """Does seed-demo add a care plan whose past visits are served and rated, and nothing on a second run?"""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        plan = db.session.scalar(select(CarePlan))
        orders = list(db.session.scalars(select(Order).where(Order.care_plan_id == plan.id)))
        count = db.session.scalar(select(func.count()).select_from(Order))
    assert len(orders) >= 6 and {o.status for o in orders} <= {"rated", "dispatched"}
    assert sum(o.status == "rated" for o in orders) >= 5
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == count
    plans = client.get("/api/v1/care-plans", headers=demo.headers("staff_sy")).get_json()["items"]
    assert [p["title"] for p in plans] == ["独居老人定期探访"]


def test_a_plans_page_is_in_the_access_log_and_the_list_holds_no_phone(app, client, demo):
    """Is reading a plan's page (the resident's phone and address) logged, and does the list leave them out?"""
    from app.privacy.models import PiiAccess

    plan = create_plan(client, demo)
    listed = client.get("/api/v1/care-plans", headers=demo.headers("grid_sy")).get_json()["items"][0]
    assert "resident_phone" not in listed and "address" not in listed
    detail = client.get(f"/api/v1/care-plans/{plan['id']}", headers=demo.headers("grid_sy")).get_json()
    assert detail["resident_phone"] == "13800001234"
    with app.app_context():
        rows = db.session.execute(select(PiiAccess.viewer_id, PiiAccess.subject_user_id, PiiAccess.what)).all()
    assert [tuple(r) for r in rows] == [(demo.user_ids["grid_sy"], demo.user_ids["resident"], "care_plan")]


def test_a_resident_who_leaves_ends_their_plans(app, client, demo):
    """Does 注销 of the resident end their plan and blank its name, phone and address and its visits' contacts?"""
    clock.freeze(EVENING + timedelta(days=2))
    plan = create_plan(client, demo)
    run_worker(app)
    assert client.delete("/api/v1/me", headers=demo.headers("resident")).status_code == 204
    with app.app_context():
        stored = db.session.get(CarePlan, plan["id"])
        assert (stored.status, stored.resident_name, stored.resident_phone, stored.address) == ("ended", "", "", "")
        orders = db.session.scalars(select(Order).where(Order.care_plan_id == plan["id"])).all()
        assert orders and all(o.contact_phone == "" and o.on_behalf_phone == "" for o in orders)
    assert run_worker(app) == 0
