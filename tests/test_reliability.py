"""Reliability under gunicorn: mixed load, kill -9 of a worker, concurrent SQLite writers, backup and restore.

These are bench/drills.py's drills at a size that fits the suite (seconds each); `make drills` runs them
full size (10,000 requests at concurrency 32, 32 writers for 30 s, 100k orders dumped and restored).
Each runs on its own database: SQLite, or PostgreSQL when TEST_DATABASE_URL names one.
"""
import os
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import is_postgres

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import common  # noqa: E402
import drills  # noqa: E402

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
KIND = "postgresql" if is_postgres(TEST_URL) else "sqlite"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(autouse=True)
def postgres_next_to_the_suite(monkeypatch):
    """Drill databases live on the suite's PostgreSQL server, one set per xdist worker."""
    if KIND == "postgresql":
        monkeypatch.setattr(common, "PG_BASE", sa.engine.make_url(TEST_URL).set(database="postgres")
                            .render_as_string(hide_password=False))
    yield


def named(name: str) -> str:
    return f"{name}_{WORKER}"


def test_mixed_load_has_no_server_error_and_every_created_order_is_stored_with_its_events(tmp_path, monkeypatch):
    """Under 400 mixed requests at concurrency 16, is there no 5xx, and is every 201 in the database with its events?"""
    monkeypatch.setattr(drills, "prepare", _small_prepare)
    figures = drills.load_drill(KIND, tmp_path, total=400, concurrency=16, workers=3)
    assert figures["server_errors"] == 0 and figures["connection_errors"] == 0, figures
    assert figures["created"] > 100 and figures["by_kind"]["accept"].get("200", 0) > 30, figures
    assert figures["integrity"]["ok"], figures["integrity"]
    assert figures["tracebacks_in_log"] == 0


def test_killing_a_worker_during_load_leaves_no_partial_order(tmp_path, monkeypatch):
    """If a gunicorn worker is killed with SIGKILL mid-load, are there no 5xx, no partial orders, and a new worker?"""
    monkeypatch.setattr(drills, "prepare", _small_prepare)
    figures = drills.kill_drill(KIND, tmp_path, total=300, concurrency=12, kill_after=100, workers=3)
    assert figures["killed_worker"] and figures["master_alive"] and figures["workers_after"] == 3, figures
    assert figures["server_errors"] == 0 and figures["connection_errors"] <= 1, figures
    assert figures["integrity"]["ok"], figures["integrity"]


@pytest.mark.skipif(KIND != "sqlite", reason="concurrent writers on SQLite")
def test_concurrent_writers_on_sqlite_never_see_database_is_locked(tmp_path):
    """Do 16 writers (4 workers × 4 threads) creating and accepting orders for 4 s all succeed?"""
    figures = drills.writers_drill(tmp_path, writers=16, seconds=4, workers=4)
    assert figures["database_is_locked_in_log"] == 0 and not figures["client_errors"], figures
    assert set(figures["statuses"]) <= {"200", "201"}, figures
    assert figures["integrity"]["ok"], figures["integrity"]


@pytest.mark.skipif(KIND != "sqlite", reason="SQLite's online backup")
def test_sqlite_backup_while_writing_restores_identical_counts(tmp_path):
    """Is `flask backup` taken during writes consistent, and does a quiet one restore the same counts?"""
    figures = drills.backup_drill_sqlite(tmp_path, orders=300, online_seconds=2)
    assert figures["online_backup_integrity"]["ok"], figures
    assert figures["source"] == figures["restored"], figures


@pytest.mark.skipif(KIND != "postgresql", reason="pg_dump and pg_restore")
def test_pg_dump_backup_restores_into_a_new_database_with_identical_counts(tmp_path, monkeypatch):
    """Does `flask backup` (pg_dump) restore with pg_restore into a new database with the same counts and trigger?"""
    monkeypatch.setattr(drills, "prepare", _small_prepare)
    monkeypatch.setattr(common, "fresh_postgres", _suffixed(common.fresh_postgres))
    monkeypatch.setattr(common, "drop_postgres", _suffixed(common.drop_postgres))
    figures = drills.backup_drill_postgres(tmp_path, orders=300)
    assert figures["source"] == figures["restored"] and figures["source"]["orders"] > 300, figures
    assert figures["append_only_trigger_restored"], figures


def _suffixed(function):
    def call(name: str, *args, **kwargs):
        return function(name if name.endswith(WORKER) else named(name), *args, **kwargs)

    return call


_real_prepare = drills.prepare


def _small_prepare(kind, workdir, orders, backlog, name):
    """The drills' data at the suite's size, in this worker's own database."""
    return _real_prepare(kind, workdir, min(orders, 300), backlog, named(name))
