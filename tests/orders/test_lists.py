"""Lists: keyset pagination, filters, a fixed number of SQL statements per page, and an index for each list."""
import base64
import json

import pytest
import sqlalchemy as sa
from sqlalchemy import update

from app import clock
from app.extensions import db
from app.orders.models import Order
from tests.conftest import is_postgres


def page(client, headers, query=""):
    response = client.get(f"/api/v1/orders{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(client, headers, query=""):
    return [o["id"] for o in page(client, headers, query)["items"]]


def make_orders(demo, count, who="resident", **changes) -> list[int]:
    return [demo.create_order(who, **changes)["id"] for _ in range(count)]


def set_orders(app, order_ids, **values):
    """Move orders directly in the database (fast set-up for list tests, not a way to change orders)."""
    with app.app_context():
        db.session.execute(update(Order).where(Order.id.in_(order_ids)).values(**values))
        db.session.commit()


def test_keyset_pages_walk_every_order_once(demo, client):
    """Do pages of 7, following next_cursor, give every order once, newest first, ending with null?"""
    made = make_orders(demo, 20)
    headers = demo.headers("resident")
    seen, cursor, pages = [], None, 0
    while True:
        body = page(client, headers, "?limit=7" + (f"&cursor={cursor}" if cursor else ""))
        seen += [o["id"] for o in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(made, reverse=True)
    # An order created meanwhile does not shift the pages already read.
    first = page(client, headers, "?limit=7")
    make_orders(demo, 1)
    second = page(client, headers, f"?limit=7&cursor={first['next_cursor']}")
    assert [o["id"] for o in second["items"]] == sorted(made, reverse=True)[7:14]


def test_default_and_maximum_page_size(demo, client, app):
    """Is the default page 20 and the largest 50, with 51 or 0 refused?"""
    made = make_orders(demo, 3)
    many = make_orders(demo, 49)
    headers = demo.headers("resident")
    assert len(page(client, headers)["items"]) == 20
    full = page(client, headers, "?limit=50")
    assert len(full["items"]) == 50 and full["next_cursor"] is not None
    assert len(page(client, headers, f"?limit=50&cursor={full['next_cursor']}")["items"]) == len(made + many) - 50
    for bad in ("51", "0", "-1", "abc", "1.5"):
        response = client.get(f"/api/v1/orders?limit={bad}", headers=headers)
        assert response.status_code == 422 and "limit" in response.get_json()["errors"], bad


def test_filters(demo, client, app):
    """Do status, area, team, category and overdue filters each narrow the staff's list correctly?"""
    start = clock.now()
    clock.freeze(start)
    grids = client.get(f"/api/v1/areas?parent_id={demo.sy}").get_json()["items"]
    grid1 = grids[0]["id"]
    ordered = demo.create_order()
    in_grid = demo.create_order(area_id=grid1, category="repair", description="空调不制冷")
    dispatched = demo.order_at("dispatched")
    accepted = demo.order_at("accepted")
    completed = demo.order_at("completed")
    legal = demo.create_order(category="legal", description="咨询赡养纠纷")
    staff = demo.headers("staff_sy")

    assert ids(client, staff, "?status=ordered") == [legal["id"], in_grid["id"], ordered["id"]]
    assert ids(client, staff, "?status=dispatched,accepted") == [accepted["id"], dispatched["id"]]
    assert ids(client, staff, f"?area_id={grid1}") == [in_grid["id"]]
    assert len(ids(client, staff, f"?area_id={demo.sy}")) == 6
    assert ids(client, staff, f"?team_id={demo.team_sy}") == [completed["id"], accepted["id"], dispatched["id"]]
    assert ids(client, staff, "?category=repair") == [in_grid["id"]]
    assert ids(client, staff, "?category=legal&status=ordered") == [legal["id"]]

    clock.advance(hours=49)  # past the 48 h of 陪医, inside the 72 h of repairs and legal advice
    assert ids(client, staff, "?overdue=true") == [accepted["id"], dispatched["id"], ordered["id"]]
    assert ids(client, staff, "?overdue=false") == [legal["id"], completed["id"], in_grid["id"]]

    # Filters never widen the scope: staff of 青山 asking for 松阳 get nothing.
    assert ids(client, demo.headers("staff_qs"), f"?area_id={demo.sy}") == []
    assert ids(client, demo.headers("vol1"), f"?team_id={demo.team_qs}") == []


def test_views_split_a_volunteers_orders(demo, client):
    """Do view=requester, team and assigned separate what a volunteer placed, their team's and theirs to serve?"""
    own = demo.create_order("vol1")
    team = demo.order_at("dispatched")
    mine = demo.order_at("accepted")
    vol1 = demo.headers("vol1")
    assert ids(client, vol1, "?view=requester") == [own["id"]]
    assert ids(client, vol1, "?view=team") == [mine["id"], team["id"]]
    assert ids(client, vol1, "?view=assigned") == [mine["id"]]
    assert ids(client, vol1) == [mine["id"], team["id"], own["id"]]
    assert ids(client, demo.headers("staff_sy"), "?view=area") == [mine["id"], team["id"], own["id"]]


@pytest.mark.parametrize("who", ["resident", "vol1", "staff_sy", "admin", "grid_sy"])
def test_one_page_costs_the_same_statements_whatever_its_size(demo, client, app, count_statements, who):
    """Does a page of 1, 10 or 50 orders take the same number of SQL statements, for each kind of viewer?"""
    made = make_orders(demo, 51)
    set_orders(app, made, team_id=demo.team_sy, status="dispatched")
    headers = demo.headers(who)
    counts = {}
    for size in (1, 10, 50):
        for query in (f"?limit={size}", f"?limit={size}&status=dispatched&category=escort&overdue=false"
                                        f"&area_id={demo.sy}"):
            with count_statements() as statements:
                body = page(client, headers, query)
            assert len(body["items"]) == size and body["next_cursor"]
            counts[(size, query.count("&"))] = len(statements)
    assert len(set(counts.values())) <= 2, counts  # plain, and filtered (which looks up the category and area)
    assert counts[(1, 0)] == counts[(10, 0)] == counts[(50, 0)], counts
    assert counts[(1, 4)] == counts[(10, 4)] == counts[(50, 4)], counts
    assert counts[(50, 0)] <= 4, counts  # token's user and grants, memberships, the page itself


def test_rating_queue_costs_the_same_statements(demo, client, count_statements):
    """Does a page of 1 or 6 low ratings take the same number of SQL statements?"""
    for _ in range(7):
        order = demo.order_at("completed")
        demo.act(order["id"], "rate", "resident", {"stars": 1, "comment": "不满意"})
    headers = demo.headers("staff_sy")
    counts = []
    for size in (1, 6):
        with count_statements() as statements:
            body = client.get(f"/api/v1/ratings?limit={size}", headers=headers).get_json()
        assert len(body["items"]) == size and body["next_cursor"]
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_team_and_offering_lists_cost_the_same_statements(demo, client, count_statements):
    """Do pages of teams (from several areas) and of offerings take a fixed number of SQL statements?"""
    grids = client.get(f"/api/v1/areas?parent_id={demo.qs}").get_json()["items"]
    for index, area_id in enumerate([demo.town, demo.sy, demo.qs, grids[0]["id"], grids[1]["id"]]):
        made = client.post("/api/v1/teams", json={"name": f"新服务队{index}", "area_id": area_id,
                                                  "category_codes": ["other", "culture"]},
                           headers=demo.headers("admin"))
        assert made.status_code == 201
    for who in ("admin", "resident", None):
        headers = demo.headers(who) if who else {}
        counts = []
        for size in (1, 6):
            with count_statements() as statements:
                body = client.get(f"/api/v1/teams?limit={size}", headers=headers).get_json()
            assert len(body["items"]) == size
            counts.append(len(statements))
        assert counts[0] == counts[1], (who, counts)
    counts = []
    for size in (1, 4):
        with count_statements() as statements:
            body = client.get(f"/api/v1/offerings?limit={size}").get_json()
        assert len(body["items"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- an index for each list ----------------------------------------------------------------------

# The status at the end: a status filter is checked on the index entry (migration 0007).
LIST_INDEXES = {
    "requester": ["requester_id", "id", "status"],
    "created_by": ["created_by_id", "id", "status"],
    "assignee": ["assignee_id", "id", "status"],
    "team": ["team_id", "id", "status"],
    "area": ["area_id", "id"],
    "area and status": ["area_id", "status", "id"],
}


@pytest.mark.parametrize("columns", LIST_INDEXES.values(), ids=list(LIST_INDEXES))
def test_each_list_has_its_index(app, columns):
    """Does the model declare, and the database hold, an index leading with each list's column and id?"""
    declared = [[c.name for c in index.columns] for index in Order.__table__.indexes]
    assert columns in declared
    with app.app_context():
        present = [index["column_names"] for index in sa.inspect(db.engine).get_indexes("orders")]
    assert columns in present


def test_postgres_lists_need_no_full_scan(demo, app, database_url):
    """On PostgreSQL, are a resident's and a volunteer's lists found by index, never by walking all orders?"""
    if not is_postgres(database_url):
        pytest.skip("query plans are checked on PostgreSQL (TEST_DATABASE_URL)")
    from app.auth.viewer import load_viewer
    from app.orders.service import list_orders

    for who in ("resident", "vol1", "staff_sy"):
        with app.app_context():
            user_id = demo.user_ids[who]
            viewer = load_viewer(user_id, 1)
            captured = []

            def capture(conn, cursor, statement, parameters, context, executemany):
                if "FROM orders" in statement:
                    captured.append((statement, parameters))

            sa.event.listen(db.engine, "before_cursor_execute", capture)
            try:
                list_orders(viewer, {"limit": 20}, None)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", capture)
            statement, parameters = captured[0]
            conn = db.session.connection()
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            db.session.rollback()
        assert "Seq Scan on orders" not in plan, (who, plan)
        if who != "staff_sy":  # a community's orders are dense enough for staff to walk the id index
            assert "Index Scan Backward using pk_orders" not in plan, (who, plan)


@pytest.mark.parametrize("cursor", ["nonsense", "%%%", base64.urlsafe_b64encode(b"[1]").decode(),
                                    base64.urlsafe_b64encode(json.dumps({"id": "7"}).encode()).decode(),
                                    base64.urlsafe_b64encode(json.dumps({"id": 10 ** 30}).encode()).decode(),
                                    base64.urlsafe_b64encode(b"\xff\xfe").decode()])
def test_bad_cursor_is_422(demo, client, cursor):
    """Is a cursor that is not one of ours a 422 on `cursor`, never a 500?"""
    for path in ("/api/v1/orders", "/api/v1/ratings", "/api/v1/teams", "/api/v1/offerings"):
        response = client.get(f"{path}?cursor={cursor}", headers=demo.headers("staff_sy"))
        assert response.status_code == 422, (path, response.get_json())
        assert "cursor" in response.get_json()["errors"]
