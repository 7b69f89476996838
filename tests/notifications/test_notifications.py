"""Notifications: the outbox written with each change, its delivery by the worker (in-app and WeChat
subscribe messages against the fake WeChat server), retries, leases, and the messages API."""
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import clock, create_app
from app.extensions import db
from app.notifications.delivery import _prepare, claim, deliver_pending
from app.notifications.models import Message, Notification
from app.notifications.service import fit_value, notify
from app.orders.signals import order_changed
from app.users.models import User
from tests.conftest import is_postgres

ROOT = Path(__file__).resolve().parents[2]

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai
TEMPLATES = {"WECHAT_TEMPLATE_DISPATCHED": "tpl-dispatched", "WECHAT_TEMPLATE_ACCEPTED": "tpl-accepted",
             "WECHAT_TEMPLATE_COMPLETED": "tpl-completed", "WECHAT_TEMPLATE_REMINDER": "tpl-reminder",
             "WECHAT_TEMPLATE_FOLLOWED_UP": "tpl-followed-up", "WECHAT_TEMPLATE_CALL": "tpl-call"}


@pytest.fixture
def wx_app(app, database_url, fake_wechat):
    """An app on the test database that delivers through the fake WeChat server, templates configured."""
    wx = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WECHAT_APP_ID=fake_wechat.app_id,
                    WECHAT_APP_SECRET=fake_wechat.app_secret, WECHAT_API_BASE_URL=fake_wechat.url,
                    WECHAT_TIMEOUT=2.0, NOTIFY_RETRY_BASE_SECONDS=60, NOTIFY_MAX_ATTEMPTS=4, **TEMPLATES)
    yield wx
    with wx.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def at_t0(app):
    clock.freeze(T0)
    yield T0


def deliver(app, **kwargs) -> Counter:
    with app.app_context():
        return deliver_pending(**kwargs)


def rows(app, model, *where) -> list:
    with app.app_context():
        found = list(db.session.scalars(select(model).where(*where).order_by(model.id)))
        db.session.expunge_all()
        return found


def names(demo, user_ids) -> set[str]:
    by_id = {user_id: name for name, user_id in demo.user_ids.items()}
    return {by_id[user_id] for user_id in user_ids}


# --- the outbox, written with the change ------------------------------------------------------------

def test_who_is_told_what(app, demo):
    """Does each step queue its notification to the right people, and nothing to the one who acted?"""
    order = demo.create_order()
    steps = [("dispatch", "staff_sy", {"team_id": demo.team_sy}, "dispatched", {"vol1", "vol2", "leader_sy"}),
             ("accept", "vol1", None, "accepted", {"resident"}),
             ("start", "vol1", None, None, set()),
             ("complete", "vol1", {"result": "已陪同完成复查"}, "completed", {"resident"}),
             ("rate", "resident", {"stars": 2, "comment": "来晚了"}, None, set()),
             ("review", "staff_sy", {"note": "已电话回访，志愿者已致歉"}, "followed_up", {"resident"})]
    assert rows(app, Notification) == []
    for action, who, body, kind, people in steps:
        before = len(rows(app, Notification))
        demo.act(order["id"], action, who, body)
        queued = rows(app, Notification)[before:]
        assert {n.kind for n in queued} <= {kind}, action
        assert names(demo, [n.user_id for n in queued]) == people, action
    followed_up = rows(app, Notification, Notification.kind == "followed_up")[0]
    # Staff's follow-up note stays with staff (security review, issue 14): the resident is told it happened.
    assert followed_up.body == "工作人员已回访您对工单「陪医」的评价。"
    assert "致歉" not in str(followed_up.template_data)
    assert followed_up.page == f"pages/orders/detail/index?id={order['id']}"


def test_a_team_member_dispatching_is_not_told(app, demo, client):
    """When the staff member who dispatches is also on the team, is only the rest of the team told?"""
    with app.app_context():
        from app.teams.models import TeamMember

        db.session.add(TeamMember(team_id=demo.team_sy, user_id=demo.user_ids["staff_sy"], role="member"))
        db.session.commit()
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})

    assert names(demo, [n.user_id for n in rows(app, Notification)]) == {"vol1", "vol2", "leader_sy"}


def test_nothing_is_queued_when_the_change_fails(app, demo, client):
    """Is the outbox row part of the change's transaction, gone with it when it rolls back?"""
    order = demo.create_order()

    def explode(sender, **kwargs):
        raise RuntimeError("boom after the outbox row was added")

    order_changed.connect(explode)
    try:
        response = client.post(f"/api/v1/orders/{order['id']}/dispatch", json={"team_id": demo.team_sy},
                               headers=demo.headers("staff_sy"))
    finally:
        order_changed.disconnect(explode)
    assert response.status_code == 500
    assert rows(app, Notification) == []
    assert client.get(f"/api/v1/orders/{order['id']}",
                      headers=demo.headers("staff_sy")).get_json()["status"] == "ordered"


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("thing1", "一二三四五六七八九十一二三四五六七八九十", "一二三四五六七八九十一二三四五六七八九十"),
    ("thing1", "一二三四五六七八九十一二三四五六七八九十多", "一二三四五六七八九十一二三四五六七八九…"),
    ("name2", "欧阳一二三四五六七八九", "欧阳一二三四五六七…"),
    ("phrase3", "已超时很久了", "已超时很…"),
    ("thing4", "  换行\n和  空格  ", "换行 和 空格"),
    ("thing5", "", "无"),
    ("time2", datetime(2025, 3, 2, 16, 5, tzinfo=timezone.utc), "2025年3月3日 00:05"),
])
def test_template_values_fit_wechat_limits(key, value, expected):
    """Are template values cut to WeChat's limits by key type, and times shown in Shanghai time?"""
    assert fit_value(key, value) == expected


# --- delivery: in-app messages ------------------------------------------------------------------------

def test_worker_delivers_in_app_messages(app, demo, client):
    """Does the worker turn each outbox row into one in-app message (dev mode: nothing to send)?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    assert client.get("/api/v1/me/messages", headers=demo.headers("vol1")).get_json()["items"] == []

    assert deliver(app) == Counter(skipped=3)
    assert deliver(app) == Counter()

    page = client.get("/api/v1/me/messages", headers=demo.headers("vol1")).get_json()
    assert page["unread"] == 1 and page["next_cursor"] is None
    [message] = page["items"]
    assert message["kind"] == "dispatched" and message["kind_label"] == "派单通知"
    assert message["title"] == "新工单待接单"
    assert message["body"] == "松阳社区的工单「陪医」已派给松阳社区党员志愿服务队，请尽快接单。"
    assert message["order_id"] == order["id"] and message["read"] is False
    assert {(n.status, n.wechat_status) for n in rows(app, Notification)} == {("done", "skipped")}


def test_read_one_and_read_all(app, demo, client):
    """Does reading a message lower the unread count, and read-all clear it?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "decline", "vol2", {"reason": "没空"})
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    deliver(app)
    vol1 = demo.headers("vol1")
    first, second = client.get("/api/v1/me/messages", headers=vol1).get_json()["items"]

    read = client.post(f"/api/v1/me/messages/{second['id']}/read", headers=vol1)
    again = client.post(f"/api/v1/me/messages/{second['id']}/read", headers=vol1)

    assert read.status_code == 200 and read.get_json()["read"] is True
    assert again.get_json()["read_at"] == read.get_json()["read_at"]
    page = client.get("/api/v1/me/messages", headers=vol1).get_json()
    assert page["unread"] == 1
    assert [m["id"] for m in client.get("/api/v1/me/messages?unread=true", headers=vol1).get_json()["items"]] \
        == [first["id"]]
    response = client.post("/api/v1/me/messages/read-all", headers=vol1)
    assert response.get_json() == {"marked": 1, "unread": 0}
    assert client.get("/api/v1/me/messages", headers=vol1).get_json()["unread"] == 0


def test_messages_are_mine_only(app, demo, client):
    """Do I list only my messages, and is someone else's message 404 to me?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    deliver(app)
    [theirs] = client.get("/api/v1/me/messages", headers=demo.headers("vol1")).get_json()["items"]

    for who in ("resident", "staff_sy", "admin"):
        assert client.get("/api/v1/me/messages", headers=demo.headers(who)).get_json() == \
            {"items": [], "next_cursor": None, "unread": 0}
        response = client.post(f"/api/v1/me/messages/{theirs['id']}/read", headers=demo.headers(who))
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    for missing in (999999, 2**40):
        assert client.post(f"/api/v1/me/messages/{missing}/read", headers=demo.headers("vol1")).status_code == 404
    assert client.get("/api/v1/me/messages").status_code == 401
    assert client.get("/api/v1/me/messages", headers=demo.headers("vol1")).get_json()["unread"] == 1


def test_messages_page_by_keyset_in_fixed_statements(app, demo, client, count_statements):
    """Do messages page newest first by cursor, with the same few statements whatever the page holds?"""
    with app.app_context():
        for n in range(25):
            notify([demo.user_ids["vol1"]], "remind", f"催办{n}", f"第{n}条")
        db.session.commit()
    deliver(app)
    headers = demo.headers("vol1")
    seen, cursor, counts = [], None, []
    while True:
        with count_statements() as statements:
            page = client.get("/api/v1/me/messages?limit=10" + (f"&cursor={cursor}" if cursor else ""),
                              headers=headers).get_json()
        counts.append(len(statements))
        seen += [m["title"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"催办{n}" for n in reversed(range(25))]
    assert len(counts) == 3 and len(set(counts)) == 1 and counts[0] <= 3
    bad = client.get("/api/v1/me/messages?cursor=nonsense", headers=headers)
    assert bad.status_code == 422 and "cursor" in bad.get_json()["errors"]


# --- delivery: WeChat subscribe messages against the fake server --------------------------------------

def test_subscribe_message_sent(app, wx_app, demo, fake_wechat, at_t0):
    """Is a subscribe message sent to each recipient's openid with the kind's template, page and data?"""
    order = demo.create_order(title="陪同张大爷去县人民医院复查心血管科并取药回家")
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})

    assert deliver(wx_app) == Counter(sent=3)

    sent = {m["touser"]: m for m in fake_wechat.sent_messages}
    assert set(sent) == {"demo-volunteer-sy-1", "demo-volunteer-sy-2", "demo-leader-sy"}
    message = sent["demo-volunteer-sy-1"]
    assert message["template_id"] == "tpl-dispatched"
    assert message["page"] == f"pages/orders/detail/index?id={order['id']}"
    assert message["data"] == {"thing1": {"value": "陪同张大爷去县人民医院复查心血管科并取…"},
                               "thing2": {"value": "松阳社区"}, "time3": {"value": "2025年3月3日 09:00"},
                               "thing4": {"value": "请尽快接单"}}
    assert all(len(v["value"]) <= 20 for v in message["data"].values())
    assert {(n.status, n.wechat_status, n.attempts) for n in rows(app, Notification)} == {("done", "sent", 1)}
    assert len(rows(app, Message)) == 3


def test_a_call_reaches_volunteers_as_a_subscribe_message(app, wx_app, demo, fake_wechat, at_t0):
    """Is a 吹哨 sent with the CALL template to those called, while closing it tells the signed-up in-app only?"""
    body = {"area_id": demo.sy, "title": "暴雨后清理松阳小区积水", "description": "带上雨靴",
            "starts_at": (T0 + timedelta(hours=3)).isoformat(), "place": "松阳小区东门", "quota": 5}
    made = demo.client.post("/api/v1/calls", json=body, headers=demo.headers("staff_sy"))
    assert made.status_code == 201, made.get_json()
    call_id = made.get_json()["id"]
    assert deliver(wx_app) == Counter(sent=3)
    sent = {m["touser"]: m for m in fake_wechat.sent_messages}
    assert set(sent) == {"demo-volunteer-sy-1", "demo-volunteer-sy-2", "demo-leader-sy"}
    message = sent["demo-leader-sy"]
    assert message["template_id"] == "tpl-call"
    assert message["page"] == f"packageVolunteer/pages/call-detail/index?id={call_id}"
    assert message["data"] == {"thing1": {"value": "暴雨后清理松阳小区积水"}, "time2": {"value": "2025年3月3日 12:00"},
                               "thing3": {"value": "松阳小区东门"}}
    assert demo.client.post(f"/api/v1/calls/{call_id}/signup", headers=demo.headers("vol1")).status_code == 201
    assert demo.client.post(f"/api/v1/calls/{call_id}/close", headers=demo.headers("staff_sy")).status_code == 200
    fake_wechat.sent_messages.clear()
    assert deliver(wx_app) == Counter(skipped=1)  # no template for it: the in-app message alone
    assert fake_wechat.sent_messages == []
    [closed] = rows(app, Message, Message.kind == "call_closed")
    assert closed.user_id == demo.user_ids["vol1"]


def test_refused_subscription_is_recorded_not_retried(app, wx_app, demo, fake_wechat, at_t0):
    """Is 43101 (no subscription left) recorded as a permanent failure, the in-app message kept?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    fake_wechat.fail_next("subscribe_send", 43101)

    assert deliver(wx_app) == Counter(refused=1, sent=2)
    clock.advance(days=1)
    assert deliver(wx_app) == Counter()

    refused = [n for n in rows(app, Notification) if n.wechat_status == "refused"]
    assert [(n.status, n.errcode, n.attempts) for n in refused] == [("failed", 43101, 1)]
    assert "43101" in refused[0].last_error
    assert len(rows(app, Message, Message.notification_id == refused[0].id)) == 1
    assert len(fake_wechat.sent_messages) == 2


@pytest.mark.parametrize("failure", ["busy", "rate_limited", "http_503"])
def test_transient_failures_retry_with_backoff(app, wx_app, demo, fake_wechat, at_t0, failure):
    """Is a transient failure (-1, 45011, HTTP 503) retried after a growing delay, then sent once?"""
    order = demo.create_order()
    demo.act(order["id"], "accept", "resident", status=403)  # nothing to send but the next step's
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol1")
    deliver(wx_app)
    fake_wechat.sent_messages.clear()
    demo.act(order["id"], "complete", "vol1", {"result": "已完成复查"})
    fail = {"busy": lambda: fake_wechat.fail_next("subscribe_send", -1),
            "rate_limited": lambda: fake_wechat.fail_next("subscribe_send", 45011),
            "http_503": lambda: fake_wechat.http_error_next("subscribe_send", 503)}[failure]
    fail(), fail()

    assert deliver(wx_app) == Counter(retry=1)
    [notification] = rows(app, Notification, Notification.kind == "completed")
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.next_attempt_at == T0 + timedelta(seconds=60)
    assert len(rows(app, Message, Message.notification_id == notification.id)) == 1  # in-app already there

    clock.advance(seconds=59)
    assert deliver(wx_app) == Counter()
    clock.advance(seconds=1)
    assert deliver(wx_app) == Counter(retry=1)
    [notification] = rows(app, Notification, Notification.kind == "completed")
    assert notification.next_attempt_at == T0 + timedelta(seconds=60 + 120)

    clock.advance(seconds=120)
    assert deliver(wx_app) == Counter(sent=1)
    [notification] = rows(app, Notification, Notification.kind == "completed")
    assert (notification.status, notification.wechat_status, notification.attempts) == ("done", "sent", 3)
    assert [m["template_id"] for m in fake_wechat.sent_messages] == ["tpl-completed"]
    assert len(rows(app, Message, Message.notification_id == notification.id)) == 1


def test_gives_up_after_max_attempts(app, wx_app, demo, fake_wechat, at_t0):
    """When WeChat keeps failing, is the row marked failed after NOTIFY_MAX_ATTEMPTS, and kept?"""
    with wx_app.app_context():
        notify([demo.user_ids["resident"]], "completed", "服务已完成，请评价", "请评价", template_data={"thing1": "x"})
        db.session.commit()
    fake_wechat.fail_always("subscribe_send", -1)
    outcomes = Counter()
    for _ in range(10):
        outcomes += deliver(wx_app)
        clock.advance(hours=2)

    assert outcomes == Counter(retry=3, failed=1)
    [notification] = rows(app, Notification)
    assert (notification.status, notification.wechat_status, notification.attempts, notification.errcode) == \
        ("failed", "failed", 4, -1)
    assert len(rows(app, Message)) == 1


def test_no_template_no_subscribe_message(app, wx_app, demo, fake_wechat, at_t0):
    """Without a configured template for a kind, is only the in-app message delivered?"""
    wx_app.config["WECHAT_TEMPLATE_ACCEPTED"] = ""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol1")

    assert deliver(wx_app) == Counter(sent=3, skipped=1)

    assert "tpl-accepted" not in {m["template_id"] for m in fake_wechat.sent_messages}
    [accepted] = rows(app, Notification, Notification.kind == "accepted")
    assert (accepted.status, accepted.wechat_status) == ("done", "skipped")
    assert rows(app, Message, Message.notification_id == accepted.id)


# --- pruning: the outbox does not grow for ever -----------------------------------------------------

def outbox(app) -> dict:
    """{status: count} of the outbox rows."""
    with app.app_context():
        return dict(Counter(db.session.scalars(select(Notification.status))))


def test_prune_deletes_old_finished_rows_and_keeps_messages(app, demo, client, at_t0):
    """Are delivered and failed rows older than NOTIFY_KEEP_DAYS deleted, pending and recent ones kept, and
    do the users' in-app messages stay readable?"""
    from app.notifications.delivery import prune_outbox

    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    assert deliver(app) == Counter(skipped=3)  # three done rows from T0
    with app.app_context():
        db.session.add(Notification(user_id=demo.user_ids["resident"], kind="remind", title="失败", body="x",
                                    status="failed", created_at=T0))
        db.session.commit()
    clock.advance(days=app.config["NOTIFY_KEEP_DAYS"] - 1)
    demo.act(order["id"], "accept", "vol1")  # a fresh row, delivered now
    assert deliver(app) == Counter(skipped=1)
    with app.app_context():
        assert prune_outbox() == 0  # nothing is old enough yet
    clock.advance(days=1, seconds=1)

    with app.app_context():
        assert prune_outbox(batch=2) == 4  # three done and one failed, walked two at a time
        assert prune_outbox() == 0
    assert outbox(app) == {"done": 1}
    with app.app_context():
        kept = db.session.scalars(select(Notification.kind)).all()
    page = client.get("/api/v1/me/messages", headers=demo.headers("vol1")).get_json()
    [message] = page["items"]
    assert message["title"] == "新工单待接单" and message["read"] is False
    response = client.post(f"/api/v1/me/messages/{message['id']}/read", json={}, headers=demo.headers("vol1"))
    assert response.status_code == 200
    assert len(rows(app, Message)) == 4 and len(rows(app, Message, Message.notification_id.is_(None))) == 3
    assert kept == ["accepted"]


def test_prune_leaves_pending_rows_whatever_their_age(app, demo, at_t0):
    """Is a notification still to be delivered kept, however old, and delivered afterwards?"""
    from app.notifications.delivery import prune_outbox

    with app.app_context():
        notify([demo.user_ids["resident"]], "remind", "催办提醒", "还在等")
        db.session.commit()
    clock.advance(days=365)
    with app.app_context():
        assert prune_outbox() == 0
    assert deliver(app) == Counter(skipped=1)


def test_prune_outbox_command_and_worker_schedule(app, demo, at_t0, monkeypatch):
    """Does `flask prune-outbox` prune and say how much, and does the worker prune at start, then not again
    before PRUNE_EVERY_HOURS?"""
    from app.supervision import worker

    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    deliver(app)
    clock.advance(days=app.config["NOTIFY_KEEP_DAYS"] + 1)
    result = app.test_cli_runner().invoke(args=["prune-outbox"])
    assert result.exit_code == 0 and "outbox pruned: 3 notifications" in result.output
    assert outbox(app) == {}

    calls = []
    monkeypatch.setattr(worker, "prune_outbox", lambda: calls.append(1) or 0)
    with app.app_context():
        next_at = worker.prune_when_due(0.0)
        assert worker.prune_when_due(next_at) == next_at and len(calls) == 1
        assert next_at - time.monotonic() > app.config["PRUNE_EVERY_HOURS"] * 3600 - 60

        def broken():
            raise RuntimeError("database away")

        monkeypatch.setattr(worker, "prune_outbox", broken)  # a failed prune is logged, retried in an hour
        assert 3500 < worker.prune_when_due(0.0) - time.monotonic() <= 3600


# --- leases: a crashed worker loses nothing -----------------------------------------------------------

def test_crash_between_claim_and_send_loses_nothing(app, wx_app, demo, fake_wechat, at_t0):
    """When a worker dies after claiming, is the row left alone during the lease and delivered after?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    with wx_app.app_context():
        claimed = claim("worker-that-dies")
        _prepare(claimed[0], "worker-that-dies")  # it even wrote one in-app message, then died
    assert len(claimed) == 3

    assert deliver(wx_app) == Counter()  # leased: nobody else touches them
    clock.advance(seconds=wx_app.config["NOTIFY_LEASE_SECONDS"])

    assert deliver(wx_app) == Counter(sent=3)
    assert Counter(m["touser"] for m in fake_wechat.sent_messages) == Counter(
        {"demo-volunteer-sy-1": 1, "demo-volunteer-sy-2": 1, "demo-leader-sy": 1})
    assert {(n.status, n.attempts) for n in rows(app, Notification)} == {("done", 2)}
    assert len(rows(app, Message)) == 3
    assert deliver(wx_app) == Counter()


def test_a_late_worker_cannot_record_over_a_new_claim(app, wx_app, demo, fake_wechat, at_t0):
    """When a slow worker's lease ran out and another took the row, is the slow one's outcome dropped?"""
    with wx_app.app_context():
        notify([demo.user_ids["resident"]], "completed", "服务已完成，请评价", "请评价", template_data={"thing1": "x"})
        db.session.commit()
        assert claim("slow") != []
    clock.advance(seconds=wx_app.config["NOTIFY_LEASE_SECONDS"])
    assert deliver(wx_app, worker="fast") == Counter(sent=1)

    from app.notifications.delivery import deliver_one

    with wx_app.app_context():
        notification_id = db.session.scalar(select(Notification.id))
        assert deliver_one(notification_id, "slow") == "lost"
    assert len(fake_wechat.sent_messages) == 1


def test_stopping_mid_batch_gives_the_rest_back(app, wx_app, demo, fake_wechat, at_t0):
    """When the worker is told to stop mid-batch, are the unsent rows released for the next worker?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    calls = iter([False, False, True])

    assert deliver(wx_app, should_stop=lambda: next(calls, True)) == Counter(sent=1)

    assert deliver(wx_app) == Counter(sent=2)  # at once, without waiting for a lease
    assert len(fake_wechat.sent_messages) == 3


class Killed(BaseException):
    """A worker's death (kill -9) at a chosen point: nothing after it runs, no handler catches it."""


def dying_gateway(monkeypatch, when: str, at_send: int):
    """The worker dies at its `at_send`-th subscribe message, `when` "before" or "after" WeChat received it."""
    from app.notifications import delivery

    real, sends = delivery.gateway, []

    class Gateway:
        def send_subscribe_message(self, *args, **kwargs):
            sends.append(args[0])
            if len(sends) == at_send and when == "before":
                raise Killed
            real().send_subscribe_message(*args, **kwargs)
            if len(sends) == at_send:
                raise Killed  # WeChat answered; the worker dies before recording it

    monkeypatch.setattr(delivery, "gateway", Gateway)
    return lambda: monkeypatch.setattr(delivery, "gateway", real)


def ten_reminders(app) -> None:
    with app.app_context():
        users = [User(openid=f"openid-{n}", nickname=f"用户{n}") for n in range(10)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            notify([user.id], "remind", "催办提醒", "请尽快接单", template_data={"thing1": user.nickname})
        db.session.commit()


@pytest.mark.parametrize("when, resent", [("before", 0), ("after", 1)])
def test_claim_send_record_one_message_at_a_time(app, wx_app, fake_wechat, at_t0, monkeypatch, when, resent):
    """A worker killed mid-batch: are the messages before recorded one by one (never sent again), the rest
    left leased to another worker, nothing lost -- and is the one resend only the message WeChat had
    accepted when the kill came before its record (the residual window, app/notifications/delivery.py)?"""
    ten_reminders(app)
    wx_app.config["NOTIFY_BATCH_SIZE"] = 6
    restore = dying_gateway(monkeypatch, when, at_send=4)
    with pytest.raises(Killed):
        deliver(wx_app, worker="dies")
    restore()
    done = rows(app, Notification, Notification.status == "done")
    assert len(done) == 3 and {n.wechat_status for n in done} == {"sent"}  # each recorded as soon as it was sent
    assert len(fake_wechat.sent_messages) == 3 + resent
    leased = rows(app, Notification, Notification.locked_by == "dies")
    assert len(leased) == 3 and {n.status for n in leased} == {"pending"}  # the one in hand and two not begun

    assert deliver(wx_app, worker="other") == Counter(sent=4)  # the four nobody had claimed; the lease holds
    clock.advance(seconds=wx_app.config["NOTIFY_LEASE_SECONDS"])
    assert deliver(wx_app, worker="other") == Counter(sent=3)

    received = Counter(m["touser"] for m in fake_wechat.sent_messages)
    assert set(received) == {f"openid-{n}" for n in range(10)}  # none lost
    assert sum(received.values()) == 10 + resent
    assert [openid for openid, times in received.items() if times > 1] == (["openid-3"] if resent else [])
    assert {(n.status, n.wechat_status) for n in rows(app, Notification)} == {("done", "sent")}
    assert len(rows(app, Message)) == 10  # the in-app message is written once, even for the resent one


def test_a_failed_record_after_the_send_is_retried_not_resent(app, wx_app, fake_wechat, at_t0, monkeypatch):
    """When the database drops the connection just as the worker records a message WeChat accepted, does it
    try again within its lease instead of leaving the row to be sent a second time?"""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    ten_reminders(app)
    failures = iter([True, True])

    with wx_app.app_context():
        engine = db.engine

        def drop(conn, cursor, statement, parameters, context, executemany):
            if statement.startswith("UPDATE notifications") and "wechat_status" in statement and next(failures, False):
                raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))

        event.listen(engine, "before_cursor_execute", drop)
        try:
            assert deliver_pending(worker="w") == Counter(sent=10)
        finally:
            event.remove(engine, "before_cursor_execute", drop)
    assert Counter(m["touser"] for m in fake_wechat.sent_messages) == Counter({f"openid-{n}": 1 for n in range(10)})
    assert {(n.status, n.wechat_status, n.locked_by) for n in rows(app, Notification)} == {("done", "sent", None)}


# --- several workers on PostgreSQL --------------------------------------------------------------------

def test_two_workers_deliver_each_message_once(app, wx_app, database_url, fake_wechat):
    """Do two workers on PostgreSQL share the outbox (SKIP LOCKED) and deliver each message exactly once?"""
    if not is_postgres(database_url):
        pytest.skip("several workers need PostgreSQL (FOR UPDATE SKIP LOCKED); SQLite runs a single worker")
    count = 60
    with wx_app.app_context():
        users = [User(openid=f"openid-{n}", nickname=f"用户{n}") for n in range(count)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            notify([user.id], "remind", "催办提醒", f"给{user.nickname}的催办", template_data={"thing1": user.nickname})
        db.session.commit()
    wx_app.config["NOTIFY_BATCH_SIZE"] = 4
    fake_wechat.delay_seconds = 0.01
    start = threading.Barrier(2)
    results: dict[str, Counter] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with wx_app.app_context():
                start.wait()
                results[name] = deliver_pending(worker=name)
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert Counter(m["touser"] for m in fake_wechat.sent_messages) == Counter(
        {f"openid-{n}": 1 for n in range(count)})
    assert sum(results["worker-0"].values()) + sum(results["worker-1"].values()) == count
    assert results["worker-0"]["sent"] > 0 and results["worker-1"]["sent"] > 0  # both took a share
    assert set(results["worker-0"]) == set(results["worker-1"]) == {"sent"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == count
        assert set(db.session.scalars(select(Notification.status))) == {"done"}


def test_worker_killed_mid_batch_loses_nothing(app, database_url, fake_wechat, tmp_path):
    """When a real `flask worker` process is killed (SIGKILL) mid-batch, does every message still arrive?"""
    count = 10
    with app.app_context():
        users = [User(openid=f"openid-{n}", nickname=f"用户{n}") for n in range(count)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            notify([user.id], "remind", "催办提醒", "请尽快接单", template_data={"thing1": user.nickname})
        db.session.commit()
    fake_wechat.delay_seconds = 0.3
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path),
           "SECRET_KEY": "worker-test-secret-0123456789abcdef-0123", "FLASK_APP": "wsgi.py",
           "WECHAT_APP_ID": fake_wechat.app_id, "WECHAT_APP_SECRET": fake_wechat.app_secret,
           "WECHAT_API_BASE_URL": fake_wechat.url, "WECHAT_TEMPLATE_REMINDER": "tpl-reminder",
           "NOTIFY_LEASE_SECONDS": "1", "NOTIFY_BATCH_SIZE": "50"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "worker", "--once"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while len(fake_wechat.sent_messages) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, "the worker ended before it could be killed"
            time.sleep(0.02)
        process.kill()
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    fake_wechat.delay_seconds = 0
    time.sleep(0.5)  # a send in flight when it died reaches the fake server all the same
    with app.app_context():
        leased = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.status == "pending", Notification.locked_by.is_not(None)))
    assert leased > 0, "the worker was killed holding leases"

    time.sleep(1.1)  # its leases run out
    wx = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WECHAT_APP_ID=fake_wechat.app_id,
                    WECHAT_APP_SECRET=fake_wechat.app_secret, WECHAT_API_BASE_URL=fake_wechat.url,
                    WECHAT_TEMPLATE_REMINDER="tpl-reminder")
    deliver(wx)

    received = Counter(m["touser"] for m in fake_wechat.sent_messages)
    assert set(received) == {f"openid-{n}" for n in range(count)}
    assert sum(received.values()) <= count + 1  # at most the one in flight at the kill is sent twice
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == count
        assert set(db.session.scalars(select(Notification.status))) == {"done"}
    with wx.app_context():
        db.engine.dispose()
