"""Reads that may go to a streaming replica (DESIGN §8 "Several machines").

With `DATABASE_REPLICA_URL` set, the views marked `@replica_reads` (figures, reports, exports, the Party
register) run every statement of their request on the replica's engine: the session's `get_bind` answers
with it (`ReplicaAwareSession`), whatever the model. The replica's connections are read-only
(`default_transaction_read_only`; SQLite: `query_only`) and the session refuses to flush while it reads
there, so nothing is ever written to it; the one write such a request makes, the access log of the personal
data it hands out (app/privacy/access_log.py), goes to the primary through `primary_session()`.

The replica is used only while it is reachable and lags at most `REPLICA_MAX_LAG_SECONDS` behind the
primary; otherwise the request reads from the primary and the log says why. Each process checks at most
every `REPLICA_CHECK_SECONDS` (a failed check too, so an unreachable replica costs one connect timeout
per interval, not one per request).
"""
import functools
import logging
import threading
import time
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy.orm import Session as Session_

log = logging.getLogger("app.replica")

REPLICA_KEY = "sqwd.replica_engine"  # in the request's environ: it outlives the app context of a streamed body
# Seconds the replica's replay is behind. 0 when it has replayed all it received (an idle primary sends
# nothing, so a quiet replica is not "late"), and on a database that is not in recovery (a primary, or the
# same database standing in for a replica in tests).
LAG_SQL = """
SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


class ReplicaAwareSession(Session):
    """Flask-SQLAlchemy's session; while a request reads on the replica, every statement goes there."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        replica = reading_replica()
        if bind is None and replica is not None:
            return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def reading_replica() -> "sa.engine.Engine | None":
    """The replica's engine while this request reads there."""
    return request.environ.get(REPLICA_KEY) if has_request_context() else None


@sa.event.listens_for(ReplicaAwareSession, "before_flush")
def _refuse_writes(_session, _context, _instances):
    if reading_replica() is not None:
        raise RuntimeError("a request reading on the replica tried to write")


class _State:
    """Per app and process: the replica's engine and the outcome of the last check."""

    def __init__(self, url: str, options: dict):
        self.url = url
        self.options = options
        self.engine: sa.engine.Engine | None = None
        self.checked_at = float("-inf")
        self.usable = False
        self.lock = threading.Lock()


def _state(app) -> "_State | None":
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return None
    state = app.extensions.get("sqwd_replica")
    if state is None or state.url != url:
        state = app.extensions["sqwd_replica"] = _State(url, dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})))
    return state


def _make_engine(state: _State) -> sa.engine.Engine:
    from app.database import configure_engine  # app.database imports the session, made with this module

    url = sa.engine.make_url(state.url)
    options = {**state.options}
    if url.get_backend_name() == "postgresql":
        options["connect_args"] = {**options.get("connect_args", {}), "connect_timeout": 2,
                                   "options": "-c default_transaction_read_only=on"}
        engine = sa.create_engine(url, **options)
        configure_engine(engine)  # app/database.py: prepared statements as on the primary
    else:
        engine = sa.create_engine(url, **options)
        configure_engine(engine)  # WAL, busy timeout; a read-only engine begins with a plain BEGIN

        @sa.event.listens_for(engine, "checkout")  # after the connect-time settings (journal_mode=WAL)
        def _query_only(dbapi_connection, _record, _proxy):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()
    return engine.execution_options(read_only=True)  # app/database.py: SQLite begins with a plain BEGIN


def measure_lag(engine: sa.engine.Engine) -> float:
    """Seconds the replica is behind (0 for SQLite)."""
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            conn.execute(sa.text("SELECT 1"))
            return 0.0
        return float(conn.execute(sa.text(LAG_SQL)).scalar() or 0)


def replica_engine(app=None) -> sa.engine.Engine | None:
    """The replica's engine when it may be read now; None: read the primary (and the log said why)."""
    app = app or current_app._get_current_object()
    state = _state(app)
    if state is None:
        return None
    interval = float(app.config.get("REPLICA_CHECK_SECONDS", 5))
    with state.lock:
        if time.monotonic() - state.checked_at < interval:
            return state.engine if state.usable else None
        state.checked_at = time.monotonic()
        limit = float(app.config.get("REPLICA_MAX_LAG_SECONDS", 30))
        try:
            if state.engine is None:
                state.engine = _make_engine(state)
            lag = measure_lag(state.engine)
        except Exception as error:  # unreachable, refused, wrong credentials: all mean "not now"
            state.usable = False
            log.warning("replica unreachable (%s): reading from the primary",
                        str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
            return None
        state.usable = lag <= limit
        if not state.usable:
            log.warning("replica lags %.1f s (more than REPLICA_MAX_LAG_SECONDS=%g): reading from the primary",
                        lag, limit)
            return None
        return state.engine


def use_replica() -> bool:
    """Read the rest of this request on the replica, if there is a usable one. Called before the request's
    first statement; a session already in a transaction stays where it is."""
    from app.extensions import db

    engine = replica_engine()
    if engine is None:
        return False
    session = db.session()
    if session.in_transaction():
        log.debug("a transaction is already open: this request reads from the primary")
        return False
    request.environ[REPLICA_KEY] = engine
    return True


def leave_replica() -> None:
    """Read the rest of this request on the primary. Requests need not call it: the choice lives in the
    request's environ and ends with it, after a streamed body too (Flask tears the app context, and with it
    the session, down before streaming, and the body's statements then open a new session)."""
    if has_request_context():
        request.environ.pop(REPLICA_KEY, None)


@contextmanager
def primary_session():
    """The session for a write a request must make even while it reads on the replica (the access log of
    personal data the figures' and the register's exports hand out): the request's own session normally; while
    it reads on the replica, a short session of its own on the primary (the caller commits it)."""
    from app.extensions import db

    if reading_replica() is None:
        yield db.session
        return
    session = Session_(bind=db.engine)
    try:
        yield session
    finally:
        session.close()


def replica_reads(view):
    """Mark a view that only reads (figures, reports, exports, the Party register): it reads on the replica
    when one is configured and usable. Put it right under `@blp.route`, so that the response is built
    (and streamed) before the request leaves the replica."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        use_replica()
        return view(*args, **kwargs)

    return wrapper


def dispose(app) -> None:
    state = app.extensions.pop("sqwd_replica", None)
    if state is not None and state.engine is not None:
        state.engine.dispose()
