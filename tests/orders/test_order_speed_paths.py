"""The fast paths of the order reads: statements built once, plans that hold for any value, reads without a
transaction on PostgreSQL, the presenter equal to marshmallow, and JSON equal whatever encodes it."""
import json
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.orders import queries
from app.orders.models import Order
from tests.conftest import is_postgres


def captured(app, call, marker="FROM orders"):
    """(statement, parameters) of every statement `call` runs that contains `marker`."""
    found = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if marker in statement:
            found.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return found


def test_a_page_statement_is_built_once_per_shape(demo, client):
    """Do two viewers with lists of the same shape (two residents) share one built statement?"""
    demo.create_order("resident")
    demo.create_order("resident2")
    queries.page_statement.cache_clear()
    for who in ("resident", "resident2", "resident"):
        assert client.get("/api/v1/orders?limit=5", headers=demo.headers(who)).status_code == 200
    info = queries.page_statement.cache_info()
    assert (info.misses, info.hits) == (1, 2), info


def test_each_part_of_a_page_is_one_value_on_its_index(demo, client, app):
    """Is every part of a page a range of one value ordered by its (column, id) index, so that any plan,
    even one made without the values, walks that index rather than every order?"""
    demo.order_at("dispatched")
    statements = captured(app, lambda: client.get("/api/v1/orders", headers=demo.headers("vol1")))
    statement = statements[0][0]
    for column in ("requester_id", "created_by_id", "assignee_id", "team_id"):
        assert re.search(rf"orders\.{column} >= \S+ AND orders\.{column} <= ", statement), (column, statement)
        assert f"ORDER BY orders.{column} DESC, orders.id DESC" in statement, (column, statement)


def literal(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "NULL"}[value]
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@pytest.mark.parametrize("who", ["resident", "vol1", "staff_sy", "grid_sy"])
def test_generic_plans_of_a_page_use_the_indexes(demo, client, app, database_url, who):
    """On PostgreSQL, does the plan a prepared page gets once PostgreSQL stops looking at the values (a generic
    plan) still read each part from its own index, never walking the primary key or scanning all orders?"""
    if not is_postgres(database_url):
        pytest.skip("generic plans are PostgreSQL's")
    for _ in range(3):
        demo.create_order("resident")
    demo.order_at("accepted")
    statement, parameters = captured(
        app, lambda: client.get("/api/v1/orders?limit=20", headers=demo.headers(who)))[-1]
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
    prepared = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", statement)
    with app.app_context():
        conn = db.session.connection()
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a few test orders: as with many
        conn.exec_driver_sql(f"PREPARE speed_page AS {prepared}")
        arguments = ", ".join(literal(parameters[name]) for name in names)
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN EXECUTE speed_page({arguments})"))
        conn.exec_driver_sql("DEALLOCATE speed_page")
        db.session.rollback()
    assert "Seq Scan on orders" not in plan, plan
    # The parts (orders_1, orders_2 …); the outer query may merge along the primary key.
    assert not re.search(r"using pk_orders on orders orders_\d", plan), plan


def test_order_reads_run_without_a_transaction_on_postgres(demo, client, app, database_url):
    """On PostgreSQL, do the list and one order run in autocommit (no BEGIN, no ROLLBACK, which would also
    make psycopg forget its prepared statements), while an action still runs in one transaction?"""
    if not is_postgres(database_url):
        pytest.skip("SQLite reads keep their deferred transaction")
    order = demo.create_order("resident")
    headers = demo.headers("resident")
    seen = []

    def record(conn, cursor, statement, *_args):
        if "orders" in statement:
            seen.append(conn.connection.dbapi_connection.autocommit)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        for path in ("/api/v1/orders", f"/api/v1/orders/{order['id']}"):
            seen.clear()
            assert client.get(path, headers=headers).status_code == 200
            assert seen and all(seen), (path, seen)
        seen.clear()
        assert client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers, json={}).status_code == 200
        assert seen and not any(seen), seen  # the connection went back to the pool with its transactions on
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_an_action_answers_with_what_it_committed(demo, client, app):
    """Does an action's answer, read inside its own transaction, show the new status, version and event, and
    is exactly that what a later read finds?"""
    order = demo.order_at("dispatched")
    accepted = demo.act(order["id"], "accept", "vol1")
    assert accepted["status"] == "accepted" and accepted["events"][-1]["action"] == "accept"
    later = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("vol1")).get_json()
    assert later == accepted
    with app.app_context():
        assert db.session.get(Order, order["id"]).version == accepted["version"]


def test_order_json_is_what_jsonify_would_send(demo, client, app):
    """Is an order's body (encoded by orjson) the same JSON, with the same keys in the same order, as Flask's
    jsonify makes of it, Chinese text included?"""
    order = demo.create_order("resident", description="独居老人需要买菜 \"引号\" \\ 与换行\n")
    response = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("resident"))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = json.loads(response.data)
    assert body["description"] == "独居老人需要买菜 \"引号\" \\ 与换行"
    with app.test_request_context():
        from flask import jsonify

        expected = jsonify(body).get_data()
    assert json.loads(expected) == body
    assert list(json.loads(response.data)) == list(json.loads(expected))  # keys sorted, as jsonify sorts them


def test_prepared_order_reads_outlive_other_reads_on_postgres(demo, client, app, database_url):
    """On PostgreSQL, do the order reads stay prepared on their connection across other requests that only read
    (a ROLLBACK would drop them: those end with COMMIT), while a read that follows a write rolls back as ever?"""
    if not is_postgres(database_url):
        pytest.skip("prepared statements are PostgreSQL's")
    order = demo.create_order("resident")
    headers = demo.headers("resident")
    for _ in range(2):
        assert client.get(f"/api/v1/orders/{order['id']}", headers=headers).status_code == 200
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        prepared = db.session.execute(
            sa.text("SELECT statement FROM pg_prepared_statements WHERE statement LIKE :like"),
            {"like": "%FROM orders%"}).scalars().all()
        db.session.rollback()
    assert prepared, "the order's statement was forgotten"
    # A request's transaction that wrote, then failed, still rolls back what it wrote.
    with app.test_request_context("/api/v1/orders", method="GET"):
        db.session.execute(sa.update(Order).where(Order.id == order["id"]).values(title="不应保存"))
        db.session.rollback()
    with app.app_context():
        assert db.session.get(Order, order["id"]).title != "不应保存"


def test_prepared_reads_use_generic_plans_and_leave_the_setting_alone(demo, client, app, database_url):
    """On PostgreSQL, is every execution of a prepared order read a generic plan (PostgreSQL would otherwise plan
    the first five afresh, and every one on a large table), with plan_cache_mode back to its default after?"""
    if not is_postgres(database_url):
        pytest.skip("prepared statements are PostgreSQL's")
    headers = demo.headers("staff_sy")
    for _ in range(8):
        assert client.get("/api/v1/orders?limit=20", headers=headers).status_code == 200
    with app.app_context():
        plans = db.session.execute(sa.text(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE :like"),
            {"like": "SELECT orders.id%"}).all()
        mode = db.session.execute(sa.text("SHOW plan_cache_mode")).scalar()
        db.session.rollback()
    assert plans and all(generic >= 8 and custom == 0 for generic, custom in plans), plans
    assert mode == "auto"
