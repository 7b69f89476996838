"""Per-connection database settings.

SQLite gets WAL, a busy timeout and foreign keys on every connection. Writing requests open
their transaction with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can
fail at once with "database is locked" when another writer committed in between, whatever the
busy timeout; taking the write lock up front makes writers queue instead.

PostgreSQL (psycopg) prepares only the statements marked `execution_options(prepare=True)`: the
hot order reads, written so that a generic plan serves any value (app/orders/queries.py). psycopg
forgets every prepared statement at a ROLLBACK, so a request's transaction that only read ends
with COMMIT instead: for a transaction that wrote nothing the outcome is the same.
"""
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

try:
    from psycopg import Error as PsycopgError
    from psycopg import ServerCursor
    from psycopg.pq import TransactionStatus
except ImportError:  # an install without PostgreSQL's driver
    PsycopgError = ServerCursor = TransactionStatus = None

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
GENERIC_PLANS, CHOSEN_PLANS = "SET plan_cache_mode = force_generic_plan", "RESET plan_cache_mode"


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "do_execute")
def _prepared(cursor, statement, parameters, context):
    """psycopg prepares a statement (plans it once, on the server) only when it asks with
    `execution_options(prepare=True)`, never for being repeated: a generic plan, made without the values,
    may suit a statement badly (a range of dates, a rare value).

    A statement marked `execution_options(generic_plan=True)` as well runs under plan_cache_mode =
    force_generic_plan, set and reset around it in one pipeline (one round trip). Left to choose, PostgreSQL
    compares the generic plan's estimate with the custom plans' and, on a large table, plans the order list of
    a community's staff or a volunteer afresh at every execution: at 1M orders 1.2–1.4 ms of planning for a
    statement that runs in 0.5 ms. Only statements that look rows up by keys are marked: a town's list (areas
    matched by path) needs the values, and its generic plan takes 29 ms at 1M orders instead of 4. The SET is
    transactional: if the statement fails, it is undone with it."""
    if not _client_cursor(cursor):
        return None
    options = context.execution_options
    if options.get("prepare") and options.get("generic_plan"):
        connection = cursor.connection
        with connection.pipeline():
            connection.execute(GENERIC_PLANS)
            cursor.execute(statement, parameters, prepare=True)
            connection.execute(CHOSEN_PLANS)
    else:
        cursor.execute(statement, parameters, prepare=bool(options.get("prepare")))
    return True


@event.listens_for(Engine, "do_execute_no_params")
def _unprepared(cursor, statement, context):
    if _client_cursor(cursor):
        cursor.execute(statement, prepare=bool(context.execution_options.get("prepare")))
        return True
    return None


def _client_cursor(cursor) -> bool:
    """A psycopg cursor that takes `prepare` (a server-side cursor, for streamed results, does not)."""
    return type(cursor).__module__.startswith("psycopg") and not isinstance(cursor, ServerCursor)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, *_args):
    if conn.dialect.name == "postgresql" and not statement.lstrip()[:6].upper() == "SELECT":
        conn.info["wrote"] = True


@event.listens_for(Engine, "rollback")
def _end_reads_with_commit(conn):
    """A request's transaction that ran only SELECTs commits rather than rolls back (psycopg then keeps its
    prepared statements). Outside requests (CLI, worker) and after any other statement: a real ROLLBACK."""
    if conn.dialect.name != "postgresql" or conn.info.get("wrote", True) or not conn.info.get("in_request"):
        return
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
        try:
            dbapi_connection.commit()  # the rollback that follows finds no transaction
        except PsycopgError:
            pass  # the rollback that follows deals with the connection


@event.listens_for(Engine, "begin")
def _begin(conn):
    if conn.dialect.name == "postgresql":
        # Begun while serving a request (it ends after the request context, at the app context's teardown).
        conn.info["wrote"], conn.info["in_request"] = False, has_request_context()
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get("read_only"):  # the replica's engine (app/replica.py)
        conn.exec_driver_sql("BEGIN")
        return
    # write_next() is for the next transaction only: a streamed export after its access-log entry reads again
    # in a plain BEGIN rather than holding the write lock while it streams.
    writes_next = has_request_context() and g.pop("writes_next", False)
    reading = has_request_context() and request.method in READ_METHODS and not writes_next
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def write_next() -> None:
    """A reading request's next transaction writes (the log of who saw an unmasked phone): on SQLite it
    begins with the write lock, as a writing request's does, so that it queues behind other writers."""
    if has_request_context():
        g.writes_next = True


def autocommit_reads() -> None:
    """Run this request's statements without a transaction, on PostgreSQL: for a request that only reads
    (the order list and detail), each statement is its own snapshot and nothing is lost.

    It saves the BEGIN and ROLLBACK round trips, and it keeps psycopg's prepared statements: psycopg drops
    them at every ROLLBACK, so a read that ends in one plans its statements afresh each time (the planning
    of an order page costs the server more than running it). Call it before the request's first statement.
    """
    from app.extensions import db

    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
