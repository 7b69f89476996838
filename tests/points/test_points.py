"""Points (积分激励): the append-only ledger, awards and reversals, my points and the leaderboard."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.orders.signals import order_changed
from app.points.models import PointsEntry
from app.points.service import period_start
from app.supervision.service import supervise

ESCORT, ELDERLY, BONUS = 20, 10, 5  # 陪医 and 助老 points; the bonus for 4 or 5 stars


def ledger(app, **where) -> list[tuple]:
    with app.app_context():
        query = select(PointsEntry.user_id, PointsEntry.amount, PointsEntry.reason).order_by(PointsEntry.id)
        for name, value in where.items():
            query = query.where(getattr(PointsEntry, name) == value)
        return [tuple(row) for row in db.session.execute(query)]


def balance(client, demo, who: str) -> int:
    body = client.get("/api/v1/me/points", headers=demo.headers(who)).get_json()
    assert body["balance"] == client.get("/api/v1/me", headers=demo.headers(who)).get_json()["points"]
    return body["balance"]


def rated_order(demo, stars: int, who: str = "resident", **changes) -> dict:
    order = demo.order_at("completed", who, **changes)
    return demo.act(order["id"], "rate", who, {"stars": stars})


@pytest.mark.parametrize(("stars", "expected"), [
    (5, [("order_rated", ESCORT), ("rating_bonus", BONUS)]),
    (4, [("order_rated", ESCORT), ("rating_bonus", BONUS)]),
    (3, [("order_rated", ESCORT)]),
    (1, [("order_rated", ESCORT)]),
])
def test_rating_awards_the_assignee(app, demo, client, stars, expected):
    """Does a rating give the assignee the category's points, plus a bonus for 4 or 5 stars?"""
    order = rated_order(demo, stars)

    vol1 = demo.user_ids["vol1"]
    assert ledger(app) == [(vol1, amount, reason) for reason, amount in expected]
    assert ledger(app, order_id=order["id"]) == ledger(app)
    assert balance(client, demo, "vol1") == sum(amount for _, amount in expected)
    assert balance(client, demo, "resident") == 0


def test_reopen_reverses_and_rerating_awards_again(app, demo, client):
    """Does a reopen append a reversing entry, and a new rating award again, the sum always right?"""
    order = rated_order(demo, 5)
    demo.act(order["id"], "reopen", "staff_sy", {"reason": "回访发现复查报告未取"})
    assert balance(client, demo, "vol1") == 0
    assert ledger(app)[-1] == (demo.user_ids["vol1"], -(ESCORT + BONUS), "order_reopened")

    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol2")
    demo.act(order["id"], "complete", "vol2", {"result": "已取回报告"})
    demo.act(order["id"], "rate", "resident", {"stars": 3})
    demo.act(order["id"], "reopen", "staff_sy", {"reason": "再次回访仍有问题"})

    vol1, vol2 = demo.user_ids["vol1"], demo.user_ids["vol2"]
    assert ledger(app) == [(vol1, ESCORT, "order_rated"), (vol1, BONUS, "rating_bonus"),
                           (vol1, -(ESCORT + BONUS), "order_reopened"),
                           (vol2, ESCORT, "order_rated"), (vol2, -ESCORT, "order_reopened")]
    assert balance(client, demo, "vol1") == balance(client, demo, "vol2") == 0


def test_no_points_for_serving_oneself(app, demo, client):
    """When the requester is also the assignee, is nothing awarded (nor reversed)?"""
    order = rated_order(demo, 5, who="vol1")
    demo.act(order["id"], "reopen", "staff_sy", {"reason": "核实"})

    assert ledger(app) == []
    assert balance(client, demo, "vol1") == 0


def test_closing_unrated_awards_without_bonus(app, demo, client):
    """Does an order closed unrated (by the system after 7 days) give the category's points, no bonus?"""
    clock.freeze(datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc))
    demo.order_at("completed")
    clock.advance(days=7)
    with app.app_context():
        assert supervise()["closed"] == 1

    assert ledger(app) == [(demo.user_ids["vol1"], ESCORT, "order_closed")]


def test_points_share_the_rating_transaction(app, demo, client):
    """When the rating's transaction fails, is no point left in the ledger?"""
    order = demo.order_at("completed")

    def explode(sender, **kwargs):
        raise RuntimeError("boom after the points were added")

    order_changed.connect(explode)
    try:
        response = client.post(f"/api/v1/orders/{order['id']}/rate", json={"stars": 5},
                               headers=demo.headers("resident"))
    finally:
        order_changed.disconnect(explode)
    assert response.status_code == 500
    assert ledger(app) == []


def test_my_points_page_by_keyset(app, demo, client, count_statements):
    """Are my entries newest first, by cursor, in the same few statements, with labels in Chinese?"""
    for stars in (5, 3, 4):
        rated_order(demo, stars)
    headers = demo.headers("vol1")
    pages, cursor, counts = [], None, []
    while True:
        with count_statements() as statements:
            body = client.get("/api/v1/me/points?limit=2" + (f"&cursor={cursor}" if cursor else ""),
                              headers=headers).get_json()
        counts.append(len(statements))
        pages.append(body["entries"])
        assert body["balance"] == 3 * ESCORT + 2 * BONUS
        cursor = body["next_cursor"]
        if not cursor:
            break
    entries = [entry for page in pages for entry in page]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [e["amount"] for e in entries] == [BONUS, ESCORT, ESCORT, BONUS, ESCORT]
    assert entries[0]["reason"] == "rating_bonus" and entries[0]["reason_label"] == "好评奖励"
    assert entries[0]["note"] == "陪医" and entries[0]["order_id"]
    assert len(set(counts)) == 1 and counts[0] <= 3
    assert client.get("/api/v1/me/points").status_code == 401


# --- the leaderboard ------------------------------------------------------------------------------------

def earn(demo, at: datetime, community: str = "sy", stars: int = 5) -> dict:
    """An order served and rated at a moment: vol1 in 松阳 (陪医), leader_qs in 青山 (助老)."""
    clock.freeze(at)
    demo._headers.clear()  # tokens made at another moment may have expired by this one
    if community == "sy":
        return rated_order(demo, stars)
    order = demo.create_order("resident_qs", area_id=demo.qs, category="elderly")
    demo.act(order["id"], "dispatch", "staff_qs", {"team_id": demo.team_qs})
    demo.act(order["id"], "accept", "leader_qs")
    demo.act(order["id"], "complete", "leader_qs", {"result": "已送餐"})
    return demo.act(order["id"], "rate", "resident_qs", {"stars": stars})


def board(client, demo, **query) -> list[tuple]:
    response = client.get("/api/v1/points/leaderboard", query_string=query, headers=demo.headers("resident"))
    assert response.status_code == 200, response.get_json()
    return [(item["nickname"], item["points"]) for item in response.get_json()["items"]]


def shanghai(*args) -> datetime:
    """A Shanghai wall-clock time as aware UTC."""
    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)


def test_leaderboard_by_area_and_period(app, demo, client):
    """Does the leaderboard sum points per user over an area's subtree and the Shanghai week/month/year?"""
    earn(demo, shanghai(2024, 12, 31, 23, 0))               # last year
    earn(demo, shanghai(2025, 2, 28, 23, 30), stars=3)      # February in Shanghai (still Feb in UTC)
    earn(demo, shanghai(2025, 3, 1, 0, 30))                 # March in Shanghai, February in UTC
    earn(demo, shanghai(2025, 3, 9, 23, 59), "qs")          # Sunday: last week
    earn(demo, shanghai(2025, 3, 10, 0, 1), "qs")           # Monday: this week
    clock.freeze(shanghai(2025, 3, 12, 12, 0))
    demo._headers.clear()
    vol1, leader_qs = "松阳志愿者一", "青山服务队队长"

    assert board(client, demo, period="all") == [(vol1, 3 * ESCORT + 2 * BONUS), (leader_qs, 2 * (ELDERLY + BONUS))]
    assert board(client, demo, period="year") == [(vol1, 2 * ESCORT + BONUS), (leader_qs, 2 * (ELDERLY + BONUS))]
    assert board(client, demo, period="month") == [(leader_qs, 2 * (ELDERLY + BONUS)), (vol1, ESCORT + BONUS)]
    assert board(client, demo, period="week") == [(leader_qs, ELDERLY + BONUS)]
    assert board(client, demo) == board(client, demo, period="month")  # the default
    assert board(client, demo, period="all", area_id=demo.sy) == [(vol1, 3 * ESCORT + 2 * BONUS)]
    assert board(client, demo, period="all", area_id=demo.qs) == [(leader_qs, 2 * (ELDERLY + BONUS))]
    assert board(client, demo, period="all", area_id=demo.town) == board(client, demo, period="all")


def test_leaderboard_counts_reversals_and_leaves_out_zero(app, demo, client):
    """Do reversals lower a user's total, and is a user left with nothing not listed?"""
    order = earn(demo, shanghai(2025, 3, 3, 10, 0))
    earn(demo, shanghai(2025, 3, 3, 11, 0), "qs")
    demo.act(order["id"], "reopen", "staff_sy", {"reason": "需求未解决"})

    assert board(client, demo, period="all") == [("青山服务队队长", ELDERLY + BONUS)]


def test_leaderboard_items_and_fixed_statements(app, demo, client, count_statements):
    """Is each item {rank, user_id, nickname, points}, aggregated in one SQL statement however many rows?"""
    clock.freeze(shanghai(2025, 3, 3, 10, 0))
    earn(demo, clock.now())
    with count_statements() as few:
        body = client.get("/api/v1/points/leaderboard?period=all&area_id=%d" % demo.sy,
                          headers=demo.headers("resident")).get_json()
    for _ in range(3):
        earn(demo, clock.now(), "qs")
    headers = demo.headers("resident")
    with count_statements() as more:
        client.get("/api/v1/points/leaderboard?period=all&area_id=%d" % demo.town, headers=headers)

    assert body["items"] == [{"rank": 1, "user_id": demo.user_ids["vol1"], "nickname": "松阳志愿者一",
                              "points": ESCORT + BONUS}]
    assert body["period"] == "all" and body["since"] is None and body["area_id"] == demo.sy
    assert len(few) == len(more) <= 3


@pytest.mark.parametrize("query", [{"period": "decade"}, {"area_id": 999999}, {"area_id": 2**40}, {"area_id": 0},
                                   {"limit": 0}, {"limit": 51}])
def test_leaderboard_refuses_bad_arguments(demo, client, query):
    """Are an unknown period, an unknown area or a bad limit field errors (422)?"""
    response = client.get("/api/v1/points/leaderboard", query_string=query, headers=demo.headers("resident"))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) <= {"period", "area_id", "limit"}


def test_leaderboard_needs_login(client):
    """Is the leaderboard for logged-in users only?"""
    assert client.get("/api/v1/points/leaderboard").status_code == 401


@pytest.mark.parametrize(("period", "now", "start"), [
    ("week", shanghai(2025, 3, 9, 23, 59), shanghai(2025, 3, 3)),
    ("week", shanghai(2025, 3, 10, 0, 0), shanghai(2025, 3, 10)),
    ("month", shanghai(2025, 3, 1, 0, 30), shanghai(2025, 3, 1)),
    ("year", shanghai(2025, 1, 1, 0, 0), shanghai(2025, 1, 1)),
    ("all", shanghai(2025, 1, 1, 0, 0), None),
])
def test_periods_start_in_shanghai(period, now, start):
    """Do the week (from Monday), month and year start at Shanghai midnight?"""
    assert period_start(period, now) == start


def test_ledger_is_a_sum(app, demo, client):
    """Is every balance the sum of its entries, whatever happened to the orders?"""
    for stars in (5, 2):
        rated_order(demo, stars)
    reopened = rated_order(demo, 4)
    demo.act(reopened["id"], "reopen", "staff_sy", {"reason": "核实"})

    with app.app_context():
        sums = {user_id: total for user_id, total in db.session.execute(
            select(PointsEntry.user_id, func.sum(PointsEntry.amount)).group_by(PointsEntry.user_id))}
    assert sums == {demo.user_ids["vol1"]: 2 * ESCORT + BONUS}
    assert balance(client, demo, "vol1") == 2 * ESCORT + BONUS
