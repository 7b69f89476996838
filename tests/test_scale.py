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

from app.extensions import db
from app.orders.models import Order, OrderEvent, OrderStatus, Rating
from app.users.models import RoleGrant, User
from tests.conftest import is_postgres

GENERATED_ORDERS = 1000


@pytest.fixture
def generated(app, runner):
    """The demo world plus a generated year of orders (through the CLI)."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["gen-data", "--orders", str(GENERATED_ORDERS), "--communities", "4"])
    assert result.exit_code == 0, result.output
    return app


def token_for(app, user_id: int) -> dict:
    from app.auth.tokens import issue_token

    with app.app_context():
        return {"Authorization": f"Bearer {issue_token(db.session.get(User, user_id))[0]}"}


def test_gen_data_builds_a_year_of_orders_in_every_status(generated):
    """Does gen-data add orders in every status, spread over a year, each with a consistent timeline?"""
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
        for order in orders:
            steps = timeline[order.id]
            assert steps[0][0] == "create"
            for (_, _, before), (_, after_from, _) in zip(steps, steps[1:]):
                assert after_from == before, (order.id, steps)
            assert steps[-1][2] == order.status, "the status replays from the events"
            assert order.version == len(steps)
        rated = {o.id for o in orders if o.status == OrderStatus.RATED}
        assert set(db.session.scalars(select(Rating.order_id))) == rated
        assert db.session.scalar(select(func.count()).select_from(RoleGrant)) > 6


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
        if statement.lstrip().upper().startswith("SELECT") and re.search(rf"\bFROM {table}\b", statement):
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
                cursor.execute("SET enable_seqscan = off")  # tiny tables: make the planner show the index it would use
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


def test_the_figures_read_orders_through_indexes(generated, client):
    """Do the figures of a community (GET /stats/summary) reach orders through an index?"""
    if "stats.stats_summary" not in generated.view_functions:
        pytest.skip("the figures (GET /stats/summary) are not part of this build")
    with generated.app_context():
        grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == "staff")
                                   .order_by(RoleGrant.id.desc())).first()
    headers = token_for(generated, grant.user_id)
    with captured_statements(generated) as statements:
        response = client.get(f"/api/v1/stats/summary?area_id={grant.area_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert statements
    for statement, parameters in statements:
        plan = plan_of(generated, statement, parameters)
        assert "Seq Scan on orders" not in plan, plan
        assert not [line for line in plan.splitlines() if re.search(r"\bSCAN orders\b", line) and "USING" not in line], plan


def test_the_compiled_dump_of_orders_equals_marshmallows(generated):
    """Does FastDumpSchema (the hot path's serializer) give exactly what marshmallow gives, list and detail?"""
    from marshmallow import Schema

    from app.auth.viewer import load_viewer
    from app.orders import service
    from app.orders.schemas import OrderPageSchema, OrderSchema

    staff_id = persona_ids(generated)["staff"]
    with generated.test_request_context():
        user = db.session.get(User, staff_id)
        viewer = load_viewer(user.id, user.token_version)
        # The presenter gives the body already dumped (JSON types) and the compiled dump passes it through;
        # it must equal marshmallow's dump of the same presentation with its times as datetimes.
        orders = service.list_orders(viewer, {"limit": 50}, None)
        page = {"items": service.present_orders(viewer, orders), "next_cursor": "abc"}
        raw = {"items": service.present_orders(viewer, orders, dumped=False), "next_cursor": "abc"}
        assert OrderPageSchema().dump(page) == Schema.dump(OrderPageSchema(), raw)
        for item, raw_item in zip(page["items"], raw["items"]):  # list items lack the detail's keys
            assert OrderSchema().dump(item) == Schema.dump(OrderSchema(), raw_item)
        for order in orders[:20]:
            detail = service.order_detail(viewer, order.id)
            assert OrderSchema().dump(detail) == Schema.dump(OrderSchema(), service.order_detail(
                viewer, order.id, dumped=False))
            # An order as the ORM loaded it (after an action, on creation) is presented the same way.
            orm = service.get_order(viewer, order.id, detail=True)
            assert service.present_order(viewer, orm, detail=True) == detail
            assert OrderSchema().dump(service.present_order(viewer, orm)) == page["items"][orders.index(order)]
