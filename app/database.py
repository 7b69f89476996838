"""The database settings of the app's engines, attached in `init_app`.

SQLite gets WAL, a busy timeout and foreign keys on every connection. SQLite has one writer at a time, so how
long a request holds the write lock bounds the rate of all writes. A writing request (POST, PATCH, …) therefore
reads without a transaction, each statement its own snapshot, and opens its transaction with BEGIN IMMEDIATE
at its first write (a flush, an INSERT/UPDATE/DELETE, a SAVEPOINT, a SELECT … FOR UPDATE): a deferred transaction
that reads and then writes can fail at once with "database is locked" when another writer committed in between,
whatever the busy timeout, while BEGIN IMMEDIATE makes writers queue. Its reads before that are what a
PostgreSQL transaction in READ COMMITTED sees; from its first write to its end it has the database to itself.

PostgreSQL (psycopg) prepares only the statements marked `execution_options(prepare=True)`: the
hot order reads, written so that a generic plan serves any value (app/orders/queries.py). psycopg
forgets every prepared statement at a ROLLBACK, and a transaction costs a BEGIN round trip, so:
- a request that reads (GET, HEAD, OPTIONS) runs its statements without a transaction, each its own
  snapshot; should it write after all (or stream a result, which needs a server-side cursor), BEGIN is sent
  first, and what it wrote is committed or rolled back as a request's transaction is; its own write apart from
  its reads (the access log, `commit_apart`) runs alone and commits by itself;
- a request commits once, at its end (`end_request_transaction`): operations flush and send their signals;
  a refusal rolls back what was written, and a transaction that wrote nothing ends with COMMIT, not
  ROLLBACK (same outcome).
Whether the session wrote is known from its own events (a flush, an INSERT/UPDATE/DELETE run through it),
never from the SQL text.
"""
from collections.abc import Callable

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.extensions import db

try:
    from psycopg import ServerCursor
except ImportError:  # an install without PostgreSQL's driver
    ServerCursor = None

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
GENERIC_PLANS, CHOSEN_PLANS = "SET plan_cache_mode = force_generic_plan", "RESET plan_cache_mode"
WROTE, READING = "wrote", "reading_without_transaction"
NO_BEGIN = "sqlite_no_begin"  # a connection option: SQLite's "begin" event sends nothing (reads without a transaction)


def init_app(app: Flask) -> None:
    """Attach the settings to every engine of this app, and the request's end to its session."""
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    for name, listener in (("after_transaction_end", _ended), ("before_flush", _flushing),
                           ("do_orm_execute", _executing)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
    app.after_request(end_request_transaction)
    app.teardown_request(end_reads_with_commit)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine, "before_cursor_execute", _lock_at_first_write)
    elif engine.dialect.driver == "psycopg":
        event.listen(engine, "connect", _configure_postgres)
        event.listen(engine, "do_execute", _prepared)
        event.listen(engine, "do_execute_no_params", _unprepared)


# --- SQLite ---------------------------------------------------------------------------------------

def _configure_sqlite(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # let the "begin" event below issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(conn):
    options = conn.get_execution_options()
    if options.get(NO_BEGIN):  # a writing request's reads; BEGIN IMMEDIATE comes at its first write
        return
    if options.get("read_only"):  # the replica's engine (app/replica.py)
        conn.exec_driver_sql("BEGIN")
        return
    # commit_apart's `writes_next` is for the next transaction only: a streamed export after its access-log entry
    # reads again in a plain BEGIN rather than holding the write lock while it streams.
    writes_next = has_request_context() and g.pop("writes_next", False)
    reading = has_request_context() and request.method in READ_METHODS and not writes_next
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _lock_at_first_write(conn, cursor, _statement, _parameters, context, _executemany) -> None:
    """A writing request's connection, reading without a transaction, takes the write lock just before its first
    statement that is not a plain SELECT (an INSERT, a SAVEPOINT, a SELECT … FOR UPDATE, any SQL text): BEGIN
    IMMEDIATE, sent on the DB-API connection. What a statement is comes from its compiled form, not its text."""
    if not conn.get_execution_options().get(NO_BEGIN) or cursor.connection.in_transaction:
        return
    if context.compiled is not None and _plain_select(context.compiled.statement):
        return
    cursor.connection.execute("BEGIN IMMEDIATE")


def _plain_select(statement) -> bool:
    """A SELECT that takes no row locks: anything else writes, or locks until the transaction ends."""
    return statement.is_select and getattr(statement, "_for_update_arg", None) is None


def commit_apart(statement, params: dict | list | None = None) -> None:
    """A reading request's own write (the log of who received an unmasked phone: app/privacy/access_log.py), in
    one statement committed at once, apart from what the request reads and before its answer leaves.

    On PostgreSQL a reading request has no transaction: the statement runs on its connection and commits by itself,
    one round trip. Otherwise (SQLite; a writing request) what the request read so far commits first (SQLite cannot
    turn a deferred read into a write once another writer has committed since it began) and the statement runs in a
    transaction of its own, which takes the write lock at BEGIN (`writes_next`, read by `_begin_sqlite`), and
    commits."""
    session = db.session()
    if session.info.get(READING) and session.get_bind().dialect.name == "postgresql":
        session.connection().execute(statement, params)  # Core, on the connection: no BEGIN is sent for it
        return
    _commit_keeping_loaded(session)
    if has_request_context():
        g.writes_next = True
    session.execute(statement, params)
    _commit_keeping_loaded(session)


def _commit_keeping_loaded(session: Session) -> None:
    """Commit without expiring what the request loaded (the viewer; a streamed answer goes on reading it)."""
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


# --- PostgreSQL: prepared statements and generic plans --------------------------------------------

def _configure_postgres(dbapi_connection, _record):
    """No JIT compilation. PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, whatever it will
    really take: a staff member's order detail ranks its teams with correlated counts the planner prices high,
    and compiling them took 29 ms of a statement that runs in 8. Every statement here is short."""
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.commit()


def _prepared(cursor, statement, parameters, context):
    """psycopg prepares a statement (plans it once, on the server) only when it asks with
    `execution_options(prepare=True)`, never for being repeated: a generic plan, made without the values,
    may suit a statement badly (a range of dates, a rare value).

    A statement marked `execution_options(generic_plan=True)` as well runs under plan_cache_mode =
    force_generic_plan, set and reset around it in one pipeline (one round trip). Left to choose, PostgreSQL
    compares the generic plan's estimate with the custom plans' and, on a large table, plans the order list of
    a community's staff or a volunteer afresh at every execution: at 1M orders 1.2–1.4 ms of planning for a
    statement that runs in 0.5 ms. Only statements that look rows up by keys are marked: a town's list (areas
    matched by path) needs the values, and its generic plan takes 29 ms at 1M orders instead of 4."""
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


def _unprepared(cursor, statement, context):
    if _client_cursor(cursor):
        cursor.execute(statement, prepare=bool(context.execution_options.get("prepare")))
        return True
    return None


def _client_cursor(cursor) -> bool:
    """A psycopg cursor that takes `prepare` (a server-side cursor, for streamed results, does not)."""
    return type(cursor).__module__.startswith("psycopg") and not isinstance(cursor, ServerCursor)


# --- the session: reads without a transaction, "this transaction wrote" ----------------------------

def _ended(session: Session, transaction) -> None:
    """The session's transaction ended (committed or rolled back): the next one has written nothing yet."""
    if transaction.parent is None:
        session.info[WROTE] = False


def _executing(state) -> None:
    """Before a statement runs through the session: a request's first statement takes a connection without a
    transaction when it reads (`_reads_without_transaction`); anything but a SELECT is a write, and so is a
    SELECT … FOR UPDATE (the row lock must last to the transaction's end; on SQLite, the write lock)."""
    session = state.session
    if _plain_select(state.statement):
        options = state.execution_options
        streamed = options.get("stream_results") or options.get("yield_per")  # a server-side cursor needs one
        if streamed:
            _begin(session)
        elif not session.in_transaction() and (dialect := _reads_without_transaction(session)):
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"} if dialect == "postgresql"
                               else {NO_BEGIN: True})
            session.info[READING] = True
        return
    _writing(session)


def _flushing(session: Session, _flush_context, _instances) -> None:
    """A flush with something to write (the session skips a flush that has nothing)."""
    _writing(session)


def _writing(session: Session) -> None:
    """The session writes: a reading request's connection begins a transaction first (once)."""
    _begin(session)
    session.info[WROTE] = True


def _begin(session: Session) -> None:
    """A reading request's connection, so far without a transaction, begins one (a write, a streamed read)."""
    if session.info.get(READING):
        session.info[READING] = False
        if session.get_bind().dialect.name != "sqlite":  # SQLite's comes just before the write: _lock_at_first_write
            session.connection().exec_driver_sql("BEGIN")


def _reads_without_transaction(session: Session) -> str | None:
    """The dialect's name when this request reads without a transaction until it writes: on PostgreSQL a reading
    request (no BEGIN round trip, and psycopg keeps its prepared statements); on SQLite a writing request (the write
    lock is taken at its first write, not its first statement). None otherwise."""
    if not has_request_context():
        return None
    dialect = session.get_bind().dialect
    if dialect.driver == "psycopg" and request.method in READ_METHODS:
        return dialect.name
    if dialect.name == "sqlite" and request.method not in READ_METHODS:
        return dialect.name
    return None


def end_request_transaction(response):
    """The one commit of a request (its operations only flush): an answer below 400 commits what the request
    did; a refusal rolls back what it wrote (a transaction that wrote nothing commits all the same)."""
    session = db.session()
    if session.in_transaction():
        if response.status_code < 400 or not session.info.get(WROTE):
            _commit_keeping_loaded(session)
        else:
            session.rollback()
    return response


def changed_one(statement, error: Exception | Callable[[], Exception]) -> None:
    """Run a conditional UPDATE that must change exactly one row (…WHERE status = …, version = …); `error`
    (a 409) if it changed none: the row moved meanwhile, the database settled the race. When which 409 depends
    on how the row is now (a call closed meanwhile, or full), `error` is a function called only after a miss,
    to read the row and return the error. Nothing is rolled back here: the refusal ends the request, whose
    transaction is then rolled back."""
    if db.session.execute(statement.execution_options(synchronize_session=False)).rowcount != 1:
        raise error() if callable(error) else error


def end_reads_with_commit(_exc=None) -> None:
    """After a request (also one that failed, or a streamed answer that read on), a transaction that wrote
    nothing commits (psycopg then keeps its prepared statements); one that wrote and was not committed is
    rolled back when the session is removed."""
    session = db.session()
    session.info.pop(READING, None)
    if session.in_transaction() and not session.info.get(WROTE):
        session.commit()
