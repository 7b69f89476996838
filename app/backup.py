"""Backups: SQLite's online backup API, or pg_dump on PostgreSQL.

SQLite is copied through `sqlite3.Connection.backup` while the service keeps running (in WAL mode
readers and writers go on; the copy is a consistent snapshot). PostgreSQL is dumped
with `pg_dump --format=custom`, restored with `pg_restore` (see docs/deploy.md).
"""
import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from app.extensions import db


def libpq_url(url) -> str:
    """The libpq form of a SQLAlchemy URL (postgresql+psycopg://… → postgresql://…), without its password."""
    parsed = make_url(url)
    return URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query).render_as_string(hide_password=False)


def _run_libpq(args: list[str], url) -> None:
    """Run a PostgreSQL client with the password in PGPASSWORD, never on its command line (where `ps` shows it)."""
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    subprocess.run(args, check=True, env=env)


def backup_database(path: str | Path, url=None) -> Path:
    """Write a consistent copy of the database to `path`; returns the path."""
    url = make_url(url or db.engine.url)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("an in-memory SQLite database cannot be backed up")
        source = sqlite3.connect(url.database)
        destination = sqlite3.connect(target)
        try:
            with destination:
                # In one step: one read transaction, a consistent snapshot. In WAL mode writers go on
                # meanwhile. Copying in steps restarts whenever another process writes between steps,
                # and under steady writes it never finishes.
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run_libpq(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), libpq_url(url)], url)
    else:
        raise ValueError(f"no backup method for {url.get_backend_name()}")
    return target


def restore_postgres(dump: str | Path, url) -> None:
    """Restore a pg_dump archive into the (new, empty) database at `url`."""
    _run_libpq(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(url), str(dump)], url)
