"""The client address behind reverse proxies: X-Forwarded-For is believed for exactly TRUSTED_PROXY_HOPS
hops (werkzeug's ProxyFix), never from the client itself; rate limits count per that address."""
import pytest
from flask import request

from app import create_app
from app.extensions import limiter


@pytest.fixture
def make_app(database_url, _schema, tmp_path):
    """An app with TRUSTED_PROXY_HOPS set, rate limits on (2 logins a minute), and a route that tells
    the address the app sees."""
    made = []

    def make(hops: int):
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(tmp_path / "uploads"),
                         TRUSTED_PROXY_HOPS=hops, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
        app.add_url_rule("/_address", "address", lambda: {"ip": request.remote_addr, "scheme": request.scheme})
        made.append(app)
        return app

    yield make
    limiter.reset()


def seen(app, forwarded: str | None = None, peer: str = "10.0.0.1", proto: str | None = None) -> dict:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    if proto:
        headers["X-Forwarded-Proto"] = proto
    return app.test_client().get("/_address", headers=headers, environ_base={"REMOTE_ADDR": peer}).get_json()


def test_at_zero_hops_a_spoofed_forwarded_for_is_ignored(make_app):
    """With no trusted proxy (the default), is the TCP peer the client, whatever X-Forwarded-For says?"""
    app = make_app(0)
    assert seen(app, "6.6.6.6") == {"ip": "10.0.0.1", "scheme": "http"}
    assert seen(app, "6.6.6.6, 7.7.7.7", proto="https") == {"ip": "10.0.0.1", "scheme": "http"}


@pytest.mark.parametrize("hops, forwarded, client", [
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),            # the client's own entry, left of nginx's, is ignored
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # load balancer then nginx: the second from the right
    (2, "203.0.113.9", "10.0.0.1"),                        # fewer entries than hops: not believed at all
])
def test_at_n_hops_the_nth_entry_from_the_right_is_the_client(make_app, hops, forwarded, client):
    """With N trusted proxies, is the client exactly the N-th X-Forwarded-For entry from the right?"""
    assert seen(make_app(hops), forwarded)["ip"] == client


def test_the_scheme_comes_from_the_trusted_proxy(make_app):
    """Behind one trusted proxy, does X-Forwarded-Proto set the scheme (URLs the app builds are https)?"""
    assert seen(make_app(1), "203.0.113.9", proto="https")["scheme"] == "https"


def _login(client, forwarded: str) -> int:
    return client.post("/api/v1/auth/wechat-login", json={"code": "dev:someone"},
                       headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code


def test_behind_one_proxy_each_resident_has_their_own_login_bucket(make_app):
    """Behind nginx (1 hop), do two residents not share one login limit, while spoofing a left entry does not
    give one client a new bucket?"""
    client = make_app(1).test_client()
    assert [_login(client, f"198.51.100.{i}") for i in range(1, 4)] == [200, 200, 200]
    assert [_login(client, f"{i}.{i}.{i}.{i}, 203.0.113.9") for i in range(1, 4)] == [200, 200, 429]


def test_at_zero_hops_a_spoofed_header_does_not_escape_the_limit(make_app):
    """With no trusted proxy, does varying X-Forwarded-For fail to escape the login limit?"""
    client = make_app(0).test_client()
    assert [_login(client, f"198.51.100.{i}") for i in range(1, 4)] == [200, 200, 429]


def test_a_negative_hop_count_is_refused(database_url):
    """Is TRUSTED_PROXY_HOPS=-1 refused at start rather than silently trusting nobody?"""
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_HOPS"):
        create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, TRUSTED_PROXY_HOPS=-1)
