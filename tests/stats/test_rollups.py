"""The figures from the daily rollups (app/stats/rollups.py) equal the direct computation over the rows, to the
digit, on generated histories (app/gendata.py), on SQLite and PostgreSQL (TEST_DATABASE_URL): every area level,
whole years, months, odd days and periods cut to the minute, the median unrounded; and they stay equal as orders
move on, are rated, moved to another area, and points are spent.
"""
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.areas.models import Area
from app.extensions import db
from app.orders.models import Order, Rating
from app.points.models import PointsEntry
from app.stats import rollups, service
from app.stats.models import (FigureDay, FigureDayPoints, FigureMonth, FigureMonthPoints, OrderResponse, ResponseDay,
                              ResponseMonth, ServiceDay, ServiceMonth)
from tests.conftest import is_postgres

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 15, 10, 30, tzinfo=TZ)
ROLLUP_TABLES = (FigureDay, FigureMonth, FigureDayPoints, FigureMonthPoints, ResponseDay, ResponseMonth,
                 OrderResponse, ServiceDay, ServiceMonth)


@pytest.fixture
def generated(app, runner):
    clock.freeze(NOW)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["gen-data", "--orders", "2500", "--communities", "5", "--seed", "7"])
    assert result.exit_code == 0, result.output
    return app


def periods() -> list[service.Period]:
    at = lambda *a: datetime(*a, tzinfo=TZ)  # noqa: E731
    year = service.Period(at(2025, 3, 15), at(2026, 3, 16))
    return [
        year,  # whole days and months, today included (still open)
        service.month_period(2025, 11),
        service.Period(at(2025, 6, 3), at(2025, 9, 21)),  # days around whole months
        service.Period(at(2025, 12, 30), at(2026, 1, 2)),  # only days
        service.Period(at(2025, 7, 1, 13, 17), at(2025, 10, 9, 8, 5)),  # parts of days at both ends
        service.Period(at(2025, 8, 8, 9), at(2025, 8, 8, 18)),  # within one day
        service.Period(at(2026, 3, 15, 0, 0), at(2026, 3, 15, 10, 30)),  # today up to now
        service.Period(at(2020, 1, 1), at(2020, 2, 1)),  # empty
    ]


def scopes() -> list[service.Scope]:
    areas = db.session.scalars(select(Area).order_by(Area.id)).all()
    by_kind = {}
    for area in areas:
        by_kind.setdefault(area.kind, []).append(area)
    chosen = [(a,) for kind in ("county", "town", "community", "grid") for a in by_kind.get(kind, [])[:3]]
    if len(by_kind.get("community", [])) >= 2:
        chosen.append(tuple(by_kind["community"][:2]))  # a viewer granted on two communities
    return [service.Scope(roots) for roots in chosen]


def assert_same_figures() -> int:
    """Every scope and period: rolled up == direct, the median unrounded too. Returns how many compared."""
    compared = 0
    for scope in scopes():
        for period in periods():
            direct = service.summary(scope, period, direct=True)
            rolled = service.summary(scope, period)
            assert rolled == direct, (scope.name, period)
            cut = rollups.split(period.start, period.end, service.local_midnight, TZ)
            exact = service._rolled_up_median(scope, period, cut)
            expected = (service._postgres_medians if service._dialect() == "postgresql"
                        else service._sqlite_medians)(None, None, scope, period).get(None)
            assert exact == expected, (scope.name, period, exact, expected)
            compared += direct["received"]
            db.session.rollback()
    return compared


def rollup_rows() -> dict:
    """Every rollup table's rows, without their ids."""
    return {model.__tablename__: sorted(tuple(getattr(row, c.key) for c in model.__table__.columns if c.key != "id")
                                        for row in db.session.scalars(select(model)))
            for model in ROLLUP_TABLES}


def keys_with_several_rows() -> dict:
    """Per rollup table, how many keys have more than one row (none once folded)."""
    found = {}
    for table, (keys, _values) in rollups.TABLES.items():
        found[table] = db.session.execute(text(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} GROUP BY {', '.join(keys)} HAVING COUNT(*) > 1) several"
        )).scalar()
    return found


def change_many(orders_count: int = 400) -> None:
    """Orders accepted, completed, cancelled, moved to another area and day, declined back and credited to
    someone else; ratings deleted and changed; points earned and spent; due times moved by a bulk UPDATE."""
    orders = db.session.scalars(select(Order).order_by(Order.id).limit(orders_count)).all()
    grids = db.session.scalars(select(Area).where(Area.kind == "grid").order_by(Area.id)).all()
    now = clock.now()
    for n, order in enumerate(orders):
        if order.status in ("ordered", "dispatched") and n % 3 == 0:
            order.status, order.accepted_at = "accepted", order.created_at + timedelta(minutes=17 + n, seconds=n)
        elif order.status in ("accepted", "in_service") and n % 3 == 1:
            order.status, order.completed_at = "completed", order.created_at + timedelta(hours=n % 50)
        elif order.status == "ordered" and n % 3 == 2:
            order.status, order.cancelled_at = "cancelled", now
        elif n % 7 == 0:
            order.area_id = grids[n % len(grids)].id  # moved, with its rating if any
        elif n % 11 == 0:
            order.created_at = order.created_at - timedelta(days=1, minutes=3)
        elif order.accepted_at is not None and n % 13 == 0:
            order.accepted_at = None  # declined back
        elif order.status in ("completed", "rated") and n % 5 == 0:
            order.assignee_id = orders[0].requester_id  # credited to someone else
            order.completed_at = order.completed_at + timedelta(days=2)
    db.session.flush()
    rated = db.session.scalars(select(Rating).order_by(Rating.id).limit(60)).all()
    for n, rating in enumerate(rated):
        if n % 2:
            db.session.delete(rating)
        else:
            rating.stars = 1 + n % 5
    first = orders[0]
    db.session.add(PointsEntry(user_id=first.requester_id, area_id=first.area_id, amount=-30, reason="redeem",
                               created_at=now))
    db.session.add(PointsEntry(user_id=first.requester_id, area_id=first.area_id, amount=12, reason="order_rated",
                               order_id=first.id, created_at=now - timedelta(days=40)))
    db.session.execute(text("UPDATE orders SET due_at = created_at + interval '1 hour' WHERE id % 17 = 0")
                       if service._dialect() == "postgresql" else
                       text("UPDATE orders SET due_at = datetime(created_at, '+1 hour') || '.000000' "
                            "WHERE id % 17 = 0"))
    db.session.commit()


def assert_rows_as_rebuilt() -> None:
    """The rollups hold the rows a rebuild from scratch gives (zero rows aside, which a rebuild leaves out)."""
    kept = rollup_rows()
    rollups.rebuild(db.session.connection())
    rebuilt = rollup_rows()
    for table in kept:
        kept_rows = [row for row in kept[table] if not _all_zero(table, row)]
        assert kept_rows == [row for row in rebuilt[table] if not _all_zero(table, row)], table
    db.session.rollback()


def test_rollups_equal_the_direct_figures_on_a_generated_year(generated):
    """On a generated year (every status, ratings, points, calls), are the rolled-up figures of every area
    level and of periods of every shape equal to the direct computation, the median to the last bit?"""
    with generated.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) >= 2500
        assert db.session.scalar(select(func.count()).select_from(OrderResponse)) > 1000
        assert assert_same_figures() > 2500


def test_rollups_follow_every_change(generated):
    """After orders are accepted, completed, cancelled, moved to another area and day, rated and un-rated, and
    points are earned and spent (ORM and bulk UPDATE alike), are the figures still equal; and once the worker has
    folded the rows, one row per key, the same rows a rebuild from scratch gives, and the same figures?"""
    with generated.app_context():
        rollups.fold(db.session, from_start=True)  # what gen-data left (unfolded where its history ran the API)
        change_many()
        assert assert_same_figures() > 2500
        several = keys_with_several_rows()
        assert several["figure_days"] > 0 and several["response_days"] > 0, several  # the changes added rows
        assert rollups.fold(db.session) > 0
        assert keys_with_several_rows() == dict.fromkeys(rollups.TABLES, 0)
        assert assert_same_figures() > 2500
        assert rollups.fold(db.session) == 0  # nothing new since
        assert_rows_as_rebuilt()


def test_a_worker_pass_folds_the_rollups(generated, runner):
    """Does `flask worker --once` fold what the changes added, leaving one row per key and the same figures?"""
    with generated.app_context():
        change_many()
        assert sum(keys_with_several_rows().values()) > 0
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "'rollup_keys_folded': 0" not in result.output, result.output
    with generated.app_context():
        assert keys_with_several_rows() == dict.fromkeys(rollups.TABLES, 0)
        assert assert_same_figures() > 2500
        assert_rows_as_rebuilt()


@pytest.mark.skipif(not is_postgres(os.environ.get("TEST_DATABASE_URL", "")), reason="SQLite has one writer at a time")
def test_writers_of_one_area_and_day_do_not_wait_for_each_other(generated):
    """Two transactions changing orders of the same area and day: the second goes on while the first is still
    open (each adds rows of its own; with one shared row per key it would wait for the first's COMMIT), and a fold
    that runs meanwhile leaves the rows of the open one alone: the figures are right after both commit."""
    with generated.app_context():
        first, second = db.session.execute(text(
            "SELECT a.id, b.id FROM orders a JOIN orders b ON b.area_id = a.area_id AND b.id > a.id "
            "AND (b.created_at AT TIME ZONE 'Asia/Shanghai')::date = (a.created_at AT TIME ZONE 'Asia/Shanghai')::date "
            "ORDER BY a.id LIMIT 1")).one()
        db.session.rollback()
        later = text("UPDATE orders SET due_at = due_at + interval '1 hour' WHERE id = :id")  # on time or not
        with db.engine.connect() as one, db.engine.connect() as other:
            one.execute(later, {"id": first})
            other.execute(text("SET lock_timeout = '2s'"))
            other.execute(later, {"id": second})  # LockNotAvailable if it had to wait for `one`
            other.commit()
            assert rollups.fold(db.session, from_start=True) > 0  # `one`'s rows are not visible to it
            one.commit()
        assert assert_same_figures() > 2500
        rollups.fold(db.session)
        assert keys_with_several_rows() == dict.fromkeys(rollups.TABLES, 0)
        assert_rows_as_rebuilt()


def _all_zero(table: str, row: tuple) -> bool:
    if table in ("figure_days", "figure_months"):
        return not any(row[2:])
    if table in ("figure_day_points", "figure_month_points"):
        return row[3] == 0
    if table in ("service_days", "service_months"):
        return row[2] == 0
    if table in ("response_days", "response_months"):
        return row[3] == 0
    return False


def test_flask_rebuild_rollups(generated, runner):
    """Does `flask rebuild-rollups` rebuild them to the same figures?"""
    result = runner.invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0 and "rollups rebuilt" in result.output, result.output
    with generated.app_context():
        assert assert_same_figures() > 2500


def test_a_rolled_back_change_leaves_the_rollups_as_they_were(generated):
    """Does a change that is rolled back take its rollup change with it (same transaction)?"""
    with generated.app_context():
        before = rollup_rows()
        order = db.session.scalars(select(Order).where(Order.status == "ordered").order_by(Order.id)).first()
        order.status, order.cancelled_at = "cancelled", clock.now()
        db.session.flush()
        assert rollup_rows() != before
        db.session.rollback()
        assert rollup_rows() == before
