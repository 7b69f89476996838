"""Login through WeChat (the fake server over real HTTP) and dev mode, API tokens, revocation, login rate limit."""
import base64
import json
import logging
import socket
import warnings
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select

from app import clock, create_app
from app.extensions import db
from app.users.models import User

LOGIN = "/api/v1/auth/wechat-login"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(client, code: str):
    return client.post(LOGIN, json={"code": code})


def token_for(client, code: str) -> str:
    response = login(client, code)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --- login through WeChat -----------------------------------------------------------------------


def test_login_through_wechat_creates_the_user(wechat_app, fake_wechat):
    """Does a code WeChat knows log in, create the user with its unionid and return the token shape?"""
    fake_wechat.add_code("c1", "openid-wx-1", unionid="union-1")
    client = wechat_app.test_client()

    response = login(client, "c1")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == wechat_app.config["TOKEN_TTL_SECONDS"]
    assert body["user"]["roles"] == [] and body["user"]["phone"] is None
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["id"] == body["user"]["id"]
    with wechat_app.app_context():
        user = db.session.scalars(select(User).where(User.openid == "openid-wx-1")).one()
        assert user.unionid == "union-1"


def test_second_login_is_the_same_user(wechat_app, fake_wechat):
    """Does a second login of the same openid find the same user instead of a new one?"""
    fake_wechat.add_code("c1", "openid-wx-1")
    fake_wechat.add_code("c2", "openid-wx-1")
    client = wechat_app.test_client()

    first, second = login(client, "c1").get_json(), login(client, "c2").get_json()

    assert first["user"]["id"] == second["user"]["id"]
    with wechat_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def _fail_with(errcode):
    return lambda fake: fake.fail_next("jscode2session", errcode)


@pytest.mark.parametrize("arrange, status, code, errcode", [
    pytest.param(lambda fake: None, 401, "invalid_code", None, id="unknown-code-40029"),
    pytest.param(lambda fake: (fake.add_code("c1", "o1"), fake.fail_next("jscode2session", 40029)),
                 401, "invalid_code", None, id="invalid-40029"),
    pytest.param(lambda fake: (fake.add_code("c1", "o1"), fake.fail_next("jscode2session", 40163)),
                 401, "invalid_code", None, id="used-40163"),
    pytest.param(_fail_with(45011), 429, "rate_limited", 45011, id="rate-limit-45011"),
    pytest.param(_fail_with(45009), 429, "rate_limited", 45009, id="daily-quota-45009"),
    pytest.param(_fail_with(-1), 502, "wechat_error", -1, id="system-busy--1"),
    pytest.param(_fail_with(40226), 502, "wechat_error", 40226, id="high-risk-40226"),
    pytest.param(_fail_with(40013), 502, "wechat_error", 40013, id="bad-appid-40013"),
    pytest.param(lambda fake: fake.http_error_next("jscode2session", 503), 502, "wechat_error", None, id="http-503"),
    pytest.param(lambda fake: fake.http_error_next("jscode2session", 200, "<html>ok</html>"), 502, "wechat_error",
                 None, id="not-json"),
])
def test_login_maps_wechat_errors(wechat_app, fake_wechat, arrange, status, code, errcode):
    """Does each WeChat failure of jscode2session become the contract's status, code and errcode?"""
    arrange(fake_wechat)

    response = login(wechat_app.test_client(), "c1")

    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["code"] == code and body["message"]
    if code != "invalid_code":
        assert body["errcode"] == errcode


def test_a_used_code_is_refused(wechat_app, fake_wechat):
    """Is the second use of the same wx.login code a 401 invalid_code (WeChat's 40163)?"""
    fake_wechat.add_code("c1", "o1")
    client = wechat_app.test_client()
    assert login(client, "c1").status_code == 200

    response = login(client, "c1")

    assert response.status_code == 401 and response.get_json()["code"] == "invalid_code"


def test_login_when_wechat_is_down(app, database_url, fake_wechat):
    """Is a login while WeChat cannot be reached a 502 wechat_error?"""
    down = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WECHAT_APP_ID=fake_wechat.app_id,
                      WECHAT_APP_SECRET=fake_wechat.app_secret, WECHAT_API_BASE_URL=closed_port_url(),
                      WECHAT_TIMEOUT=1.0, DEV_LOGIN=False)

    response = login(down.test_client(), "c1")

    assert response.status_code == 502
    assert response.get_json() == {"code": "wechat_error", "message": response.get_json()["message"],
                                   "errcode": None}


def test_login_when_wechat_times_out(app, database_url, fake_wechat):
    """Is a login whose WeChat call outlasts WECHAT_TIMEOUT a 502 wechat_error, answered in time?"""
    slow = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WECHAT_APP_ID=fake_wechat.app_id,
                      WECHAT_APP_SECRET=fake_wechat.app_secret, WECHAT_API_BASE_URL=fake_wechat.url,
                      WECHAT_TIMEOUT=0.2, DEV_LOGIN=False)
    fake_wechat.add_code("c1", "o1")
    fake_wechat.delay_seconds = 1.0

    started = clock.now()
    response = login(slow.test_client(), "c1")

    assert response.status_code == 502 and response.get_json()["code"] == "wechat_error"
    assert clock.now() - started < timedelta(seconds=1)


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "   "}, {"code": 123}, {"code": "x" * 300},
                                  {"code": "c1", "extra": 1}])
def test_login_validates_its_body(client, body):
    """Is a login body without a usable code (or with unknown fields) a 422 validation_error?"""
    response = client.post(LOGIN, json=body)

    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error" and response.get_json()["errors"]


# --- session_key and the app secret stay secret -------------------------------------------------


def test_session_key_and_secret_never_leave_the_server(wechat_app, fake_wechat, caplog):
    """Are WeChat's session_key and the app secret absent from every response and every log line?"""
    caplog.set_level(logging.DEBUG)
    session_key = "SESSIONKEY-MARKER-0f9a8b7c"
    fake_wechat.add_code("c1", "openid-secret", session_key=session_key)
    fake_wechat.add_phone_code("p1", "13912345678")
    client = wechat_app.test_client()

    responses = [login(client, "c1")]
    headers = bearer(responses[0].get_json()["access_token"])
    responses += [
        client.get("/api/v1/me", headers=headers),
        client.patch("/api/v1/me", json={"nickname": "小王"}, headers=headers),
        client.post("/api/v1/me/phone", json={"code": "p1"}, headers=headers),
        client.post("/api/v1/me/phone", json={"code": "p1"}, headers=headers),  # used: 422 on `code`
        login(client, "c1"),  # used code
        login(client, "unknown"),
    ]
    fake_wechat.fail_next("jscode2session", -1)
    responses.append(login(client, "c2"))
    fake_wechat.http_error_next("jscode2session", 500, f"<html>{session_key}</html>")
    responses.append(login(client, "c3"))

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 422, 401, 401, 502, 502]
    for response in responses:
        text = response.get_data(as_text=True)
        assert "session_key" not in text and session_key not in text
        assert fake_wechat.app_secret not in text
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "the WeChat calls should have been logged"
    assert session_key not in logged and "session_key" not in logged
    assert fake_wechat.app_secret not in logged
    assert fake_wechat.app_secret not in caplog.text and session_key not in caplog.text
    assert "jscode2session" in caplog.text and "secret=***" in caplog.text  # still logged, redacted


# --- dev mode -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["dev:", "dev: x", "dev-openid", "openid", "DEV:x", "dev:" + "x" * 65, "wx-code"])
def test_dev_mode_refuses_other_codes(client, code):
    """In dev mode, is any code but dev:<openid> a 401 invalid_code?"""
    response = login(client, code)

    assert response.status_code == 401 and response.get_json()["code"] == "invalid_code"


def test_dev_mode_logs_in_as_the_openid(app, client):
    """In dev mode (no WECHAT_APP_ID), does dev:<openid> log in as that openid?"""
    response = login(client, "dev:someone-1")

    assert response.status_code == 200
    with app.app_context():
        user = db.session.get(User, response.get_json()["user"]["id"])
        assert user.openid == "someone-1"


def test_dev_codes_are_refused_with_wechat_configured(wechat_app, fake_wechat):
    """With WECHAT_APP_ID set, is dev:<openid> just an unknown code to WeChat (401 invalid_code)?"""
    response = login(wechat_app.test_client(), "dev:demo-admin")

    assert response.status_code == 401 and response.get_json()["code"] == "invalid_code"


# --- tokens -------------------------------------------------------------------------------------


def test_token_expires_by_the_app_clock(app, client):
    """Is a token good until TOKEN_TTL_SECONDS have passed on app.clock, and 401 after?"""
    clock.freeze(clock.now().replace(microsecond=0))
    headers = bearer(token_for(client, "dev:ttl-user"))
    ttl = app.config["TOKEN_TTL_SECONDS"]

    clock.advance(seconds=ttl - 1)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(seconds=1)
    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def modified_payload(token: str, app) -> str:
    header, _, signature = _segments(token)
    claims = _claims(token) | {"sub": str(int(_claims(token)["sub"]) + 1)}
    return f"{header}.{_b64(claims)}.{signature}"


def raised_version(token: str, app) -> str:
    header, _, signature = _segments(token)
    return f"{header}.{_b64(_claims(token) | {'ver': 99})}.{signature}"


def wrong_signature(token: str, app) -> str:
    return jwt.encode(_claims(token), "another-secret-of-at-least-32-bytes!", algorithm="HS256")


def alg_none(token: str, app) -> str:
    return jwt.encode(_claims(token), None, algorithm="none")


def alg_none_uppercase(token: str, app) -> str:
    return f"{_b64({'alg': 'NONE', 'typ': 'JWT'})}.{_segments(token)[1]}."


def other_algorithm(token: str, app) -> str:
    with warnings.catch_warnings():  # PyJWT warns that the key is short for HS512: this token is meant to fail
        warnings.simplefilter("ignore")
        return jwt.encode(_claims(token), app.config["SECRET_KEY"], algorithm="HS512")


def no_version(token: str, app) -> str:
    claims = _claims(token)
    claims.pop("ver")
    return jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")


def no_expiry(token: str, app) -> str:
    claims = _claims(token)
    claims.pop("exp")
    return jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")


def unknown_user(token: str, app) -> str:
    return jwt.encode(_claims(token) | {"sub": "999999"}, app.config["SECRET_KEY"], algorithm="HS256")


def non_numeric_subject(token: str, app) -> str:
    return jwt.encode(_claims(token) | {"sub": "abc"}, app.config["SECRET_KEY"], algorithm="HS256")


def truncated(token: str, app) -> str:
    return token[:-5]


def garbage(token: str, app) -> str:
    return "not-a-token"


def three_dots(token: str, app) -> str:
    return "a.b.c"


@pytest.mark.parametrize("tamper", [modified_payload, raised_version, wrong_signature, alg_none,
                                    alg_none_uppercase, other_algorithm, no_version, no_expiry, unknown_user,
                                    non_numeric_subject, truncated, garbage, three_dots])
def test_tampered_tokens_are_refused(app, client, tamper):
    """Is a forged, altered, unsigned or garbled token a 401 unauthorized?"""
    token_for(client, "dev:victim")  # another user, so a changed subject names a real account
    token = token_for(client, "dev:attacker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200

    response = client.get("/api/v1/me", headers=bearer(tamper(token, app)))

    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz"])
def test_requests_without_a_bearer_token_are_unauthorized(client, header):
    """Is /me without a usable Authorization header a 401 unauthorized?"""
    headers = {"Authorization": header} if header is not None else {}

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_logout_revokes_every_token(app, client):
    """Does POST /auth/logout bump token_version so every token issued before is refused?"""
    phone, pc = bearer(token_for(client, "dev:two-devices")), bearer(token_for(client, "dev:two-devices"))

    response = client.post("/api/v1/auth/logout", headers=phone)

    assert response.status_code == 204
    for headers in (phone, pc):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    with app.app_context():
        assert db.session.scalars(select(User).where(User.openid == "two-devices")).one().token_version == 2
    fresh = bearer(token_for(client, "dev:two-devices"))
    assert client.get("/api/v1/me", headers=fresh).status_code == 200


@pytest.mark.parametrize("body", [None, {}])
def test_logout_takes_no_body(client, body):
    """Does logout accept no body as well as {}?"""
    headers = bearer(token_for(client, "dev:no-body"))

    response = client.post("/api/v1/auth/logout", headers=headers, json=body) if body is not None \
        else client.post("/api/v1/auth/logout", headers=headers)

    assert response.status_code == 204


def test_logout_needs_a_token(client):
    """Is logout without a token a 401?"""
    response = client.post("/api/v1/auth/logout")

    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_revoking_a_role_grant_revokes_the_tokens(demo, client):
    """Does DELETE /role-grants/{id} end the grantee's sessions, so the old role cannot be used?"""
    grid = client.post("/api/v1/role-grants", headers=demo.headers("staff_sy"),
                       json={"user_id": demo.user_ids["resident2"], "role": "grid_worker", "area_id": demo.sy})
    assert grid.status_code == 201
    old = bearer(token_for(client, "dev:demo-resident-sy-2"))
    neighbours = demo.create_order()  # a grid worker of the area may read it; a resident may not
    assert client.get(f"/api/v1/orders/{neighbours['id']}", headers=old).status_code == 200

    response = client.delete(f"/api/v1/role-grants/{grid.get_json()['id']}", headers=demo.headers("staff_sy"))

    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=old).status_code == 401
    new = bearer(token_for(client, "dev:demo-resident-sy-2"))
    assert client.get("/api/v1/me", headers=new).get_json()["roles"] == []
    assert client.get(f"/api/v1/orders/{neighbours['id']}", headers=new).status_code == 404


# --- login rate limit ---------------------------------------------------------------------------


def test_login_rate_limit(app, database_url):
    """With rate limits on, is the 31st login a minute from one address a 429 rate_limited?"""
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    assert limited.config["RATELIMIT_LOGIN"] == "30 per minute"

    statuses = [login(client, f"dev:rl-{n}").status_code for n in range(30)]
    response = login(client, "dev:rl-31")

    assert statuses == [200] * 30
    assert response.status_code == 429
    assert response.get_json()["code"] == "rate_limited" and response.get_json()["message"]
    other = limited.test_client().post(LOGIN, json={"code": "dev:rl-32"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_login_rate_limit_is_off_when_disabled(client):
    """With RATELIMIT_ENABLED false (the test default), do 40 logins in a row all pass?"""
    assert all(login(client, f"dev:free-{n}").status_code == 200 for n in range(40))
