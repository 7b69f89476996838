"""The database settings (app/database.py): attached to the app's engines only; "this transaction wrote" known
from the session's events; a reading request on PostgreSQL, and a writing request on SQLite, run without a
transaction until they write."""
import pytest
import sqlalchemy as sa

from app.database import WROTE
from app.extensions import db
from app.orders.models import Order
from tests.conftest import is_postgres


def test_settings_belong_to_the_app_engines_only(app, database_url):
    """Does the app's SQLite engine get foreign keys on, while an engine made elsewhere in the process keeps
    SQLite's defaults (no class-wide Engine hooks)?"""
    if is_postgres(database_url):
        pytest.skip("the per-connection PRAGMAs are SQLite's")
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.session.rollback()
    other = sa.create_engine("sqlite://")
    with other.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    other.dispose()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_session_knows_when_it_wrote(demo, app, method):
    """Is a transaction that only read marked as not having written, and one that flushed, ran an UPDATE or
    ran SQL text marked as having written?"""
    order_id = demo.create_order()["id"]
    writes = [lambda: setattr(db.session.get(Order, order_id), "title", "改过") or db.session.flush(),
              lambda: db.session.execute(sa.update(Order).where(Order.id == order_id).values(title="改过")),
              lambda: db.session.execute(sa.text("SELECT 1"))]
    for write in writes:
        with app.test_request_context("/api/v1/orders", method=method):
            db.session.execute(sa.select(Order.id).where(Order.id == order_id)).all()
            assert db.session.info.get(WROTE) in (False, None)
            write()
            assert db.session.info[WROTE] is True
            db.session.rollback()
    with app.app_context():
        assert db.session.get(Order, order_id).title != "改过"


def test_a_first_statement_that_writes_is_known(demo, app):
    """When a request's very first statement is a write and the request then fails, is the write rolled back
    at its end (not taken for a read-only transaction and committed)?"""
    from app.database import end_reads_with_commit

    order_id = demo.create_order()["id"]
    with app.test_request_context("/api/v1/orders", method="POST"):
        db.session.remove()
        db.session.execute(sa.update(Order).where(Order.id == order_id).values(title="不应保存"))
        assert db.session.info[WROTE] is True
        end_reads_with_commit(RuntimeError("failed"))
        db.session.remove()
    with app.app_context():
        assert db.session.get(Order, order_id).title != "不应保存"


def test_a_reading_request_that_writes_is_still_one_transaction(demo, app, database_url):
    """On PostgreSQL a GET reads without a transaction; does what it then writes still commit or roll back
    as one (BEGIN before its first write)?"""
    order_id = demo.create_order()["id"]
    for outcome, title in (("rollback", "不应保存"), ("commit", "已保存")):
        with app.test_request_context(f"/api/v1/orders/{order_id}", method="GET"):
            assert db.session.get(Order, order_id) is not None
            if is_postgres(database_url):
                assert db.session.connection().connection.dbapi_connection.autocommit is True
            db.session.execute(sa.update(Order).where(Order.id == order_id).values(title=title))
            db.session.execute(sa.update(Order).where(Order.id == order_id).values(version=Order.version + 1))
            getattr(db.session, outcome)()
            db.session.remove()
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.title, order.version) == ("已保存", 2)


def test_a_request_commits_once_at_its_end(demo, app, database_url):
    """Does what a view wrote (flushed, never committed by it) stand when the answer is a success, and is it
    rolled back when the answer is a refusal?"""
    from app import create_app
    from app.errors import Conflict

    order_id = demo.create_order()["id"]
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=app.config["UPLOAD_DIR"])

    def write(title: str, refuse: bool):
        db.session.execute(sa.update(Order).where(Order.id == order_id).values(title=title))
        if refuse:
            raise Conflict("测试")
        return {"ok": True}

    app.add_url_rule("/test/kept", "kept", lambda: write("已保存", False), methods=["POST"])
    app.add_url_rule("/test/refused", "refused", lambda: write("不应保存", True), methods=["POST"])
    client = app.test_client()
    assert client.post("/test/kept").status_code == 200
    assert client.post("/test/refused").status_code == 409
    with app.app_context():
        assert db.session.get(Order, order_id).title == "已保存"
        db.session.remove()
        db.engine.dispose()


def test_changed_one_refuses_a_moved_row(demo, app):
    """Does the one "conditional UPDATE, else 409" helper raise its error when no row matched, and change
    exactly the row otherwise?"""
    from app.database import changed_one
    from app.orders.transitions import InvalidTransition

    order_id = demo.create_order()["id"]
    with app.app_context():
        statement = sa.update(Order).where(Order.id == order_id, Order.status == "dispatched").values(title="x")
        with pytest.raises(InvalidTransition):
            changed_one(statement, InvalidTransition())
        changed_one(sa.update(Order).where(Order.id == order_id, Order.status == "ordered").values(title="x"),
                    InvalidTransition())
        assert db.session.get(Order, order_id).title == "x"
        db.session.rollback()


def test_changed_one_chooses_its_error_after_a_miss(demo, app):
    """Given a function for its error, does the helper call it only when no row matched (so a caller may read the
    row as it is now to choose its 409), and raise what it returns?"""
    from app.database import changed_one
    from app.errors import Conflict

    order_id = demo.create_order()["id"]
    chosen = []

    def refusal() -> Conflict:
        chosen.append(db.session.scalar(sa.select(Order.status).where(Order.id == order_id)))
        return Conflict(f"已是{chosen[-1]}")

    with app.app_context():
        changed_one(sa.update(Order).where(Order.id == order_id, Order.status == "ordered").values(title="x"),
                    refusal)
        assert chosen == []
        with pytest.raises(Conflict, match="已是ordered"):
            changed_one(sa.update(Order).where(Order.id == order_id, Order.status == "dispatched")
                        .values(title="y"), refusal)
        assert chosen == ["ordered"] and db.session.get(Order, order_id).title == "x"
        db.session.rollback()


def test_postgres_compiles_no_plans(app, database_url):
    """Is JIT compilation off on the app's PostgreSQL connections (a short statement priced high took 29 ms to
    compile and 8 to run)?"""
    if not is_postgres(database_url):
        pytest.skip("JIT is PostgreSQL's")
    with app.app_context():
        assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
        db.session.rollback()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_requests_own_write_commits_apart(demo, app, database_url, method):
    """Does commit_apart's row stand though the request then rolls back, with what it read still loaded and a
    streamed read after it working (a server-side cursor on PostgreSQL), also where a writing request reads
    without a transaction (SQLite)?"""
    from app.database import commit_apart
    from app.privacy.models import PiiAccess

    order_id = demo.create_order()["id"]
    with app.test_request_context(f"/api/v1/orders/{order_id}", method=method):
        order = db.session.get(Order, order_id)
        commit_apart(sa.insert(PiiAccess), {"at": order.created_at, "viewer_id": order.requester_id,
                                            "subject_user_id": order.requester_id, "order_id": order_id,
                                            "area_id": order.area_id, "what": "order_detail", "ip": ""})
        assert order.title  # still loaded: no expiry, no statement to reload it
        streamed = db.session.execute(sa.select(Order.id).where(Order.id == order_id)
                                      .execution_options(stream_results=True, yield_per=10))
        assert [row.id for row in streamed] == [order_id]
        db.session.rollback()
        db.session.remove()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PiiAccess)
                                 .where(PiiAccess.order_id == order_id)) == 1


def _another_writer(database_url: str) -> bool:
    """Whether another connection to the SQLite file can write at once (no busy wait): False while the write
    lock is held elsewhere."""
    import sqlite3

    other = sqlite3.connect(sa.engine.make_url(database_url).database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()


@pytest.mark.parametrize("first_write", ["update", "flush", "savepoint", "for_update"])
def test_sqlite_writing_request_takes_the_write_lock_at_its_first_write(demo, app, database_url, first_write):
    """On SQLite, does a writing request read without holding the write lock (another writer gets it at once),
    take it just before its first write (an UPDATE, a flush, a savepoint, a SELECT … FOR UPDATE), and keep
    everything it wrote in one transaction that rolls back whole?"""
    if is_postgres(database_url):
        pytest.skip("SQLite's write lock")
    order_id = demo.create_order()["id"]
    writes = {
        "update": lambda: db.session.execute(sa.update(Order).where(Order.id == order_id).values(title="不应保存")),
        "flush": lambda: setattr(db.session.get(Order, order_id), "title", "不应保存") or db.session.flush(),
        "savepoint": lambda: db.session.begin_nested() and db.session.get(Order, order_id),  # SAVEPOINT sent here
        "for_update": lambda: db.session.execute(sa.select(Order.id).where(Order.id == order_id).with_for_update()),
    }
    with app.test_request_context("/api/v1/orders", method="POST"):
        assert db.session.get(Order, order_id).version == 1
        assert db.session.connection().connection.dbapi_connection.in_transaction is False
        assert _another_writer(database_url)
        writes[first_write]()
        assert _another_writer(database_url) is False
        db.session.execute(sa.update(Order).where(Order.id == order_id).values(version=Order.version + 1))
        db.session.rollback()
        assert _another_writer(database_url)
        db.session.remove()
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.title, order.version) != ("不应保存", 2) and order.version == 1
