"""Configuration: production refuses unsafe settings, dev-mode login follows WECHAT_APP_ID, the environment rules."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import DEFAULT_SECRET, TestConfig
from app.wechat import DevGateway, WeChatGateway

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = secrets.token_urlsafe(48)
SAFE_PRODUCTION = {"SECRET_KEY": GOOD_SECRET, "WECHAT_APP_ID": "wx0123456789abcdef",
                   "WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef", "SQLALCHEMY_DATABASE_URI": "sqlite://"}


@pytest.mark.parametrize("changes, complaint", [
    ({"SECRET_KEY": DEFAULT_SECRET}, "SECRET_KEY"),
    ({"SECRET_KEY": TestConfig.SECRET_KEY}, "SECRET_KEY"),
    ({"SECRET_KEY": "short-but-not-default"}, "SECRET_KEY"),
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": None}, "SECRET_KEY"),
    ({"WECHAT_APP_ID": None}, "WECHAT_APP_ID"),
    ({"WECHAT_APP_ID": ""}, "WECHAT_APP_ID"),
    ({"WECHAT_APP_SECRET": None}, "WECHAT_APP_SECRET"),
    ({"WECHAT_APP_ID": None, "WECHAT_APP_SECRET": None}, "WECHAT_APP_ID"),
    ({"DEV_LOGIN": True}, "dev-mode login"),
    ({"NOTIFY_LEASE_SECONDS": 25, "WECHAT_TIMEOUT": 5}, "NOTIFY_LEASE_SECONDS"),  # a send may take 4 × 5 s + 5 s
    ({"NOTIFY_LEASE_SECONDS": 8, "WECHAT_TIMEOUT": 3}, "NOTIFY_LEASE_SECONDS"),
])
def test_production_refuses_to_start(changes, complaint):
    """Does ProductionConfig refuse a default or weak secret, missing WeChat credentials and dev login?"""
    with pytest.raises(RuntimeError, match=complaint):
        create_app("production", **{**SAFE_PRODUCTION, **changes})


def test_production_names_every_problem():
    """Does the refusal list all that is wrong at once, so one restart fixes it?"""
    with pytest.raises(RuntimeError) as refused:
        create_app("production", SECRET_KEY=DEFAULT_SECRET, WECHAT_APP_ID=None, WECHAT_APP_SECRET=None,
                   DEV_LOGIN=True, SQLALCHEMY_DATABASE_URI="sqlite://")

    message = str(refused.value)
    assert "SECRET_KEY" in message and "WECHAT_APP_ID" in message and "dev-mode login" in message
    assert DEFAULT_SECRET not in message


def test_production_starts_with_safe_settings():
    """Does production start with a real secret and WeChat credentials, without dev login and with rate limits?"""
    app = create_app("production", **SAFE_PRODUCTION)

    assert app.config["DEV_LOGIN"] is False
    assert isinstance(app.extensions["wechat"], WeChatGateway)
    assert app.config["TESTING"] is False and app.config["RATELIMIT_ENABLED"] is True


def test_production_takes_a_lease_longer_than_the_longest_send():
    """Does production start when the notification lease outlasts the slowest send (the defaults included)?"""
    create_app("production", **SAFE_PRODUCTION, NOTIFY_LEASE_SECONDS=26, WECHAT_TIMEOUT=5)
    create_app("production", **SAFE_PRODUCTION, NOTIFY_LEASE_SECONDS=15, WECHAT_TIMEOUT=2)  # the cluster drill's


@pytest.mark.parametrize("config, overrides, dev_login", [
    ("development", {"WECHAT_APP_ID": None}, True),
    ("development", {"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "SECRET_KEY": GOOD_SECRET}, False),
    ("testing", {}, True),
    ("testing", {"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s"}, False),
    ("testing", {"WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "DEV_LOGIN": True}, False),
    ("testing", {"WECHAT_APP_ID": None, "DEV_LOGIN": False}, True),
    ("production", {}, False),
])
def test_dev_login_mirrors_the_wechat_gateway(config, overrides, dev_login):
    """Is DEV_LOGIN on exactly when no WECHAT_APP_ID is set outside production, matching the gateway in use?"""
    base = SAFE_PRODUCTION if config == "production" else {"SQLALCHEMY_DATABASE_URI": "sqlite://"}

    app = create_app(config, **{**base, **overrides})

    assert app.config["DEV_LOGIN"] is dev_login
    assert isinstance(app.extensions["wechat"], DevGateway if dev_login else WeChatGateway)


def test_dev_login_is_refused_when_dev_login_is_off(app, database_url, fake_wechat):
    """With WeChat configured in development, is dev:<openid> refused (401 invalid_code) like any unknown code?"""
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, WECHAT_APP_ID=fake_wechat.app_id,
                     WECHAT_APP_SECRET=fake_wechat.app_secret, WECHAT_API_BASE_URL=fake_wechat.url,
                     RATELIMIT_ENABLED=False, SECRET_KEY=GOOD_SECRET)

    response = app.test_client().post("/api/v1/auth/wechat-login", json={"code": "dev:demo-admin"})

    assert response.status_code == 401 and response.get_json()["code"] == "invalid_code"


@pytest.mark.parametrize("config", ["development", "testing"])
def test_the_built_in_secret_only_goes_with_dev_login(config):
    """With real WeChat credentials and no SECRET_KEY of its own (the built-in, public one), does the app refuse
    to start, outside production too?"""
    with pytest.raises(RuntimeError, match="built-in SECRET_KEY"):
        create_app(config, SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY=DEFAULT_SECRET,
                   WECHAT_APP_ID="wx0123456789abcdef", WECHAT_APP_SECRET="f" * 32)
    assert create_app(config, SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY=DEFAULT_SECRET).config["DEV_LOGIN"]


def test_the_built_in_secret_from_the_environment_refuses_with_wechat(tmp_path):
    """Does a server started with WeChat credentials but no SECRET_KEY (APP_ENV unset) refuse to start?"""
    result = run_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
                      "WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_APP_SECRET": "f" * 32})

    assert result.returncode != 0 and "built-in SECRET_KEY" in result.stderr


def test_a_token_forged_with_the_built_in_secret_fails_without_dev_login(database_url, fake_wechat, demo):
    """With WeChat configured (dev login off), is an admin token signed with the built-in secret never accepted:
    the app with that secret does not start, and one with its own secret answers 401?"""
    import jwt

    forged = jwt.encode({"sub": str(demo.user_ids["admin"]), "ver": 1, "exp": 4102444800}, DEFAULT_SECRET,
                        algorithm="HS256")
    wechat = {"WECHAT_APP_ID": fake_wechat.app_id, "WECHAT_APP_SECRET": fake_wechat.app_secret,
              "WECHAT_API_BASE_URL": fake_wechat.url}
    for secret in (DEFAULT_SECRET, GOOD_SECRET):
        try:
            app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_ENABLED=False,
                             SECRET_KEY=secret, **wechat)
        except RuntimeError:
            assert secret == DEFAULT_SECRET
            continue
        response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_production_logs_in_through_wechat(app, database_url, fake_wechat):
    """Does a production app log in through WeChat (the fake server) and refuse dev codes?"""
    app = create_app("production", **{**SAFE_PRODUCTION, "SQLALCHEMY_DATABASE_URI": database_url,
                                       "WECHAT_APP_ID": fake_wechat.app_id,
                                       "WECHAT_APP_SECRET": fake_wechat.app_secret,
                                       "WECHAT_API_BASE_URL": fake_wechat.url, "RATELIMIT_ENABLED": False})
    fake_wechat.add_code("c1", "prod-openid")
    client = app.test_client()

    assert client.post("/api/v1/auth/wechat-login", json={"code": "c1"}).status_code == 200
    assert client.post("/api/v1/auth/wechat-login", json={"code": "dev:prod-openid"}).status_code == 401


def run_app(env: dict) -> subprocess.CompletedProcess:
    """Build the app in a fresh interpreter with exactly this environment (the way a server starts)."""
    code = ("from app import create_app; app = create_app(); "
            "print(app.config['APP_ENV'], app.config['DEV_LOGIN'], app.config['RATELIMIT_ENABLED'], "
            "app.config['TOKEN_TTL_SECONDS'], type(app.extensions['wechat']).__name__)")
    keep = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**keep, **env}, capture_output=True,
                          text=True, timeout=60)


def test_production_from_the_environment_refuses_without_settings(tmp_path):
    """Does APP_ENV=production with nothing else set fail to start, naming what is missing?"""
    result = run_app({"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path)})

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "SECRET_KEY" in result.stderr and "WECHAT_APP_ID" in result.stderr


def test_settings_come_from_the_environment(tmp_path):
    """Are APP_ENV, secrets, WeChat credentials, the token lifetime and rate limits read from the environment?"""
    result = run_app({"APP_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": GOOD_SECRET,
                      "WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_APP_SECRET": "f" * 32,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", "TOKEN_TTL_SECONDS": "3600",
                      "RATELIMIT_ENABLED": "false"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "False", "False", "3600", "WeChatGateway"]


def test_development_is_the_default_environment(tmp_path):
    """With no APP_ENV, is the app in development with dev-mode login?"""
    result = run_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["development", "True"]
    assert result.stdout.split()[-1] == "DevGateway"
