"""Per-connection database settings.

SQLite gets WAL, a busy timeout and foreign keys on every connection. Writing requests open
their transaction with BEGIN IMMEDIATE: a deferred transaction that reads and then writes can
fail at once with "database is locked" when another writer committed in between, whatever the
busy timeout; taking the write lock up front makes writers queue instead.
"""
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


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


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    reading = has_request_context() and request.method in READ_METHODS
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
