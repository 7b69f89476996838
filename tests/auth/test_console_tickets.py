"""扫码登录 tickets bound to the browser that made them (DESIGN §8): the poll secret, the 120 s life, one token,
the approval screen's {created_at, ip, browser}, pruning, and 10 tickets a minute per client address."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.auth.service import browser_of
from app.extensions import db
from app.users.models import ConsoleTicket

TICKETS = "/api/v1/auth/console-tickets"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")


def new_ticket(client, agent: str = CHROME, ip: str = "203.0.113.7") -> dict:
    response = client.post(TICKETS, headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def poll(client, created: dict, secret: str | None = "mine"):
    secret = created["poll_secret"] if secret == "mine" else secret
    headers = {"X-Ticket-Secret": secret} if secret is not None else {}
    return client.get(f"{TICKETS}/{created['ticket']}", headers=headers)


def approve(client, demo, created: dict, who: str = "staff_sy"):
    return client.post(f"{TICKETS}/{created['ticket']}/approve", json={}, headers=demo.headers(who))


@pytest.fixture(autouse=True)
def real_clock():
    yield
    clock.freeze(None)


def test_a_new_ticket_comes_with_a_poll_secret(client):
    """Does POST answer 201 {ticket, poll_secret, expires_at} with the ticket living 120 s?"""
    clock.freeze(clock.now())
    created = new_ticket(client)
    assert set(created) >= {"ticket", "poll_secret", "expires_at"} and created["ticket"] != created["poll_secret"]
    assert created["expires_at"] == (clock.now() + timedelta(seconds=120)).isoformat()
    assert poll(client, created).get_json() == {"status": "pending"}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_a_poll_without_the_browsers_secret_is_404(client, demo, secret):
    """Is a poll without X-Ticket-Secret, or with a wrong one, a 404 — also after approval, and without taking
    the token the right browser then collects?"""
    created = new_ticket(client)
    assert poll(client, created, secret).status_code == 404
    assert approve(client, demo, created).status_code == 200
    stolen = poll(client, created, secret)
    assert stolen.status_code == 404 and "access_token" not in stolen.get_data(as_text=True)
    mine = poll(client, created).get_json()
    assert mine["status"] == "approved" and mine["access_token"]


def test_the_token_is_handed_out_once(client, demo):
    """Is the token given on the first poll after approval only, then `consumed`?"""
    created = new_ticket(client)
    approve(client, demo, created)
    token = poll(client, created).get_json()["access_token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert poll(client, created).get_json() == {"status": "consumed"}
    assert approve(client, demo, created).status_code == 409


def test_a_pending_ticket_expires_after_120_seconds(client, demo):
    """After 120 s, is a pending ticket `expired` and its approval refused (409)?"""
    start = clock.now()
    clock.freeze(start)
    created = new_ticket(client)
    clock.freeze(start + timedelta(seconds=119))
    assert poll(client, created).get_json()["status"] == "pending"
    clock.freeze(start + timedelta(seconds=121))
    assert poll(client, created).get_json() == {"status": "expired"}
    assert approve(client, demo, created).status_code == 409


def test_an_approved_ticket_must_be_collected_within_120_seconds(client, demo):
    """Is an approved ticket nobody collected `expired` after 120 s, without a token?"""
    start = clock.now()
    clock.freeze(start)
    created = new_ticket(client)
    assert approve(client, demo, created).status_code == 200
    clock.freeze(start + timedelta(seconds=125))
    late = poll(client, created)
    assert late.get_json() == {"status": "expired"} and "access_token" not in late.get_json()


@pytest.mark.parametrize("who, status", [("staff_sy", 200), ("admin", 200), ("grid_sy", 403), ("vol1", 403),
                                         ("resident", 403), (None, 401)])
def test_the_approval_screen_sees_where_the_login_comes_from(client, demo, who, status):
    """Do staff and admins get {created_at, ip, browser} of the computer asking to log in, and nobody else?"""
    created = new_ticket(client)
    response = client.get(f"{TICKETS}/{created['ticket']}/info", headers=demo.headers(who) if who else {})
    assert response.status_code == status, response.get_json()
    if status == 200:
        info = response.get_json()
        assert info["ip"] == "203.0.113.7" and info["browser"] == "Chrome 131（Windows）" and info["created_at"]
        assert "poll_secret" not in info and "ticket" not in info


def test_info_of_an_unknown_ticket_is_404(client, demo):
    assert client.get(f"{TICKETS}/no-such-ticket/info", headers=demo.headers("staff_sy")).status_code == 404


@pytest.mark.parametrize("agent, shown", [
    (CHROME, "Chrome 131（Windows）"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge 131（Windows）"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
     "Safari/605.1.15", "Safari 17（macOS）"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128（Linux）"),
    ("curl/8.5.0", "未知浏览器"), (None, "未知浏览器"), ("x" * 500, "未知浏览器"),
])
def test_browser_of(agent, shown):
    """Is the User-Agent told as a short browser and system name?"""
    assert browser_of(agent) == shown


def test_old_tickets_are_pruned(app, client):
    """Are tickets expired more than an hour ago deleted when new ones are made?"""
    start = clock.now()
    clock.freeze(start - timedelta(hours=3))
    new_ticket(client)
    clock.freeze(start - timedelta(minutes=30))
    recent = new_ticket(client)
    clock.freeze(start)
    new_ticket(client)
    with app.app_context():
        left = set(db.session.scalars(select(ConsoleTicket.id)))
        assert recent["ticket"] in left and len(left) == 2


def test_ten_tickets_a_minute_per_address(demo, make_limited_app):
    """Is the 11th ticket in a minute from one address a 429 rate_limited with Retry-After, while another
    address may still get one?"""
    client = make_limited_app().test_client()
    codes = [client.post(TICKETS, environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code for _ in range(11)]
    assert codes == [201] * 10 + [429]
    refused = client.post(TICKETS, environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert refused.get_json()["code"] == "rate_limited" and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.post(TICKETS, environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 201
    with demo.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConsoleTicket)) == 11
