"""Residents' rights over their personal information (DESIGN §8): the access log of unmasked phones and
addresses, GET /me/export, DELETE /me (注销), retention of contact fields, and /users?q= that reveals nothing."""
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, func, select, update

from app import clock
from app.extensions import db
from app.append_only import AppendOnlyViolation
from app.orders.models import Order, OrderEvent, Rating
from app.privacy.models import PiiAccess
from app.users.models import User
from tests.conftest import DEMO_OPENIDS, is_postgres, login

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)


def log_rows(app, **where) -> list[tuple]:
    """(viewer_id, subject_user_id, order_id, what) of the access log, oldest first."""
    with app.app_context():
        query = select(PiiAccess.viewer_id, PiiAccess.subject_user_id, PiiAccess.order_id, PiiAccess.what)
        for name, value in where.items():
            query = query.where(getattr(PiiAccess, name) == value)
        rows = [tuple(row) for row in db.session.execute(query.order_by(PiiAccess.id))]
        db.session.remove()
        return rows


def stored_order(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


# --- the access log -----------------------------------------------------------------------------

def test_staff_reading_an_orders_detail_is_logged(demo, app, client):
    """Does GET /orders/{id} by staff of the area (who get the phone whole) write one row naming viewer, resident,
    order, what and address?"""
    order = demo.create_order()

    body = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()

    assert body["contact_phone"] == "13800001234"
    assert log_rows(app) == [(demo.user_ids["staff_sy"], demo.user_ids["resident"], order["id"], "order_detail")]
    with app.app_context():
        row = db.session.scalars(select(PiiAccess)).one()
        assert (row.area_id, row.ip, row.at is not None) == (demo.sy, "127.0.0.1", True)


@pytest.mark.parametrize("who", ["resident", "vol2", "resident2", "leader_sy"])
def test_no_row_without_an_unmasked_view_by_staff(demo, app, client, who):
    """Is nothing logged for the requester's own order, nor for team members and residents (masked or 404)?"""
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})

    client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers(who))

    assert log_rows(app) == []


def test_a_grid_worker_is_logged_exactly_when_shown_the_phone(demo, app, client):
    """Is a grid worker's read of an order logged if and only if it showed them the phone whole?"""
    order = demo.create_order()

    body = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("grid_sy")).get_json()

    shown = "****" not in body["contact_phone"]
    assert log_rows(app) == ([(demo.user_ids["grid_sy"], demo.user_ids["resident"], order["id"], "order_detail")]
                             if shown else [])


def test_staff_reading_their_own_on_behalf_order_is_not_logged_but_others_are(demo, app, client):
    """An order staff filed for a resident: is the filer's read not logged, and another admin's read logged with no
    user as subject (the resident has no account)?"""
    order = demo.create_order("staff_sy", on_behalf_of={"name": "李奶奶", "phone": "13900002222"})

    client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy"))
    client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("admin"))

    assert log_rows(app) == [(demo.user_ids["admin"], None, order["id"], "order_detail")]


def test_the_log_is_for_admins_of_the_area_newest_first_by_keyset(demo, app, client):
    """Does GET /audit/pii-access give admins the rows of their areas, newest first, a page at a time, filtered by
    area and viewer, and refuse staff (403), residents (403) and an unknown area (404)?"""
    sy_order = demo.create_order()
    qs_order = demo.create_order("resident_qs", area_id=demo.qs, address="青山小区1栋")
    for _ in range(2):
        client.get(f"/api/v1/orders/{sy_order['id']}", headers=demo.headers("staff_sy"))
    client.get(f"/api/v1/orders/{qs_order['id']}", headers=demo.headers("staff_qs"))
    admin = demo.headers("admin")

    first = client.get("/api/v1/audit/pii-access?limit=2", headers=admin).get_json()
    second = client.get(f"/api/v1/audit/pii-access?limit=2&cursor={first['next_cursor']}", headers=admin).get_json()
    by_area = client.get(f"/api/v1/audit/pii-access?area_id={demo.qs}", headers=admin).get_json()["items"]
    by_viewer = client.get(f"/api/v1/audit/pii-access?viewer_id={demo.user_ids['staff_sy']}",
                           headers=admin).get_json()["items"]

    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 3 and second["next_cursor"] is None
    assert set(first["items"][0]) == {"id", "at", "viewer_id", "subject_user_id", "order_id", "area_id", "what", "ip"}
    assert [(i["order_id"], i["viewer_id"]) for i in by_area] == [(qs_order["id"], demo.user_ids["staff_qs"])]
    assert [i["order_id"] for i in by_viewer] == [sy_order["id"]] * 2
    for who in ("staff_sy", "resident", "grid_sy"):
        response = client.get("/api/v1/audit/pii-access", headers=demo.headers(who))
        assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    assert client.get("/api/v1/audit/pii-access?area_id=999999", headers=admin).status_code == 404
    assert client.get("/api/v1/audit/pii-access").status_code == 401


def test_exports_with_full_phones_log_every_subject(demo, app, client):
    """Do the orders export, the Party register (list, record, export) and the hours export log a row per person
    whose phone or address they hand out, and nobody else?"""
    order = demo.create_order()
    staff = demo.headers("staff_sy")
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=demo.headers("vol1"))
    client.patch("/api/v1/me", json={"is_party_member": True, "home_area_id": demo.sy}, headers=demo.headers("vol1"))
    vol1, staff_id = demo.user_ids["vol1"], demo.user_ids["staff_sy"]

    assert client.get(f"/api/v1/stats/export?area_id={demo.sy}&format=csv", headers=staff).status_code == 200
    assert client.get("/api/v1/party/members/export?format=csv", headers=staff).status_code == 200
    assert client.get("/api/v1/party/members", headers=staff).status_code == 200
    assert client.get(f"/api/v1/party/members/{vol1}", headers=staff).status_code == 200

    assert (staff_id, demo.user_ids["resident"], order["id"], "stats_export") in log_rows(app, what="stats_export")
    assert {row[1] for row in log_rows(app, what="stats_export")} <= set(demo.user_ids.values())
    for what in ("party_export", "party_members", "party_member"):
        assert log_rows(app, what=what) == [(staff_id, vol1, None, what)]


def test_the_hours_export_logs_its_volunteers(demo, app, client):
    """Does the service-hours export log the volunteers whose phones it lists?"""
    clock.freeze(START)
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol1")
    demo.act(order["id"], "complete", "vol1", {"result": "好了", "service_minutes": 60})
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=demo.headers("vol1"))

    response = client.get(f"/api/v1/stats/service-hours/export?area_id={demo.sy}&from=2024-03-01&to=2024-04-01"
                          "&format=csv", headers=demo.headers("staff_sy"))

    assert response.status_code == 200 and "13912345678" in response.get_data(as_text=True)
    assert log_rows(app, what="service_hours_export") == [(demo.user_ids["staff_sy"], demo.user_ids["vol1"], None,
                                                           "service_hours_export")]


def test_the_log_cannot_be_changed_or_deleted_through_the_orm(demo, app, client):
    """Does the ORM refuse to change, delete or bulk-edit an access log row?"""
    order = demo.create_order()
    client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy"))
    with app.app_context():
        row = db.session.scalars(select(PiiAccess)).one()
        row.viewer_id = demo.user_ids["admin"]
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(PiiAccess, row.id))
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        for statement in (update(PiiAccess).values(what="x"), delete(PiiAccess)):
            with pytest.raises(AppendOnlyViolation):
                db.session.execute(statement)
            db.session.rollback()
    assert log_rows(app) == [(demo.user_ids["staff_sy"], demo.user_ids["resident"], order["id"], "order_detail")]


@pytest.mark.skipif(not is_postgres(os.environ.get("TEST_DATABASE_URL", "")), reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_changes_to_the_log_after_flask_db_upgrade(database_url, tmp_path):
    """After `flask db upgrade` (migration 0011), are UPDATE, DELETE and TRUNCATE of pii_access_log refused?"""
    base = sa.engine.make_url(database_url)
    name = f"test_pii_log_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development", "FLASK_APP": "wsgi.py",
               "INSTANCE_PATH": str(tmp_path)}
        env.pop("WECHAT_APP_ID", None)
        result = subprocess.run([str(Path(sys.executable).parent / "flask"), "db", "upgrade"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            area = conn.execute(sa.text("INSERT INTO areas (kind, name, path, created_at) VALUES "
                                        "('community', '测试社区', '/1/', now()) RETURNING id")).scalar()
            user = conn.execute(sa.text(
                "INSERT INTO users (openid, nickname, avatar_url, real_name, is_party_member, work_unit, "
                "token_version, created_at) VALUES ('o1', '', '', '', false, '', 1, now()) RETURNING id")).scalar()
            conn.execute(sa.text("INSERT INTO pii_access_log (at, viewer_id, subject_user_id, area_id, what, ip) "
                                 "VALUES (now(), :u, :u, :a, 'order_detail', '127.0.0.1')"), {"u": user, "a": area})
        for statement in ("UPDATE pii_access_log SET what = 'x'", "DELETE FROM pii_access_log",
                          "TRUNCATE pii_access_log", "TRUNCATE users CASCADE"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(sa.text(statement))
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM pii_access_log WHERE what = 'order_detail'")) == 1
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- GET /me/export -----------------------------------------------------------------------------

def test_my_export_holds_everything_about_me_and_nothing_about_others(demo, app, client):
    """Does GET /me/export give the caller their profile (phone whole), their orders with contact fields, their
    ratings, points, messages, sign-ups and redemptions, and none of another resident's?"""
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=demo.headers("resident"))
    mine = demo.order_at("rated")
    other = demo.create_order("resident2")
    with app.app_context():
        from app.notifications.models import Message

        db.session.add_all([Message(user_id=demo.user_ids[who], kind="order", title="工单进展", body=f"给{who}")
                            for who in ("resident", "resident2")])
        db.session.commit()

    response = client.get("/api/v1/me/export", headers=demo.headers("resident"))
    data = response.get_json()

    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert {"profile", "orders", "ratings", "points", "messages", "signups", "redemptions",
            "exported_at"} <= set(data)
    assert data["profile"]["phone"] == "13912345678" and data["profile"]["openid"] == DEMO_OPENIDS["resident"]
    assert [o["id"] for o in data["orders"]] == [mine["id"]] and other["id"] not in {o["id"] for o in data["orders"]}
    assert data["orders"][0]["contact_phone"] == "13800001234" and data["orders"][0]["address"] == "松阳小区3栋2单元"
    assert [(r["order_id"], r["stars"]) for r in data["ratings"]] == [(mine["id"], 5)]
    assert [m["body"] for m in data["messages"]] == ["给resident"] and isinstance(data["messages"][0]["created_at"], str)
    assert isinstance(data["points"], list) and data["signups"] == [] and data["redemptions"] == []
    datetime.fromisoformat(data["exported_at"])
    assert client.get("/api/v1/me/export").status_code == 401


# --- DELETE /me (注销) -----------------------------------------------------------------------------

def test_erasing_my_account(demo, app, client):
    """Does DELETE /me erase the person, blank their orders' contact fields, keep orders, events and ratings, end
    their tokens, and give the same WeChat account a new empty account at the next login?"""
    resident = demo.user_ids["resident"]
    headers = demo.headers("resident")
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=headers)
    client.patch("/api/v1/me", json={"real_name": "王小红", "work_unit": "县医院", "avatar_url": "https://a/b.png"},
                 headers=headers)
    order = demo.order_at("rated")
    other = demo.create_order("resident2")
    with app.app_context():
        from app.notifications.models import Notification

        events = db.session.scalar(select(func.count()).select_from(OrderEvent)
                                   .where(OrderEvent.order_id == order["id"]))
        assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == resident))

    response = client.delete("/api/v1/me", headers=headers)

    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    with app.app_context():
        user = db.session.get(User, resident)
        assert (user.openid != DEMO_OPENIDS["resident"], user.unionid, user.phone, user.real_name, user.avatar_url,
                user.work_unit) == (True, None, None, "", "", "")
        kept = db.session.get(Order, order["id"])
        assert (kept.contact_name, kept.contact_phone, kept.address, kept.status) == ("", "", "", "rated")
        assert db.session.scalar(select(func.count()).select_from(OrderEvent)
                                 .where(OrderEvent.order_id == order["id"])) == events
        assert db.session.scalar(select(Rating.stars).where(Rating.order_id == order["id"])) == 5
        assert db.session.get(Order, other["id"]).contact_phone == "13800001234"
        from app.notifications.models import Message, Notification

        for model in (Message, Notification):
            assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == resident)) == 0
    again = login(client, DEMO_OPENIDS["resident"])
    me = client.get("/api/v1/me", headers=again).get_json()
    assert me["id"] != resident and (me["phone"], me["real_name"]) == (None, "")
    assert client.get("/api/v1/me/export", headers=again).get_json()["orders"] == []
    staff_view = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()
    assert (staff_view["contact_phone"], staff_view["address"]) == ("", "")


@pytest.mark.parametrize("who", ["staff_sy", "grid_sy", "admin", "leader_sy"])
def test_no_erasure_while_holding_a_role_or_leading_a_team(demo, app, client, who):
    """Is DELETE /me 409 conflict for someone with a role or a team to lead, with nothing changed?"""
    response = client.delete("/api/v1/me", headers=demo.headers(who))

    assert response.status_code == 409 and response.get_json()["code"] == "conflict"
    assert client.get("/api/v1/me", headers=demo.headers(who)).status_code == 200
    with app.app_context():
        assert db.session.get(User, demo.user_ids[who]).openid == DEMO_OPENIDS[who]


def test_an_erased_volunteer_leaves_the_team_and_their_certificates_keep_no_name(demo, app, client):
    """Does 注销 of a team member take them off the team and blank the name on their certificates (forget_names)?"""
    clock.freeze(START)
    headers = demo.headers("vol1")
    client.patch("/api/v1/me", json={"real_name": "欧阳小明"}, headers=headers)
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol1")
    demo.act(order["id"], "complete", "vol1", {"result": "好了", "service_minutes": 60})
    clock.advance(days=1)
    certificate = client.post("/api/v1/me/service-certificates", json={}, headers=headers)
    assert certificate.status_code == 201, certificate.get_json()

    assert client.delete("/api/v1/me", headers=headers).status_code == 204

    facts = client.get(f"/api/v1/verify/{certificate.get_json()['code']}").get_json()
    assert (facts["name_masked"], facts["total_minutes"]) == ("（已注销）", 60)
    team = client.get(f"/api/v1/teams/{demo.team_sy}", headers=demo.headers("staff_sy")).get_json()
    assert demo.user_ids["vol1"] not in {m.get("user_id") for m in team.get("members", [])}


# --- retention ----------------------------------------------------------------------------------

def test_contact_fields_of_orders_final_for_longer_than_retention_are_blanked(demo, app, runner):
    """With a frozen clock: are the contact fields of orders final for more than PII_RETENTION_DAYS blanked (by
    `flask blank-expired-contacts`, in batches), and open or recently final orders left alone?"""
    clock.freeze(START)
    old_rated = demo.order_at("rated")
    old_cancelled = demo.create_order()
    demo.act(old_cancelled["id"], "cancel", "resident", {})
    behalf = demo.create_order("staff_sy", on_behalf_of={"name": "李奶奶", "phone": "13900002222"})
    demo.act(behalf["id"], "cancel", "staff_sy", {"reason": "重复"})
    still_open = demo.create_order()
    clock.advance(days=100)
    demo._headers.clear()  # the tokens have expired
    recent = demo.order_at("rated")
    clock.advance(days=81)  # the first orders final 181 days ago, `recent` 81

    result = runner.invoke(args=["blank-expired-contacts"])

    assert result.exit_code == 0 and "3" in result.output, result.output
    for order_id, blank in ((old_rated["id"], True), (old_cancelled["id"], True), (behalf["id"], True),
                            (still_open["id"], False), (recent["id"], False)):
        order = stored_order(app, order_id)
        fields = (order.contact_name, order.contact_phone, order.address, order.on_behalf_phone or "")
        assert (fields == ("", "", "", "")) is blank, (order_id, fields)
    with app.app_context():
        from app.privacy.service import blank_expired_contacts

        assert blank_expired_contacts() == 0  # nothing twice
        clock.advance(days=100)
        assert blank_expired_contacts(batch=1) == 1  # `recent` now, walked a row a batch


def test_the_worker_applies_retention_when_it_prunes(demo, app):
    """Does the worker's daily housekeeping (prune_when_due) blank expired contact fields?"""
    from app.supervision.worker import prune_when_due

    clock.freeze(START)
    order = demo.order_at("rated")
    clock.advance(days=181)
    with app.app_context():
        prune_when_due(0.0)
    assert stored_order(app, order["id"]).contact_phone == ""


def test_retention_zero_keeps_everything(demo, app):
    """Does PII_RETENTION_DAYS=0 turn the blanking off?"""
    from app.privacy.service import blank_expired_contacts

    clock.freeze(START)
    order = demo.order_at("rated")
    clock.advance(days=1000)
    app.config["PII_RETENTION_DAYS"] = 0
    with app.app_context():
        assert blank_expired_contacts() == 0
    assert stored_order(app, order["id"]).contact_phone == "13800001234"


# --- /users?q= ----------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["%", "_", "%%", "139", "1391234", "5678", "****", "3912345678", "139123456789"])
def test_users_q_reveals_no_part_of_a_phone_and_takes_wildcards_literally(demo, client, q):
    """Does ?q= with a part of a phone or a LIKE wildcard find nobody (the masked digits stay hidden)?"""
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=demo.headers("resident"))

    response = client.get("/api/v1/users", query_string={"q": q}, headers=demo.headers("admin"))

    assert response.status_code == 200 and response.get_json()["items"] == []


def test_users_q_matches_a_name_prefix_or_a_whole_phone(demo, client):
    """Does ?q= find by the beginning of a name (not its middle) and by the whole phone number?"""
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=demo.headers("resident"))
    admin = demo.headers("admin")

    def found(q):
        return {u["id"] for u in client.get("/api/v1/users", query_string={"q": q}, headers=admin).get_json()["items"]}

    assert found("13912345678") == {demo.user_ids["resident"]}
    assert found("松阳居民") == {demo.user_ids["resident"], demo.user_ids["resident2"]}
    assert found("居民") == set()


def test_the_openapi_document_lists_the_rights(client):
    """Does the OpenAPI document carry GET /me/export, DELETE /me and GET /audit/pii-access?"""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "delete" in paths["/api/v1/me"] and "get" in paths["/api/v1/me/export"]
    assert "get" in paths["/api/v1/audit/pii-access"]


def test_orders_filed_for_a_resident_are_neither_exported_nor_blanked_with_the_filer(demo, app, client):
    """An order filed on a resident's behalf holds the resident's contact details: does the filer's export leave it
    out, and does the filer's 注销 (once the role is gone) leave its contact fields alone?"""
    order = demo.create_order("grid_sy", on_behalf_of={"name": "李奶奶", "phone": "13900002222"})
    own = demo.create_order("grid_sy")
    with app.app_context():
        from app.users.models import RoleGrant

        db.session.execute(delete(RoleGrant).where(RoleGrant.user_id == demo.user_ids["grid_sy"]))
        db.session.commit()
    headers = login(client, DEMO_OPENIDS["grid_sy"])

    exported = client.get("/api/v1/me/export", headers=headers).get_json()
    erased = client.delete("/api/v1/me", headers=headers)

    assert [o["id"] for o in exported["orders"]] == [own["id"]]
    assert erased.status_code == 204
    kept, blanked = stored_order(app, order["id"]), stored_order(app, own["id"])
    assert (kept.on_behalf_phone, kept.contact_phone) == ("13900002222", "13800001234")
    assert blanked.contact_phone == ""
