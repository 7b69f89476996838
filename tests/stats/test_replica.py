"""DATABASE_REPLICA_URL (DESIGN §8): figures, reports, exports and the Party register read on the replica; an
unreachable or lagging replica sends them to the primary with a log line; nothing is ever written there.

The replica is simulated by a second URL to the suite's database (SQLite or TEST_DATABASE_URL): its engine is
a separate, read-only one, and the test counts the statements each engine ran.
"""
import logging
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app import create_app, replica
from app.extensions import db
from tests.stats.test_stats import MARCH, build_history

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
READS = [("/api/v1/stats/summary", MARCH), ("/api/v1/stats/breakdown", {"by": "area", **MARCH}),
         ("/api/v1/stats/report", {"month": "2024-03"}), ("/api/v1/stats/export", {"format": "csv", **MARCH}),
         ("/api/v1/party/members", {}), ("/api/v1/party/units", {}), ("/api/v1/party/summary", MARCH),
         ("/api/v1/party/members/export", {"format": "csv"})]


@pytest.fixture
def history(app, demo):
    return build_history(app, demo)


@contextmanager
def app_with_replica(app, database_url, replica_url):
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                       DATABASE_REPLICA_URL=replica_url, REPLICA_CHECK_SECONDS=0)
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        replica.dispose(other)


@contextmanager
def statements_on(engine):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def replica_url_of(database_url: str) -> str:
    """Another URL to the same database, so the replica's engine and pool are its own."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"{url.render_as_string()}?timeout=5"
    return url.update_query_dict({"application_name": "sqwd-replica-test"}).render_as_string(hide_password=False)


def test_figures_and_party_register_read_on_the_replica(app, client, demo, history, database_url):
    """Does every figure, report, export and Party register view run its statements on the replica's engine, with
    the same answer as without a replica, and touch the primary only to write the access log of the personal
    data it handed out?"""
    with app_with_replica(app, database_url, replica_url_of(database_url)) as other:
        reader = other.test_client()
        with other.app_context():
            primary_engine = db.engine
        engine = replica.replica_engine(other)
        assert engine is not None and engine is not primary_engine
        for path, params in READS:
            params = {"area_id": demo.sy, **params} if "party/members/" not in path else params
            expected = client.get(path, query_string=params, headers=demo.headers("staff_sy"))
            with statements_on(engine) as on_replica, statements_on(primary_engine) as on_primary:
                answered = reader.get(path, query_string=params, headers=demo.headers("staff_sy"))
            assert answered.status_code == 200, (path, answered.get_data(as_text=True)[:300])
            assert answered.get_data() == expected.get_data(), path
            assert on_replica, path
            writes = [s for s in on_primary if s.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]
            assert all(s.lstrip().upper().startswith("INSERT INTO PII_ACCESS") for s in writes), (path, writes)


def test_the_access_log_of_a_replica_read_is_written_on_the_primary(app, client, demo, history, database_url):
    """Does the register's export, read on the replica, still log whose phones it handed out (on the primary)?"""
    from app.privacy.models import PiiAccess

    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(PiiAccess))
    with app_with_replica(app, database_url, replica_url_of(database_url)) as other:
        reader = other.test_client()
        for path in ("/api/v1/stats/export?format=csv&from=2024-03-01&to=2024-04-01",
                     "/api/v1/party/members/export?format=csv"):
            response = reader.get(path, headers=demo.headers("staff_sy"))
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).select_from(PiiAccess))
    assert after > before


def test_other_requests_stay_on_the_primary(app, demo, history, database_url):
    """Does an order list (and a write) never touch the replica?"""
    with app_with_replica(app, database_url, replica_url_of(database_url)) as other:
        reader = other.test_client()
        engine = replica.replica_engine(other)
        with statements_on(engine) as on_replica:
            assert reader.get("/api/v1/orders", headers=demo.headers("staff_sy")).status_code == 200
            created = reader.post("/api/v1/orders", json=demo.order_body(), headers=demo.headers("resident"))
            assert created.status_code == 201, created.get_json()
        assert on_replica == []


def test_nothing_is_written_on_the_replica(app, demo, history, database_url):
    """While a request reads on the replica, does a flush fail, and does the replica's connection itself
    refuse a write?"""
    from app.areas.models import Area

    with app_with_replica(app, database_url, replica_url_of(database_url)) as other:
        with other.test_request_context("/api/v1/stats/summary"):
            assert replica.use_replica()
            area = db.session.get(Area, demo.sy)
            area.name = "改名"
            with pytest.raises(RuntimeError, match="replica"):
                db.session.flush()
            db.session.rollback()
            with pytest.raises(sa.exc.DBAPIError):
                db.session.execute(sa.text("UPDATE areas SET name = 'x' WHERE id = :id"), {"id": demo.sy})
            replica.leave_replica()
    with app.app_context():
        assert db.session.get(Area, demo.sy).name != "x"


def test_unreachable_replica_falls_back_to_the_primary(app, client, demo, history, database_url, caplog):
    """With the replica down, are the figures still served (from the primary), with a log line?"""
    with app_with_replica(app, database_url, UNREACHABLE) as other:
        reader = other.test_client()
        with caplog.at_level(logging.WARNING, logger="app.replica"):
            answered = reader.get("/api/v1/stats/summary", query_string={"area_id": demo.sy, **MARCH},
                                  headers=demo.headers("staff_sy"))
        assert answered.status_code == 200
        expected = client.get("/api/v1/stats/summary", query_string={"area_id": demo.sy, **MARCH},
                              headers=demo.headers("staff_sy"))
        assert answered.get_json() == expected.get_json()
        assert any("replica unreachable" in r.getMessage() and "primary" in r.getMessage() for r in caplog.records)


def test_lagging_replica_falls_back_to_the_primary(app, demo, history, database_url, caplog, monkeypatch):
    """With the replica more than REPLICA_MAX_LAG_SECONDS behind, do the figures come from the primary (log
    line), and from the replica again once it caught up?"""
    lag = {"seconds": 45.0}
    monkeypatch.setattr(replica, "measure_lag", lambda _engine: lag["seconds"])
    with app_with_replica(app, database_url, replica_url_of(database_url)) as other:
        reader = other.test_client()
        with other.app_context():
            primary_engine = db.engine
        params = {"area_id": demo.sy, **MARCH}
        with caplog.at_level(logging.WARNING, logger="app.replica"), statements_on(primary_engine) as on_primary:
            answered = reader.get("/api/v1/stats/summary", query_string=params, headers=demo.headers("staff_sy"))
        assert answered.status_code == 200 and answered.get_json()["received"] == 8
        assert on_primary
        assert any("replica lags 45.0 s" in r.getMessage() for r in caplog.records)
        lag["seconds"] = 2.0
        engine = replica.replica_engine(other)
        assert engine is not None
        with statements_on(engine) as on_replica, statements_on(primary_engine) as on_primary:
            assert reader.get("/api/v1/stats/summary", query_string=params,
                              headers=demo.headers("staff_sy")).get_json()["received"] == 8
        assert on_replica and not on_primary


def test_replica_lag_query_on_postgresql(app, database_url):
    """Does the lag query run on PostgreSQL (a database not in recovery lags 0 s)?"""
    from tests.conftest import is_postgres

    if not is_postgres(database_url):
        pytest.skip("PostgreSQL's replication functions")
    engine = sa.create_engine(database_url)
    try:
        assert replica.measure_lag(engine) == 0.0
    finally:
        engine.dispose()
