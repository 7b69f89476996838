"""Security: fuzzing against the OpenAPI document, mass assignment, secrets in responses, rate limits
(also across gunicorn workers on Redis), and the append-only order timeline (ORM guard, PostgreSQL trigger).

The fuzzing here is bounded: SCHEMATHESIS_EXAMPLES examples per operation, role and mode (default 3);
`SCHEMATHESIS_EXAMPLES=100 pytest tests/test_security.py -k fuzzing` runs a deep pass.
"""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import delete, select, update

from app import create_app
from app.extensions import db
from app.append_only import AppendOnlyViolation
from app.orders.models import Order, OrderEvent
from app.users.models import User
from tests.conftest import is_postgres, redis_or_unavailable, redis_test_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
SECRET_MARKERS = ("session_key", "token_version", "app_secret", "appsecret")


def secrets_of(app) -> list[str]:
    """Strings that must never appear in any response."""
    values = [app.config["SECRET_KEY"], app.config.get("WECHAT_APP_SECRET") or ""]
    return [v for v in values if v] + list(SECRET_MARKERS)


def assert_no_secrets(app, text: str, where: str, sent: str = "") -> None:
    """No secret in a response. A marker the request itself carried may come back as the name of an unknown
    field ("不支持的字段"): that is an echo of what was sent, not a leak; the secret values never are."""
    lowered, echoed = text.lower(), sent.lower()
    for secret in secrets_of(app):
        if secret in SECRET_MARKERS and secret.lower() in echoed:
            continue
        assert secret.lower() not in lowered, f"{secret!r} leaked by {where}"


# --- fuzzing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [None, "resident", "vol1", "leader_sy", "grid_sy", "staff_sy", "admin"])
def test_fuzzing_every_operation_finds_no_server_error_and_no_response_outside_the_schema(app, demo, role):
    """For each role, does every operation answer generated requests without a 5xx, within its documented
    responses (status, content type, body schema), and without a secret in the body?"""
    import schemathesis
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis import checks as st_checks

    checks = [st_checks.not_a_server_error, st_checks.status_code_conformance,
              st_checks.content_type_conformance, st_checks.response_schema_conformance]
    headers = demo.headers(role) if role else {}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    failures, operations = {}, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE" and operation.path.endswith("/me"):
            continue  # 注销 would end the role's session for every operation after it (tests/privacy/test_privacy.py)
        operations += 1
        for mode in modes:
            @settings(max_examples=EXAMPLES, deadline=None, database=None, verbosity=Verbosity.quiet,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=checks)
                sent = repr((case.path_parameters, case.query, case.headers, case.cookies, case.body))
                assert_no_secrets(app, response.text, f"{case.method} {case.formatted_path}", sent)

            try:
                run()
            except Unsatisfiable:
                pass  # nothing invalid can be made for an operation without parameters
            except BaseException as error:  # noqa: BLE001 - hypothesis/schemathesis raise exception groups
                if isinstance(error, KeyboardInterrupt):
                    raise
                failures[f"{operation.label} ({mode.value})"] = str(error)[:1500]
    assert operations > 30
    assert not failures, "\n\n".join(f"== {k}\n{v}" for k, v in failures.items())


# --- mass assignment --------------------------------------------------------------------------

PRIVILEGED_ORDER_FIELDS = {"status": "rated", "team_id": 1, "assignee_id": 1, "requester_id": 1,
                           "created_by_id": 1, "version": 99, "id": 123456, "needs_review": False,
                           "points": 1000, "due_at": "2030-01-01T00:00:00+08:00"}


@pytest.mark.parametrize("field", sorted(PRIVILEGED_ORDER_FIELDS))
def test_creating_an_order_cannot_set_privileged_fields(demo, client, field):
    """Is a status, team, requester, assignee, version or points in POST /orders refused (or ignored)?"""
    value = PRIVILEGED_ORDER_FIELDS[field]
    if field in ("team_id", "assignee_id", "requester_id", "created_by_id"):
        value = demo.team_sy if field == "team_id" else demo.user_ids["staff_sy"]
    response = demo.client.post("/api/v1/orders", json=demo.order_body(**{field: value}),
                                headers=demo.headers("resident"))
    if response.status_code == 201:  # ignored: then none of it took effect
        order = response.get_json()
        assert order["status"] == "ordered" and order["team_id"] is None and order["assignee_id"] is None
        assert order["requester_id"] == demo.user_ids["resident"] and order["version"] == 1
        assert order["id"] != 123456
    else:
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"]


@pytest.mark.parametrize("action,body", [
    ("accept", {"assignee_id": "staff_sy"}),
    ("accept", {"status": "completed"}),
    ("dispatch", {"team_id": "team", "status": "rated"}),
    ("dispatch", {"team_id": "team", "assignee_id": "vol2"}),
])
def test_order_actions_cannot_set_other_fields(demo, action, body):
    """Does an action's body refuse fields beyond its own (status, assignee…)?"""
    order = demo.order_at("dispatched" if action == "accept" else "ordered")
    actor = "vol1" if action == "accept" else "staff_sy"
    body = {k: (demo.team_sy if v == "team" else demo.user_ids[v] if v in demo.user_ids else v)
            for k, v in body.items()}
    response = demo.client.post(f"/api/v1/orders/{order['id']}/{action}", json=body, headers=demo.headers(actor))
    if response.status_code == 200:
        moved = response.get_json()
        assert moved["status"] == ("accepted" if action == "accept" else "dispatched")
        if action == "accept":
            assert moved["assignee_id"] == demo.user_ids["vol1"]
        else:
            assert moved["assignee_id"] is None
    else:
        assert response.status_code == 422, response.get_json()


@pytest.mark.parametrize("field,value", [("roles", [{"role": "admin", "area_id": 1}]), ("points", 9999),
                                         ("token_version", 7), ("openid", "demo-admin"), ("id", 1),
                                         ("phone", "13900000000"), ("teams", [{"team_id": 1, "role": "leader"}])])
def test_profile_updates_cannot_grant_roles_points_or_identity(demo, client, field, value):
    """Is PATCH /me with roles, points, token version, openid, id or phone refused (or ignored)?"""
    headers = demo.headers("resident")
    before = client.get("/api/v1/me", headers=headers).get_json()
    response = client.patch("/api/v1/me", json={field: value}, headers=headers)
    assert response.status_code in (200, 422), response.get_json()
    after = client.get("/api/v1/me", headers=headers).get_json()
    for key in ("id", "roles", "points", "teams", "phone"):
        assert after[key] == before[key]
    with demo.app.app_context():
        user = db.session.get(User, demo.user_ids["resident"])
        assert user.openid == "demo-resident-sy-1" and user.token_version == 1


def test_joining_a_team_cannot_make_oneself_its_leader(demo, client, app):
    """Is a role in POST /teams/join refused or ignored (a joiner is a member)?"""
    from app.teams.models import Team, TeamMember

    with app.app_context():
        code = db.session.get(Team, demo.team_sy).invite_code
    response = client.post("/api/v1/teams/join", json={"invite_code": code, "role": "leader"},
                           headers=demo.headers("resident2"))
    assert response.status_code in (200, 201, 422), response.get_json()
    with app.app_context():
        role = db.session.scalar(select(TeamMember.role).where(TeamMember.team_id == demo.team_sy,
                                                               TeamMember.user_id == demo.user_ids["resident2"]))
    assert role in (None, "member")


# --- secrets ----------------------------------------------------------------------------------

def test_no_response_of_a_full_flow_carries_a_session_key_or_secret(wechat_app, fake_wechat):
    """Through a WeChat login and the five steps, does any body or header carry the session_key or a secret?"""
    from app.demo import seed_demo

    with wechat_app.app_context():
        ids = seed_demo()
    client = wechat_app.test_client()
    seen = []

    def call(method, url, **kwargs):
        response = client.open(url, method=method, **kwargs)
        seen.append((f"{method} {url}", response.get_data(as_text=True) + str(response.headers)))
        return response

    def login(openid):
        session_key = f"sk-{openid}-0123456789abcdef"
        fake_wechat.add_code(f"code-{openid}", openid, session_key=session_key)
        response = call("POST", "/api/v1/auth/wechat-login", json={"code": f"code-{openid}"})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}, session_key

    resident, resident_key = login("demo-resident-sy-1")
    staff, staff_key = login("demo-staff-sy")
    volunteer, volunteer_key = login("demo-volunteer-sy-1")
    with wechat_app.app_context():
        from app.teams.models import Team

        team_id = db.session.scalar(select(Team.id).where(Team.area_id == ids["松阳社区"]))
    body = {"category": "escort", "description": "需要陪同去县医院复查", "address": "松阳小区3栋2单元",
            "contact_name": "张大爷", "contact_phone": "13800001234", "area_id": ids["松阳社区"]}
    order = call("POST", "/api/v1/orders", json=body, headers=resident).get_json()
    steps = [("dispatch", staff, {"team_id": team_id}), ("accept", volunteer, {}), ("start", volunteer, {}),
             ("complete", volunteer, {"result": "已陪同完成复查"}), ("rate", resident, {"stars": 5})]
    for action, headers, payload in steps:
        assert call("POST", f"/api/v1/orders/{order['id']}/{action}", json=payload, headers=headers).status_code == 200
    for url, headers in [("/api/v1/me", resident), ("/api/v1/me", staff), ("/api/v1/orders", staff),
                         (f"/api/v1/orders/{order['id']}", volunteer), ("/api/v1/teams", staff),
                         ("/api/v1/openapi.json", {})]:
        call("GET", url, headers=headers)
    forbidden = [resident_key, staff_key, volunteer_key, fake_wechat.app_secret, *secrets_of(wechat_app)]
    for where, text in seen:
        for secret in forbidden:
            assert secret.lower() not in text.lower() or (where.endswith("openapi.json") and secret in SECRET_MARKERS), \
                f"{secret!r} in {where}"


# --- rate limits ------------------------------------------------------------------------------

@pytest.fixture
def limited_app(database_url, _schema, tmp_path):
    """A testing app with small rate limits, in memory."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(tmp_path / "uploads"),
                     RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="5 per minute", RATELIMIT_ORDER_CREATE="3 per minute",
                     RATELIMIT_ORDER_CREATE_STAFF="6 per minute")
    from tests.conftest import _wipe

    with app.app_context():
        _wipe(database_url)
        from app.demo import seed_demo

        app.config["DEMO_IDS"] = seed_demo()
    yield app
    from app.extensions import limiter

    limiter.reset()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_logins_beyond_the_limit_are_429(limited_app):
    """Is the sixth login in a minute from one address a 429 rate_limited?"""
    client = limited_app.test_client()
    codes = [client.post("/api/v1/auth/wechat-login", json={"code": f"dev:someone-{i}"}).status_code
             for i in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert client.post("/api/v1/auth/wechat-login", json={"code": "dev:x"}).get_json()["code"] == "rate_limited"


def test_order_creation_beyond_the_limit_is_429_per_resident(limited_app):
    """Is a resident's fourth order in a minute a 429, while another resident may still order?"""
    client = limited_app.test_client()
    area = limited_app.config["DEMO_IDS"]["松阳社区"]
    tokens = {}
    for who in ("demo-resident-sy-1", "demo-resident-sy-2"):
        token = client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{who}"}).get_json()["access_token"]
        tokens[who] = {"Authorization": f"Bearer {token}"}
    body = {"category": "repair", "description": "热水器打不着火", "address": "松阳小区1栋", "contact_name": "李阿姨",
            "contact_phone": "13800001234", "area_id": area}
    codes = [client.post("/api/v1/orders", json=body, headers=tokens["demo-resident-sy-1"]).status_code
             for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert client.post("/api/v1/orders", json=body, headers=tokens["demo-resident-sy-2"]).status_code == 201


def test_staff_filing_on_behalf_have_their_own_larger_limit(limited_app):
    """Does staff filing on behalf get its own limit (6 here, 300 by default) before a 429?"""
    client = limited_app.test_client()
    area = limited_app.config["DEMO_IDS"]["松阳社区"]
    token = client.post("/api/v1/auth/wechat-login", json={"code": "dev:demo-staff-sy"}).get_json()["access_token"]
    body = {"category": "repair", "description": "独居老人家里灯坏了", "address": "松阳小区2栋",
            "contact_name": "张大爷", "contact_phone": "13800005678", "area_id": area,
            "on_behalf_of": {"name": "张大爷", "phone": "13800005678"}}
    codes = [client.post("/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"}).status_code
             for _ in range(7)]
    assert codes == [201] * 6 + [429]
    assert limited_app.config["RATELIMIT_ORDER_CREATE_STAFF"] == "6 per minute"


def test_limits_let_requests_through_while_redis_is_away(database_url, _schema, tmp_path):
    """While the limits' Redis cannot be reached (a restart), do logins and order creation still work (logged)
    instead of answering 500?"""
    from tests.conftest import _wipe

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(tmp_path / "uploads"),
                     RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")  # nothing listens there
    with app.app_context():
        _wipe(database_url)
        from app.demo import seed_demo

        area = seed_demo()["松阳社区"]
    try:
        client = app.test_client()
        login = client.post("/api/v1/auth/wechat-login", json={"code": "dev:demo-resident-sy-1"})
        assert login.status_code == 200
        body = {"category": "repair", "description": "热水器打不着火", "address": "松阳小区1栋",
                "contact_name": "李阿姨", "contact_phone": "13800001234", "area_id": area}
        created = client.post("/api/v1/orders", json=body,
                              headers={"Authorization": f"Bearer {login.get_json()['access_token']}"})
        assert created.status_code == 201
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _concurrently(count: int, send) -> list[int]:
    """Fire `count` requests at the same moment (so both workers are busy); their status codes."""
    barrier = threading.Barrier(count)
    codes: list = [None] * count

    def one(index: int) -> None:
        barrier.wait()
        codes[index] = send(index).status_code

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def test_rate_limits_hold_across_gunicorn_workers_on_redis(tmp_path):
    """With REDIS_URL set, do two gunicorn workers share one count (5 logins a minute in all, not 5 each)?"""
    import common

    redis_url = redis_test_url(14)
    connection = redis_or_unavailable(redis_url)
    connection.flushdb()  # the database is this test's own
    url = common.fresh_database("sqlite", tmp_path, "limits")
    app = common.make_app(url)
    common.build_schema(app)
    with app.app_context():
        from app.demo import seed_demo

        area = seed_demo()["松阳社区"]
        db.engine.dispose()
    access_log = tmp_path / "access.log"
    server = common.start_gunicorn(url, tmp_path, workers=2, extra_env={
        "RATELIMIT_ENABLED": "true", "REDIS_URL": redis_url, "RATELIMIT_LOGIN": "5 per minute",
        "RATELIMIT_ORDER_CREATE": "3 per minute", "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ACCESS_LOG_FORMAT": "%(p)s %(s)s %(U)s"})
    try:
        assert len(server.worker_pids()) == 2
        login = f"{server.url}/api/v1/auth/wechat-login"
        codes = _concurrently(16, lambda i: requests.post(
            login, json={"code": f"dev:demo-resident-sy-{1 + i % 2}"}, headers={"Connection": "close"}, timeout=30))
        assert sorted(codes) == [200] * 5 + [429] * 11, codes
        connection.flushdb()
        token = requests.post(login, json={"code": "dev:demo-resident-sy-1"}, timeout=10).json()["access_token"]
        body = {"category": "repair", "description": "热水器打不着火", "address": "松阳小区1栋",
                "contact_name": "李阿姨", "contact_phone": "13800001234", "area_id": area}
        created = _concurrently(8, lambda i: requests.post(
            f"{server.url}/api/v1/orders", json=body, timeout=30,
            headers={"Authorization": f"Bearer {token}", "Connection": "close"}))
        assert sorted(created) == [201] * 3 + [429] * 5, created
        assert any(key.startswith(b"LIMITS") for key in connection.keys("*")), "the counts live in Redis"
    finally:
        server.stop()
        connection.flushdb()
    served = {}
    for line in access_log.read_text().splitlines():
        pid, status, path = line.split(" ", 2)
        if path in ("/api/v1/auth/wechat-login", "/api/v1/orders"):
            served.setdefault(pid, set()).add(status)
    assert len(served) == 2, f"both workers answered: {served}"


# --- the append-only timeline ----------------------------------------------------------------

def test_order_events_cannot_be_changed_or_deleted_through_the_orm(demo, app):
    """Does the ORM refuse to change, delete or bulk-edit an order event?"""
    order = demo.order_at("accepted")
    with app.app_context():
        event = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order["id"])).first()
        event.note = "rewritten"
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(OrderEvent, event.id))
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        for statement in (update(OrderEvent).values(note="x"), delete(OrderEvent),
                          update(OrderEvent.__table__).values(note="x"), delete(OrderEvent.__table__)):
            with pytest.raises(AppendOnlyViolation):
                db.session.execute(statement)
            db.session.rollback()
        assert [e.action for e in db.session.scalars(select(OrderEvent).where(
            OrderEvent.order_id == order["id"]).order_by(OrderEvent.id))] == ["create", "dispatch", "accept"]


def test_no_route_changes_or_deletes_an_order_or_its_events(demo, app, client):
    """Is there no PUT, PATCH or DELETE on orders or their events in the API?"""
    for rule in app.url_map.iter_rules():
        if "/orders" in rule.rule:
            assert not (rule.methods & {"PUT", "PATCH", "DELETE"}), rule
    order = demo.order_at("accepted")
    for method in ("DELETE", "PUT", "PATCH"):
        for url in (f"/api/v1/orders/{order['id']}", f"/api/v1/orders/{order['id']}/events"):
            assert client.open(url, method=method, json={}, headers=demo.headers("admin")).status_code in (404, 405)
    assert len(client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("resident")).get_json()["events"]) == 3


@pytest.mark.skipif(not is_postgres(os.environ.get("TEST_DATABASE_URL", "")), reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_order_events_after_flask_db_upgrade(database_url, tmp_path):
    """After `flask db upgrade` (migrations 0002, 0006, 0009) on a new database, are UPDATE, DELETE and TRUNCATE of
    order_events and service_credits refused?"""
    base = sa.engine.make_url(database_url)
    name = f"test_append_only_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
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
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) >= "0002"
            now = sa.func.now()
            area = conn.execute(sa.text("INSERT INTO areas (kind, name, path, created_at) VALUES "
                                        "('community', '测试社区', '/1/', now()) RETURNING id")).scalar()
            user = conn.execute(sa.text(
                "INSERT INTO users (openid, nickname, avatar_url, real_name, is_party_member, work_unit, "
                "token_version, created_at) VALUES ('o1', '', '', '', false, '', 1, now()) RETURNING id")).scalar()
            category = conn.execute(sa.text(
                "INSERT INTO categories (code, name, sla_hours, points, sort_order) VALUES ('other', '其他', 72, 5, 0) "
                "RETURNING id")).scalar()
            order = conn.execute(sa.insert(sa.table(
                "orders", *(sa.column(c) for c in (
                    "status", "category_id", "area_id", "title", "description", "address", "contact_name",
                    "contact_phone", "preferred_time", "photos", "requester_id", "created_by_id", "result",
                    "result_photos", "cancel_reason", "needs_review", "due_at", "created_at", "version")))
            ).values(status="ordered", category_id=category, area_id=area, title="t", description="d", address="a",
                     contact_name="n", contact_phone="13800001234", preferred_time="", photos=sa.text("'[]'::jsonb"),
                     requester_id=user, created_by_id=user, result="", result_photos=sa.text("'[]'::jsonb"),
                     cancel_reason="", needs_review=False, due_at=now, created_at=now, version=1
                     ).returning(sa.column("id"))).scalar()
            conn.execute(sa.text("INSERT INTO order_events (order_id, actor_id, action, to_status, note, data, "
                                 "created_at) VALUES (:o, :u, 'create', 'ordered', '', '{}', now())"),
                         {"o": order, "u": user})
            conn.execute(sa.text("INSERT INTO service_credits (user_id, area_id, kind, order_id, minutes, reason, "
                                 "title, served_at, created_at) VALUES (:u, :a, 'order', :o, 60, 'order_completed', "
                                 "'t', now(), now())"), {"o": order, "u": user, "a": area})
        for statement in ("UPDATE order_events SET note = 'rewritten'", "DELETE FROM order_events",
                          "TRUNCATE order_events CASCADE", "TRUNCATE orders CASCADE",
                          "UPDATE service_credits SET minutes = 720", "DELETE FROM service_credits",
                          "TRUNCATE service_credits"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(sa.text(statement))
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM order_events WHERE note = ''")) == 1
            assert conn.scalar(sa.text("SELECT count(*) FROM service_credits WHERE minutes = 60")) == 1
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_timeline_replays_to_the_current_status(demo, app):
    """Does every order's status equal the last event's, after a run of actions?"""
    for status in ("ordered", "dispatched", "accepted", "in_service", "completed", "rated"):
        demo.order_at(status)
    with app.app_context():
        for order in db.session.scalars(select(Order)):
            events = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)
                                        .order_by(OrderEvent.id)).all()
            assert events[0].action == "create" and events[-1].to_status == order.status
            assert order.version == len(events)


# --- issue 14, lows: headers, chunked bodies, the access log ----------------------------------

@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/me", "/api/v1/orders", "/api/v1/nowhere"])
def test_api_responses_carry_nosniff_and_no_store(demo, client, path):
    """Does every API answer, data or error, say X-Content-Type-Options: nosniff and Cache-Control: no-store?"""
    response = client.get(path, headers=demo.headers("resident"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def _chunked(client, path: str, body: bytes, headers: dict, method: str = "POST"):
    """A request the way gunicorn hands over a chunked one: no Content-Length, the stream ends on its own."""
    import io

    return client.open(path, method=method, input_stream=io.BytesIO(body),
                       headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_json_body_is_held_to_the_json_limit(demo, client, app):
    """Is a chunked JSON body over MAX_JSON_LENGTH a 413 payload_too_large, as it is with a Content-Length, while
    a small chunked body still works?"""
    big = b'{"description": "' + b"x" * (app.config["MAX_JSON_LENGTH"] + 10) + b'"}'
    response = _chunked(client, "/api/v1/orders", big, demo.headers("resident"))
    assert response.status_code == 413 and response.get_json()["code"] == "payload_too_large"
    with_length = client.post("/api/v1/orders", data=big, content_type="application/json",
                              headers=demo.headers("resident"))
    assert with_length.status_code == 413
    patched = _chunked(client, "/api/v1/me", b'{"nickname": "x1"}', demo.headers("resident"), method="PATCH")
    assert patched.status_code == 200 and patched.get_json()["nickname"] == "x1"


@pytest.mark.parametrize("line, logged", [
    ("GET /api/v1/users?q=13812345678 HTTP/1.1", "GET /api/v1/users?q=138****5678 HTTP/1.1"),
    ("GET /api/v1/orders?q=%2B8613812345678&limit=20 HTTP/1.1",
     "GET /api/v1/orders?q=%2B86138****5678&limit=20 HTTP/1.1"),
    ("GET /api/v1/auth/console-tickets/AbC-d_12 HTTP/1.1", "GET /api/v1/auth/console-tickets/*** HTTP/1.1"),
    ("POST /api/v1/auth/console-tickets/AbC-d_12/approve HTTP/1.1",
     "POST /api/v1/auth/console-tickets/***/approve HTTP/1.1"),
    ("POST /api/v1/auth/console-tickets HTTP/1.1", "POST /api/v1/auth/console-tickets HTTP/1.1"),
    ("GET /console/qr/AbC-d_12.svg HTTP/1.1", "GET /console/qr/***.svg HTTP/1.1"),
    ("GET /console/login/AbC-d_12 HTTP/1.1", "GET /console/login/*** HTTP/1.1"),
    ("GET /api/v1/orders/123456789012 HTTP/1.1", "GET /api/v1/orders/123456789012 HTTP/1.1"),
])
def test_request_lines_are_redacted(line, logged):
    """Are phone numbers masked and console ticket ids removed from the request lines the logs keep?"""
    from app.accesslog import redact

    assert redact(line) == logged


def test_gunicorn_access_log_masks_phones_and_tickets():
    """Does the access log gunicorn.conf.py configures write the request line, path and query redacted?"""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from app.accesslog import RedactingLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", "app.accesslog.RedactingLogger")
    logger = RedactingLogger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/users?q=13812345678", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/api/v1/auth/console-tickets/secret-ticket", "QUERY_STRING": "q=13812345678",
               "HTTP_REFERER": "http://x/console/?phone=13812345678"}
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), request, environ, timedelta(milliseconds=3))
    assert atoms["r"] == "GET /api/v1/users?q=138****5678 HTTP/1.1"
    assert atoms["U"] == "/api/v1/auth/console-tickets/***" and atoms["q"] == "q=138****5678"
    assert "13812345678" not in atoms["f"] and "13812345678" not in atoms["{referer}i"]
    conf = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)
    assert conf["logger_class"] == "app.accesslog.RedactingLogger"


def test_the_development_server_log_is_redacted(app, caplog):
    """Do the development server's request lines (werkzeug's logger) reach the log redacted too?"""
    import logging

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - "%s" %s', "127.0.0.1",
                                            "GET /api/v1/users?q=13812345678 HTTP/1.1", "200")
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text
