"""Races settled by the database, with real concurrent HTTP requests against the live server.

The suite runs on SQLite and again on PostgreSQL (TEST_DATABASE_URL; `make pytest-pg`, .ci/run), so each
race here is fought on both databases.
"""
import threading

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.orders.models import IdempotencyKey, Order, OrderEvent
from tests.conftest import login

MEMBERS = 20


def fire(calls: list) -> list[requests.Response]:
    """Run (method, url, kwargs) calls at once from as many threads, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, method, url, kwargs):
        with requests.Session() as session:
            barrier.wait()
            try:
                results[index] = session.request(method, url, timeout=60, **kwargs)
            except requests.RequestException as exc:  # kept, so the assertion shows it
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, requests.Response) for r in results), results
    return results


def team_of_twenty(demo, client) -> dict[int, dict]:
    """The 松阳 team grown to 20 distinct members (leader, vol1, vol2 and 17 who join by invite code)."""
    code = client.get(f"/api/v1/teams/{demo.team_sy}", headers=demo.headers("leader_sy")).get_json()["invite_code"]
    members = {demo.user_ids[w]: demo.headers(w) for w in ("leader_sy", "vol1", "vol2")}
    for i in range(MEMBERS - len(members)):
        headers = login(client, f"race-member-{i}")
        joined = client.post("/api/v1/teams/join", json={"invite_code": code}, headers=headers)
        assert joined.status_code == 200, joined.get_json()
        me = client.get("/api/v1/me", headers=headers).get_json()
        members[me["id"]] = headers
    team = client.get(f"/api/v1/teams/{demo.team_sy}", headers=demo.headers("leader_sy")).get_json()
    assert team["member_count"] == MEMBERS and len(members) == MEMBERS
    return members


def events_of(app, order_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order_id)
                                       .order_by(OrderEvent.id)))


def test_twenty_members_accept_at_once(demo, client, app, live_server):
    """Do 20 members accepting one order at once give exactly one 200 and nineteen 409 invalid_transition?"""
    members = team_of_twenty(demo, client)
    for _round in range(3):
        order = demo.order_at("dispatched")
        url = f"{live_server}/api/v1/orders/{order['id']}/accept"
        responses = fire([("POST", url, {"headers": headers, "json": {}}) for headers in members.values()])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [409] * (MEMBERS - 1), [r.text for r in responses if r.status_code != 409][:3]
        assert {r.json()["code"] for r in responses if r.status_code == 409} == {"invalid_transition"}
        winner = next(r.json() for r in responses if r.status_code == 200)
        assert winner["status"] == "accepted" and winner["assignee_id"] in members

        with app.app_context():
            stored = db.session.get(Order, order["id"])
            assert (stored.status, stored.assignee_id, stored.version) == ("accepted", winner["assignee_id"], 3)
        assert events_of(app, order["id"]) == ["create", "dispatch", "accept"]


def test_accept_decline_and_cancel_race(demo, client, app, live_server):
    """When members accept and decline while the requester cancels, does only one of the first moves win?"""
    members = list(team_of_twenty(demo, client).values())
    for _round in range(3):
        order = demo.order_at("dispatched")
        base = f"{live_server}/api/v1/orders/{order['id']}"
        calls = [("POST", f"{base}/accept", {"headers": h, "json": {}}) for h in members[:12]]
        calls += [("POST", f"{base}/decline", {"headers": h, "json": {"reason": "没空"}}) for h in members[12:19]]
        calls += [("POST", f"{base}/cancel", {"headers": demo.headers("resident"), "json": {}})]
        responses = fire(calls)
        won = [call[1].rsplit("/", 1)[1] for call, r in zip(calls, responses) if r.status_code == 200]
        # One of accept / decline / cancel moves the dispatched order; only a decline (back to 待派单,
        # out of the team's sight: 404 for the others) leaves the requester's cancel still possible.
        assert won in (["accept"], ["decline"], ["cancel"], ["decline", "cancel"]), won
        assert {r.status_code for r in responses} - {200} <= {404, 409}
        events = events_of(app, order["id"])
        assert sorted(events[2:]) == sorted(won) and events[:2] == ["create", "dispatch"]
        with app.app_context():
            stored = db.session.get(Order, order["id"])
            final = {"accept": "accepted", "decline": "ordered", "cancel": "cancelled"}[events[-1]]
            assert (stored.status, stored.version) == (final, len(events))


def test_accept_and_redispatch_race(demo, client, app, live_server):
    """When members accept while staff redispatch (改派) to another team, does exactly one of them win, the other
    getting 409 (or 404: a member whose team lost the order), with one event and one version step?"""
    members = list(team_of_twenty(demo, client).values())
    town = client.post("/api/v1/teams", json={"name": "城关镇志愿服务总队", "area_id": demo.town},
                       headers=demo.headers("admin")).get_json()["id"]
    winners = set()
    for _round in range(6):
        order = demo.order_at("dispatched")
        base = f"{live_server}/api/v1/orders/{order['id']}"
        calls = [("POST", f"{base}/accept", {"headers": h, "json": {}}) for h in members[:2]]
        calls.insert(1, ("POST", f"{base}/dispatch", {"headers": demo.headers("staff_sy"), "json": {"team_id": town}}))
        responses = fire(calls)
        won = [call[1].rsplit("/", 1)[1] for call, r in zip(calls, responses) if r.status_code == 200]
        assert won in (["accept"], ["dispatch"]), [(c[1], r.status_code, r.text[:80]) for c, r in zip(calls, responses)]
        losers = {r.status_code for r in responses if r.status_code != 200}
        assert losers <= {404, 409}, [r.text for r in responses]
        assert {r.json()["code"] for r in responses if r.status_code == 409} <= {"invalid_transition"}
        events = events_of(app, order["id"])
        assert events == ["create", "dispatch", won[0]]
        with app.app_context():
            stored = db.session.get(Order, order["id"])
            expected = ("accepted", demo.team_sy) if won == ["accept"] else ("dispatched", town)
            assert (stored.status, stored.team_id, stored.version) == (*expected, 3)
        winners.add(won[0])
    print("accept/redispatch winners:", winners)


# --- Idempotency-Key on POST /orders -----------------------------------------------------------------

def post_order(client, demo, body, key, who="resident"):
    return client.post("/api/v1/orders", json=body, headers={**demo.headers(who), "Idempotency-Key": key})


def count_orders(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Order))


def test_same_key_and_body_return_the_same_order(demo, client, app):
    """Does repeating a key with the same body answer 200 with the first order, making nothing new?"""
    body = demo.order_body()
    first = post_order(client, demo, body, "retry-1")
    again = post_order(client, demo, dict(reversed(list(body.items()))), "retry-1")  # same body, other key order
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count_orders(app) == 1
    assert events_of(app, first.get_json()["id"]) == ["create"]
    # Another key, or no key, is another order; the same key from another user is theirs alone.
    assert post_order(client, demo, body, "retry-2").status_code == 201
    assert client.post("/api/v1/orders", json=body, headers=demo.headers("resident")).status_code == 201
    assert post_order(client, demo, body, "retry-1", who="resident2").status_code == 201
    assert count_orders(app) == 4


def test_same_key_with_another_body_is_422(demo, client, app):
    """Is a key reused with a different body refused with 422 on the Idempotency-Key, making nothing?"""
    assert post_order(client, demo, demo.order_body(), "k-1").status_code == 201
    response = post_order(client, demo, demo.order_body(description="另一件事情需要帮忙"), "k-1")
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert count_orders(app) == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "密钥", "a\tb"])
def test_bad_idempotency_keys(demo, client, app, key):
    """Is an empty, overlong or non-ASCII Idempotency-Key a 422 that makes no order?"""
    response = client.post("/api/v1/orders", json=demo.order_body(),
                           headers={**demo.headers("resident"), "Idempotency-Key": key.encode().decode("latin-1")})
    assert response.status_code == 422
    assert count_orders(app) == 0


def test_concurrent_duplicates_make_one_order(demo, client, app, live_server):
    """Do 10 simultaneous requests with one key and body make exactly one order, all answering with it?"""
    body = demo.order_body()
    headers = {**demo.headers("resident"), "Idempotency-Key": "double-tap-1"}
    responses = fire([("POST", f"{live_server}/api/v1/orders", {"headers": headers, "json": body})] * 10)
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, [r.text for r in responses]
    ids = {r.json()["id"] for r in responses if r.status_code in (200, 201)}
    assert len(ids) == 1
    assert count_orders(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
    assert events_of(app, ids.pop()) == ["create"]
