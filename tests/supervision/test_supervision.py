"""Deadlines (限期办理) and the supervision ladder (跟踪监督), on a controllable clock."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.notifications.models import Notification
from app.orders.models import OrderEvent
from app.supervision.service import supervise
from tests.conftest import DEMO_OPENIDS, is_postgres, login

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def at_t0(app):
    clock.freeze(T0)
    yield T0


def run_pass(app) -> dict:
    with app.app_context():
        return supervise()


def ladder_events(app, order_id: int) -> list[OrderEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.action.in_(("remind", "escalate"))).order_by(OrderEvent.id)))
        db.session.expunge_all()
        return events


def told(app, demo, event_id: int) -> set[str]:
    """The demo users a ladder event queued notifications for."""
    names = {user_id: name for name, user_id in demo.user_ids.items()}
    with app.app_context():
        return {names[user_id] for user_id in db.session.scalars(
            select(Notification.user_id).where(Notification.event_id == event_id))}


def order_in(demo, status: str, **changes) -> dict:
    """An order moved at T0 to `ordered`, `dispatched` or `accepted`."""
    order = demo.create_order(**changes)
    if status in ("dispatched", "accepted"):
        order = demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    if status == "accepted":
        order = demo.act(order["id"], "accept", "vol1")
    return order


# Hours after T0 at which each step is due, with the action and who is told. Defaults: dispatch
# limit 4 h, accept limit 8 h, 陪医 (escort) 48 h; remind at 75 %, escalate at 100 %, again at 150 %.
# 松阳社区 has staff; 城关镇 has none, so the county's admin is the next level up.
LADDERS = {
    "ordered": [(3, "remind", {"staff_sy"}), (4, "escalate", {"admin"}), (6, "escalate", set())],
    "dispatched": [(6, "remind", {"vol1", "vol2", "leader_sy"}), (8, "escalate", {"staff_sy"}),
                   (12, "escalate", {"admin"})],
    "accepted": [(36, "remind", {"vol1"}), (48, "escalate", {"staff_sy"}), (72, "escalate", {"admin"})],
}


@pytest.mark.parametrize("status", list(LADDERS))
def test_ladder_steps_each_once(app, demo, at_t0, status):
    """Does each step of the ladder come at its time, to its people, once, with the status unchanged?"""
    order = order_in(demo, status)
    seen = 0
    for hours, action, people in LADDERS[status]:
        clock.freeze(T0 + timedelta(hours=hours, minutes=-1))
        run_pass(app)
        assert len(ladder_events(app, order["id"])) == seen, f"early at {hours} h"
        clock.freeze(T0 + timedelta(hours=hours))
        run_pass(app)
        run_pass(app)  # a second pass at the same moment adds nothing
        events = ladder_events(app, order["id"])
        assert len(events) == seen + 1
        step = events[-1]
        assert (step.action, step.actor_id, step.from_status, step.to_status) == (action, None, status, status)
        assert step.data["level"] == seen
        assert told(app, demo, step.id) == people
        seen += 1
    clock.advance(days=2)  # (tokens last 7 days)
    run_pass(app)
    assert len(ladder_events(app, order["id"])) == 3
    detail = demo.client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()
    assert detail["status"] == status
    assert [e["actor_name"] for e in detail["events"] if e["action"] in ("remind", "escalate")] == ["系统"] * 3


def test_late_worker_takes_every_step_due(app, demo, at_t0):
    """When the worker comes late, are all steps due taken at once, in order, and noted in Chinese?"""
    order = order_in(demo, "dispatched")
    clock.advance(hours=13)

    summary = run_pass(app)

    assert summary == {"reminded": 1, "escalated": 2, "closed": 0}
    notes = [e.note for e in ladder_events(app, order["id"])]
    assert notes == ["催办：接单已超时，已提醒服务队", "督办：接单已超时，已通知松阳社区工作人员",
                     "督办：接单已超时，已通知示范县工作人员"]


def test_new_stage_starts_a_new_ladder(app, demo, at_t0):
    """After a decline, does the dispatch ladder count from the decline, not from creation?"""
    order = order_in(demo, "dispatched")
    clock.advance(hours=6)
    run_pass(app)  # reminds the team
    demo.act(order["id"], "decline", "vol1", {"reason": "这周都没空"})
    clock.advance(hours=2, minutes=59)
    run_pass(app)
    assert [e.action for e in ladder_events(app, order["id"])] == ["remind"]

    clock.advance(minutes=1)  # 3 h after the decline: 75 % of the 4 h dispatch limit
    run_pass(app)

    events = ladder_events(app, order["id"])
    assert [(e.action, e.to_status) for e in events] == [("remind", "dispatched"), ("remind", "ordered")]
    assert told(app, demo, events[-1].id) == {"staff_sy"}


def test_finished_stage_stops_its_ladder(app, demo, at_t0):
    """Does an order accepted in time get no accept-stage reminders?"""
    order = order_in(demo, "dispatched")
    clock.advance(hours=5)
    demo.act(order["id"], "accept", "vol1")
    clock.advance(hours=10)

    run_pass(app)

    assert ladder_events(app, order["id"]) == []


def test_area_limits_apply_to_their_subtree(app, demo, at_t0, client):
    """Does a limit set on the town apply to its communities, unless a community sets its own?"""
    admin = demo.headers("admin")
    response = client.patch(f"/api/v1/areas/{demo.town}", json={"dispatch_limit_hours": 2}, headers=admin)
    assert response.status_code == 200 and response.get_json()["dispatch_limit_hours"] == 2
    assert client.patch(f"/api/v1/areas/{demo.qs}", json={"dispatch_limit_hours": 10},
                        headers=admin).status_code == 200
    sy_order = demo.create_order()
    qs_order = demo.create_order("resident_qs", area_id=demo.qs, category="elderly")

    clock.advance(hours=1.5)  # 75 % of the town's 2 h
    run_pass(app)
    assert [e.action for e in ladder_events(app, sy_order["id"])] == ["remind"]
    assert ladder_events(app, qs_order["id"]) == []

    clock.advance(hours=6)  # 7.5 h: 75 % of 青山's own 10 h
    run_pass(app)
    assert [e.action for e in ladder_events(app, qs_order["id"])] == ["remind"]


def test_grid_orders_inherit_their_community_limit(app, demo, at_t0, client):
    """Does an order filed in a grid follow its community's limit and go to the community's staff?"""
    grid = client.get(f"/api/v1/areas?parent_id={demo.sy}").get_json()["items"][0]["id"]
    client.patch(f"/api/v1/areas/{demo.sy}", json={"dispatch_limit_hours": 1}, headers=demo.headers("admin"))
    order = demo.create_order(area_id=grid)

    clock.advance(minutes=45)
    run_pass(app)

    events = ladder_events(app, order["id"])
    assert [e.action for e in events] == ["remind"]
    assert told(app, demo, events[0].id) == {"staff_sy"}


@pytest.mark.parametrize("who", ["staff_sy", "resident", "grid_sy"])
def test_only_admins_set_limits(demo, client, who):
    """Are an area's limits out of reach of anyone but its admins (404, as if it did not exist)?"""
    response = client.patch(f"/api/v1/areas/{demo.sy}", json={"accept_limit_hours": 1}, headers=demo.headers(who))
    assert response.status_code == 404


def test_limits_must_be_sensible(demo, client):
    """Is a zero or absurd limit refused with a field error?"""
    response = client.patch(f"/api/v1/areas/{demo.sy}", json={"accept_limit_hours": 0},
                            headers=demo.headers("admin"))
    assert response.status_code == 422
    assert "accept_limit_hours" in response.get_json()["errors"]


def test_unrated_orders_close_after_seven_days(app, demo, at_t0):
    """Is a completed order left unrated closed by the system after 7 days, and a rated one left alone?"""
    unrated = demo.order_at("completed")
    rated = demo.order_at("rated")
    clock.advance(days=7, minutes=-1)
    assert run_pass(app)["closed"] == 0

    clock.advance(minutes=1)
    assert run_pass(app)["closed"] == 1
    assert run_pass(app)["closed"] == 0

    resident = login(demo.client, DEMO_OPENIDS["resident"])  # a week on: a fresh token
    detail = demo.client.get(f"/api/v1/orders/{unrated['id']}", headers=resident).get_json()
    assert detail["status"] == "closed"
    close = detail["events"][-1]
    assert (close["action"], close["actor_id"], close["actor_name"]) == ("close", None, "系统")
    assert "7天未评价" in close["note"]
    assert demo.client.get(f"/api/v1/orders/{rated['id']}", headers=resident).get_json()["status"] == "rated"


def test_overdue_flag_and_filter(demo, client, at_t0):
    """Is an open order past due_at overdue (flag and ?overdue=), and a completed one never?"""
    open_order = demo.create_order()  # 陪医: 48 h
    done = demo.order_at("completed")
    staff = demo.headers("staff_sy")

    def listed(overdue: bool) -> set[int]:
        items = client.get(f"/api/v1/orders?overdue={str(overdue).lower()}", headers=staff).get_json()["items"]
        return {item["id"] for item in items}

    assert open_order["overdue"] is False
    assert open_order["due_at"].startswith("2025-03-05T01:00:00")
    assert listed(True) == set()

    clock.advance(hours=48)

    detail = client.get(f"/api/v1/orders/{open_order['id']}", headers=staff).get_json()
    assert detail["overdue"] is True
    assert listed(True) == {open_order["id"]}
    assert done["id"] in listed(False)


def test_worker_once_command(app, demo, runner, at_t0):
    """Does `flask worker --once` run one pass (ladder, closing, delivery) and exit?"""
    order_in(demo, "dispatched")
    clock.advance(hours=8)

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "'reminded': 1" in result.output and "'escalated': 1" in result.output
    # dispatch and remind: the 3 team members each, escalate: the area's staff; in-app only (no templates)
    assert "'skipped': 7" in result.output


def test_worker_stops_on_sigterm(app, database_url, tmp_path):
    """Does `flask worker` keep running between passes and stop cleanly, at once, on SIGTERM?"""
    env = {**os.environ, "APP_ENV": "testing", "TEST_DATABASE_URL": database_url, "FLASK_APP": "wsgi.py",
           "INSTANCE_PATH": str(tmp_path), "WORKER_INTERVAL_SECONDS": "60"}
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "started" not in log_path.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            time.sleep(0.1)
        time.sleep(1)  # its first pass done, asleep for the 60 s interval now
        assert process.poll() is None

        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert process.wait(timeout=30) == 0, log_path.read_text()
        assert time.monotonic() - started < 20  # far from the 60 s it was set to sleep
    finally:
        if process.poll() is None:
            process.kill()
    output = log_path.read_text()
    assert "received SIGTERM" in output and "stopped after" in output


def test_two_workers_take_each_step_once(app, demo, database_url, at_t0):
    """Do two workers running the ladder at once on PostgreSQL take each step exactly once?"""
    if not is_postgres(database_url):
        pytest.skip("several workers need PostgreSQL (row locks); SQLite runs a single worker")
    orders = [order_in(demo, "dispatched") for _ in range(8)]
    clock.advance(hours=13)
    start = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            with app.app_context():
                start.wait()
                results.append(supervise())
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sum(r["reminded"] for r in results) == 8 and sum(r["escalated"] for r in results) == 16
    for order in orders:
        assert [e.data["level"] for e in ladder_events(app, order["id"])] == [0, 1, 2]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "remind")) == 8 * 3
