"""Scale: `flask gen-data` builds a realistic data set, and the list and figure queries use their indexes.

The timing at 1M orders is bench/scale.py's (minutes); here the data is small and the database's own
plan (EXPLAIN QUERY PLAN on SQLite; EXPLAIN with sequential scans priced out on PostgreSQL) shows
which access path the main queries take.
"""
import re
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from app.calls.models import Call, CallSignup
from app.extensions import db
from app.orders.models import Order, OrderEvent, OrderStatus, Rating
from app.orders.transitions import RULES
from app.points.models import PointsEntry
from app.users.models import RoleGrant, User
from tests.conftest import is_postgres

GENERATED_ORDERS = 1000


@pytest.fixture
def generated(app, runner):
    """The demo world plus a generated year of orders (through the CLI)."""
    assert runner.invoke(args=["seed-demo", "--no-history"]).exit_code == 0  # gen-data's orders only
    result = runner.invoke(args=["gen-data", "--orders", str(GENERATED_ORDERS), "--communities", "4"])
    assert result.exit_code == 0, result.output
    return app


def token_for(app, user_id: int) -> dict:
    from app.auth.tokens import issue_token

    with app.app_context():
        return {"Authorization": f"Bearer {issue_token(db.session.get(User, user_id))[0]}"}


def test_gen_data_builds_a_year_of_orders_in_every_status(generated):
    """Does gen-data add orders in every status, spread over a year, each with a consistent timeline whose every
    move the transitions table allows?"""
    with generated.app_context():
        orders = db.session.scalars(select(Order).order_by(Order.id)).all()
        assert len(orders) == GENERATED_ORDERS
        assert set(Counter(o.status for o in orders)) == set(OrderStatus)
        created = [o.created_at for o in orders]
        assert created == sorted(created), "ids follow creation time"
        assert (created[-1] - created[0]).days >= 330
        events = db.session.execute(select(OrderEvent.order_id, OrderEvent.action, OrderEvent.from_status,
                                           OrderEvent.to_status).order_by(OrderEvent.id)).all()
        timeline: dict[int, list] = {}
        for order_id, action, from_status, to_status in events:
            timeline.setdefault(order_id, []).append((action, from_status, to_status))
        allowed = {(r.action, source, str(r.target or source)) for r in RULES for source in r.sources}
        for order in orders:
            steps = timeline[order.id]
            assert steps[0] == ("create", None, OrderStatus.ORDERED)
            for (_, _, before), (_, after_from, _) in zip(steps, steps[1:]):
                assert after_from == before, (order.id, steps)
            # Every move of every generated history is one the transitions table allows.
            assert not set(steps[1:]) - allowed, (order.id, steps)
            assert steps[-1][2] == order.status, "the status replays from the events"
            assert order.version == len(steps)
        rated = {o.id for o in orders if o.status == OrderStatus.RATED}
        assert set(db.session.scalars(select(Rating.order_id))) == rated
        assert db.session.scalar(select(func.count()).select_from(RoleGrant)) > 6
        # 吹哨 and activities: places within the quota, points for each confirmed check-in, Party units.
        calls = db.session.scalars(select(Call)).all()
        assert {c.kind for c in calls} == {"call", "activity"} and len(calls) >= 8
        taken = dict(db.session.execute(select(CallSignup.call_id, func.count()).group_by(CallSignup.call_id)).all())
        assert all(taken.get(c.id, 0) == c.signup_count <= c.quota for c in calls)
        confirmed = db.session.scalar(select(func.count()).select_from(CallSignup).where(CallSignup.status == "confirmed"))
        awarded = db.session.scalar(select(func.count()).select_from(PointsEntry).where(PointsEntry.reason == "call_checkin"))
        assert confirmed == awarded > 0
        assert db.session.scalar(select(func.count(func.distinct(User.work_unit))).where(
            User.is_party_member.is_(True), User.work_unit != "")) > 3


def test_generated_orders_are_served_by_the_api(generated, client):
    """Can a generated community's staff list, page and open their orders?"""
    with generated.app_context():
        staff_id = db.session.scalar(select(RoleGrant.user_id).where(RoleGrant.role == "staff")
                                     .order_by(RoleGrant.id.desc()))
    headers = token_for(generated, staff_id)
    first = client.get("/api/v1/orders?limit=20", headers=headers).get_json()
    assert len(first["items"]) == 20 and first["next_cursor"]
    second = client.get(f"/api/v1/orders?limit=20&cursor={first['next_cursor']}", headers=headers).get_json()
    assert second["items"][0]["id"] < first["items"][-1]["id"]
    detail = client.get(f"/api/v1/orders/{first['items'][0]['id']}", headers=headers)
    assert detail.status_code == 200 and detail.get_json()["events"][0]["action"] == "create"


@contextmanager
def captured_statements(app, table: str = "orders"):
    """(statement, parameters) of every SELECT on `table` run inside the block."""
    found: list[tuple] = []

    def grab(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("SELECT") and re.search(rf"\b(FROM|JOIN) ({table})\b", statement):
            found.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def plan_of(app, statement: str, parameters) -> str:
    """The database's plan for a statement, as text."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if is_postgres(str(db.engine.url)):
                # Tiny tables: make the planner show the index it would use, not a scan or a merge over a key.
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("SET enable_mergejoin = off")
                cursor.execute("ANALYZE")
                cursor.execute("EXPLAIN " + statement, parameters)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
        finally:
            raw.rollback()
            raw.close()


def assert_orders_read_by_index(plan: str) -> None:
    postgres_full = re.findall(r"Seq Scan on orders", plan)
    sqlite_full = [line for line in plan.splitlines() if re.search(r"\bSCAN orders\b", line)
                   and "USING" not in line]
    assert not postgres_full and not sqlite_full, plan
    assert re.search(r"Index (Only )?Scan (Backward )?using (ix_orders|pk_orders)|Bitmap Index Scan on ix_orders|"
                     r"USING (COVERING )?INDEX ix_orders|USING INTEGER PRIMARY KEY", plan), plan


def persona_ids(app) -> dict:
    """A generated community's staff, one of its residents with orders, and a volunteer."""
    from app.teams.models import TeamMember

    with app.app_context():
        grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == "staff")
                                   .order_by(RoleGrant.id.desc())).first()
        resident = db.session.scalar(select(Order.requester_id).where(Order.area_id == grant.area_id)
                                     .order_by(Order.id.desc()).limit(1))
        volunteer = db.session.scalar(select(TeamMember.user_id).where(TeamMember.role == "member")
                                      .order_by(TeamMember.team_id.desc()).limit(1))
        return {"staff": grant.user_id, "resident": resident, "volunteer": volunteer}


@pytest.mark.parametrize("who", ["staff", "resident", "volunteer"])
def test_the_order_list_reads_orders_through_indexes(generated, client, who):
    """Does every part of GET /orders (first page, filtered, next page) reach orders through an index?"""
    headers = token_for(generated, persona_ids(generated)[who])
    first = client.get("/api/v1/orders?limit=20", headers=headers).get_json()
    cursor = first["next_cursor"] or "eyJpZCI6MTAwMDAwMH0"
    for query in ("limit=20", "limit=20&status=ordered,dispatched", f"limit=20&cursor={cursor}"):
        with captured_statements(generated) as statements:
            assert client.get(f"/api/v1/orders?{query}", headers=headers).status_code == 200
        assert statements
        for statement, parameters in statements:
            assert_orders_read_by_index(plan_of(generated, statement, parameters))


def test_an_order_and_its_timeline_are_read_by_primary_key_and_index(generated, client):
    """Does GET /orders/{id} read the order by its key and its events through their index?"""
    ids = persona_ids(generated)
    headers = token_for(generated, ids["staff"])
    order_id = client.get("/api/v1/orders?limit=1", headers=headers).get_json()["items"][0]["id"]
    with captured_statements(generated) as statements:
        assert client.get(f"/api/v1/orders/{order_id}", headers=headers).status_code == 200
    plan = plan_of(generated, *statements[-1])
    assert_orders_read_by_index(plan)
    assert re.search(r"ix_order_events_order|order_events.*(Index|INDEX)", plan), plan


def test_a_new_order_and_its_duplicates_are_read_through_indexes(generated, client):
    """Does POST /orders read the requester's latest likely duplicates (with the area and category, before the order
    is written) through an index?"""
    ids = persona_ids(generated)
    with generated.app_context():
        order = db.session.get(Order, db.session.scalar(select(func.max(Order.id)).where(
            Order.requester_id == ids["resident"])))
        body = {"category": order.category.code, "description": "需要陪同去县医院复查", "address": "小区3栋",
                "contact_name": "张大爷", "contact_phone": "13800001234", "area_id": order.area_id}
    with captured_statements(generated) as statements:
        response = client.post("/api/v1/orders", json=body, headers=token_for(generated, ids["resident"]))
        assert response.status_code == 201, response.get_json()
    plan = plan_of(generated, *next(s for s in statements if "duplicate_ids" in s[0]))
    assert_orders_read_by_index(plan)
    # The read of orders looks up by its index's condition: it does not walk a whole index.
    reads = [index for table, index, _ in table_accesses(plan) if table == "orders"]
    assert len(reads) == 1 and None not in reads, plan


def test_dispatch_suggestions_read_each_teams_recent_orders_by_index(generated, client):
    """Does a staff detail's ranking of teams (app/dispatch/ranking.py) read each team's load, response and
    ratings through ranges of indexes, never every order or rating?"""
    staff = persona_ids(generated)["staff"]
    headers = token_for(generated, staff)
    waiting = client.get("/api/v1/orders?limit=1&status=ordered", headers=headers).get_json()["items"]
    assert waiting, "gen-data leaves orders waiting for dispatch"
    with captured_statements(generated, "teams") as statements:
        detail = client.get(f"/api/v1/orders/{waiting[0]['id']}", headers=headers).get_json()
    assert detail["dispatch_teams"]
    plan = plan_of(generated, *statements[-1])
    assert "ix_orders_team_accepted" in plan and "ix_orders_team_rated" in plan, plan
    assert not re.search(r"Seq Scan on (orders|ratings)|\bSCAN (orders|ratings)\b(?! USING)", plan), plan
    assert "ix_orders_team_in_hand" in plan, plan  # a team's load: its orders in hand only (a partial index)


# The indexes each table of the figures may be read through; a primary key only to look up single rows.
# Areas are not checked: a scope's subtree is found by path prefix (LIKE), over the area tree, which has
# thousands of rows in a city where orders have millions.
FIGURE_INDEXES = {
    "orders": {"ix_orders_area_created", "ix_orders_area_status", "ix_orders_assignee_completed",
               "ix_orders_status_due", "ix_orders_open_due"},
    "order_responses": {"ix_order_responses_minute"},
    "ratings": {"ix_ratings_order_stars"},
    "points_entries": {"ix_points_entries_area_created"},
    "users": {"ix_users_party_home", "ix_users_home_area_id"},
    "call_signups": {"ix_call_signups_confirmed", "ix_call_signups_user"},
}
PG_ACCESS = re.compile(r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)(?: Backward)?"
                       r"(?: using (\w+))? on (\w+).*?rows=(\d+)")
PG_BITMAP = re.compile(r"Bitmap Index Scan on (\w+)")
SQLITE_ACCESS = re.compile(r"\b(SCAN|SEARCH) (\w+)(?: USING (?:COVERING )?INDEX (\w+)| USING (INTEGER PRIMARY KEY))?")


def table_accesses(plan: str) -> list[tuple[str, str | None, bool]]:
    """(table, index or None for a full scan or a walk of a whole index, whether it looks up single rows) of
    every table read in a plan. On PostgreSQL an index scan without an Index Cond walks the whole index."""
    found = []
    lines = plan.splitlines()
    for number, line in enumerate(lines):
        if (match := PG_ACCESS.search(line)) and match.group(1) != "Bitmap Heap Scan":
            kind, index, table, rows = match.groups()
            found.append((table, index if kind != "Seq Scan" and _has_index_cond(lines, number) else None,
                          rows == "1"))
        elif match := PG_BITMAP.search(line):
            index = match.group(1)
            table = next(t for t in FIGURE_INDEXES if index.startswith(f"ix_{t}") or index == f"pk_{t}")
            found.append((table, index if _has_index_cond(lines, number) else None, False))
        elif (match := SQLITE_ACCESS.search(line)) and match.group(2) in FIGURE_INDEXES:
            kind, table, index, rowid = match.groups()
            # SQLite: SEARCH uses the index's leading columns; SCAN … USING INDEX reads all of it.
            found.append((table, (index or ("pk" if rowid else None)) if kind == "SEARCH" else None, kind == "SEARCH"))
    return found


def _has_index_cond(lines: list[str], number: int) -> bool:
    """Does the plan node on this line carry an Index Cond (its detail lines, up to the next node)?"""
    for line in lines[number + 1:]:
        if "->" in line:
            return False
        if "Index Cond:" in line:
            return True
    return False


def assert_figures_use_their_indexes(plan: str) -> None:
    for table, index, lookup in table_accesses(plan):
        if table not in FIGURE_INDEXES:
            continue
        by_key = index in ("pk", f"pk_{table}") and lookup
        assert by_key or index in FIGURE_INDEXES[table], f"{table} read through {index or 'a full scan'}:\n{plan}"


@pytest.mark.parametrize("scope", ["community", "county"])
def test_the_figures_read_every_table_through_its_index(generated, client, scope):
    """Do the figures (summary, every breakdown, the monthly report) of a community and of the county read
    orders, ratings, points, Party members and sign-ups through the indexes meant for them, never a full scan?"""
    with generated.app_context():
        role = "staff" if scope == "community" else "admin"
        grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == role).order_by(RoleGrant.id.desc())).first()
    headers = token_for(generated, grant.user_id)
    paths = [f"/api/v1/stats/summary?area_id={grant.area_id}", f"/api/v1/stats/report?month=2025-06&area_id={grant.area_id}"]
    paths += [f"/api/v1/stats/breakdown?by={by}&area_id={grant.area_id}" for by in ("category", "team", "area", "day")]
    checked = set()
    for path in paths:
        with captured_statements(generated, table="|".join(FIGURE_INDEXES)) as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        for statement, parameters in statements:
            plan = plan_of(generated, statement, parameters)
            try:
                assert_figures_use_their_indexes(plan)
            except AssertionError as error:
                raise AssertionError(f"{path}\n{statement}\n{error}") from None
            checked.update(table for table, _, _ in table_accesses(plan))
    assert {"orders", "ratings", "points_entries", "users", "call_signups"} <= checked


def test_the_plan_reader_sees_a_full_scan():
    """Would the figures' plan check notice a full scan or a walk of a primary key (so it can fail)?"""
    with pytest.raises(AssertionError, match="orders read through a full scan"):
        assert_figures_use_their_indexes("Seq Scan on orders  (cost=0.00..10.50 rows=500 width=4)")
    with pytest.raises(AssertionError, match="users read through a full scan"):  # a walk of the whole key
        assert_figures_use_their_indexes("Index Scan using pk_users on users users_2  (cost=0.15..19.26 rows=51 width=8)")
    with pytest.raises(AssertionError, match="users read through a full scan"):
        assert_figures_use_their_indexes("9 4 0 SCAN users")
    with pytest.raises(AssertionError, match="users read through a full scan"):
        assert_figures_use_their_indexes("49 42 0 SCAN users USING COVERING INDEX ix_users_party_home")
    with pytest.raises(AssertionError, match="call_signups read through a full scan"):
        assert_figures_use_their_indexes(
            "->  Index Scan using ix_call_signups_user on call_signups  (cost=0.12..8.15 rows=1 width=4)\n"
            "      Filter: ((status)::text = 'confirmed'::text)\n"
            "->  Index Scan using pk_users on users users_3  (cost=0.15..8.17 rows=1 width=8)\n"
            "      Index Cond: (id = call_signups.user_id)")
    assert_figures_use_their_indexes("Index Scan using pk_users on users  (cost=0.15..8.17 rows=1 width=207)\n"
                                     "  Index Cond: (id = 3)\n"
                                     "38 0 0 SEARCH ratings USING COVERING INDEX ix_ratings_order_stars (order_id=?)")


def test_presented_orders_are_what_order_schema_declares(generated):
    """Is the presenter's body (sent as it is) what OrderSchema declares: every key declared, and marshmallow's
    dump of it (loaded back: times as datetimes) the same body, list, detail and a new order's answer?"""
    from app.auth.viewer import load_viewer
    from app.orders import service
    from app.orders.schemas import OrderPageSchema, OrderSchema

    def round_trip(schema, body):
        return schema.dump(schema.load(body))

    staff_id = persona_ids(generated)["staff"]
    with generated.test_request_context():
        user = db.session.get(User, staff_id)
        viewer = load_viewer(user.id, user.token_version)
        orders = service.list_orders(viewer, {"limit": 50}, None)
        page = {"items": service.present_orders(viewer, orders), "next_cursor": "abc"}
        assert round_trip(OrderPageSchema(), page) == page
        for order, item in zip(orders[:20], page["items"]):
            detail = service.order_detail(viewer, order.id)
            assert round_trip(OrderSchema(), detail) == detail
            # A new order's answer, built from what was written (queries.placed_row), is what the list shows of it.
            written = service.get_order(viewer, order.id)
            parent_name = written.area.parent.name if written.area.parent else None
            shown = {"parent_name": parent_name, "duplicate_ids": f"{order.id - 1}"}
            created = service.present_created(viewer, written, shown)
            assert round_trip(OrderSchema(), created) == created
            assert created.pop("possible_duplicates") == [order.id - 1] and created == item
