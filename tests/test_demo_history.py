"""The lived-in demo (DESIGN §8): `flask seed-demo` writes the demo communities' last three months through the
app's own operations, once; the accounts of §7 stay as they are."""
from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.calls.models import Call, CallSignup
from app.extensions import db
from app.notifications.models import Message, Notification
from app.orders.models import Order, OrderEvent, Rating
from app.points.models import PointsEntry
from app.records.models import ServiceCredit
from app.rewards.models import Redemption, Reward
from tests.conftest import DEMO_OPENIDS
from tests.test_cli import snapshot

STATUSES = {"ordered", "dispatched", "accepted", "in_service", "completed", "rated", "cancelled", "closed"}


def _months(moments) -> set[str]:
    return {m.strftime("%Y-%m") for m in moments}


def test_seed_demo_writes_three_months_of_activity_once(app, runner, client):
    """After seed-demo, do the lists and figures show orders in every status (some overdue, some rated low and
    waiting for review), calls, points, rewards, redemptions and service records across three months — all
    agreeing with each other — and does a second run add nothing?"""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    first = snapshot(app)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert snapshot(app) == first

    now = clock.now()
    with app.app_context():
        orders = db.session.scalars(select(Order)).all()
        assert {o.status for o in orders} == STATUSES
        assert len(orders) >= 30
        created = [o.created_at for o in orders]
        assert min(created) <= now - timedelta(days=80) and max(created) >= now - timedelta(days=1)
        open_ = [o for o in orders if o.status in ("ordered", "dispatched", "accepted", "in_service")]
        assert any(o.due_at.replace(tzinfo=now.tzinfo) < now for o in open_ if o.due_at)  # some overdue
        low = db.session.scalars(select(Rating).where(Rating.stars <= 2, Rating.reviewed_at.is_(None))).all()
        assert low, "a low rating waits for its follow-up call"
        assert db.session.scalar(select(func.count()).select_from(Rating).where(Rating.reviewed_at.is_not(None)))
        # Every order's events are the app's own: created first, and stamped when the step happened.
        for order in orders:
            events = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                                        .order_by(OrderEvent.id)).all()
            assert events[0].action == "create" and events[0].created_at == order.created_at
            assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        months = _months(o.created_at for o in orders)
        assert len(months) >= 3
        # Points and hours agree with what was done: served orders earned them, at the time they were served.
        served = {o.id for o in orders if o.status in ("completed", "rated", "closed")}
        credited = set(db.session.scalars(select(ServiceCredit.order_id).where(ServiceCredit.order_id.is_not(None))))
        assert credited == served
        assert db.session.scalar(select(func.count()).select_from(PointsEntry).where(
            PointsEntry.order_id.in_(served))) >= len(served)
        assert len(_months(db.session.scalars(select(ServiceCredit.created_at)))) >= 3
        # Calls with sign-ups (one still open for sign-up), redemptions in every status, nothing below zero.
        calls = db.session.scalars(select(Call)).all()
        assert {c.status for c in calls} == {"open", "closed"} and len(calls) >= 5
        assert {s.status for s in db.session.scalars(select(CallSignup))} >= {"confirmed", "signed_up"}
        assert {r.status for r in db.session.scalars(select(Redemption))} == {"pending", "fulfilled", "cancelled"}
        assert db.session.scalar(select(func.min(Reward.stock))) >= 0
        balances = db.session.execute(select(func.sum(PointsEntry.amount)).group_by(PointsEntry.user_id)).scalars()
        assert min(balances) >= 0
        # The in-app messages of each step were delivered then (dev mode), not all at once today.
        assert len(_months(db.session.scalars(select(Message.created_at)))) >= 3
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.status == "pending")) == 0

    def headers(openid):
        token = client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{openid}"}).get_json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    staff = headers("demo-staff-sy")
    sy = client.get("/api/v1/me", headers=staff).get_json()["roles"][0]["area_id"]
    figures = client.get(f"/api/v1/stats/summary?area_id={sy}&from={(now - timedelta(days=95)).date()}",
                         headers=staff).get_json()
    assert figures["received"] >= 20 and figures["points_redeemed"] > 0, figures
    queue = client.get("/api/v1/orders?status=ordered&view=area&overdue=true", headers=staff).get_json()
    assert queue["items"], "the dispatch board shows overdue orders"
    ratings = client.get("/api/v1/ratings?max_stars=2&reviewed=false", headers=staff).get_json()
    assert ratings["items"]
    record = client.get("/api/v1/me/service-record", headers=headers("demo-volunteer-sy-1")).get_json()
    assert record["services"] >= 5 and record["calls"] >= 3 and record["total_minutes"] > 600
    assert len({item["date"][:7] for item in record["items"]}) >= 2
    mine = client.get("/api/v1/me/redemptions", headers=headers("demo-volunteer-sy-1")).get_json()["items"]
    assert {r["status"] for r in mine} == {"pending", "fulfilled"}
    assert client.get("/api/v1/rewards", headers=headers("demo-resident-sy-1")).get_json()["items"]


def test_the_accounts_of_section_7_stay(app, runner, demo):
    """Does the lived-in history leave the §7 world (areas, users, roles, teams) as seed_demo made it?"""
    with app.app_context():
        from app.users.models import User

        before = {u.openid: (u.id, u.nickname) for u in db.session.scalars(select(User))}
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        after = {u.openid: (u.id, u.nickname) for u in db.session.scalars(select(User))}
    assert after == before and set(DEMO_OPENIDS.values()) <= set(after)
