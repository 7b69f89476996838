"""flask backup on SQLite: a consistent copy even while another connection keeps writing."""
import sqlite3
import threading

from app.backup import backup_database


def test_sqlite_backup_finishes_while_another_connection_keeps_writing(tmp_path):
    """Does a backup under a steady stream of writes finish with a consistent snapshot?

    A backup copied in steps restarts whenever another connection writes between its steps, so
    under steady writes it never finished (the bug this guards against); a one-step copy reads one
    snapshot while WAL lets the writer go on.
    """
    source = tmp_path / "live.db"
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
        conn.executemany("INSERT INTO t (payload) VALUES (?)", [("x" * 2000,)] * 20000)  # ~40 MB, many steps
    stop = threading.Event()
    written = []

    def keep_writing():
        writer = sqlite3.connect(source, timeout=30)
        while not stop.is_set():
            with writer:
                writer.execute("INSERT INTO t (payload) VALUES ('y')")
            written.append(1)
        writer.close()

    thread = threading.Thread(target=keep_writing, daemon=True)
    done = threading.Event()
    result = {}

    def run_backup():
        result["path"] = backup_database(tmp_path / "copy.db", f"sqlite:///{source}")
        done.set()

    thread.start()
    try:
        backup = threading.Thread(target=run_backup, daemon=True)
        backup.start()
        finished = done.wait(timeout=120)  # liveness, not speed: in steps it never finishes
    finally:
        stop.set()
        thread.join()
    assert finished, "the backup kept restarting under concurrent writes"
    assert written, "the writer never wrote during the backup"
    with sqlite3.connect(result["path"]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM t").fetchone()[0] >= 20000


def test_pg_dump_gets_the_password_from_the_environment_not_its_arguments(tmp_path, monkeypatch):
    """Does `flask backup` on PostgreSQL keep the password off pg_dump's command line (visible in `ps`)?"""
    import subprocess

    from app import backup

    seen = []
    monkeypatch.setattr(subprocess, "run", lambda args, check, env: seen.append((args, env)))
    backup.backup_database(tmp_path / "db.dump", "postgresql+psycopg://sqwd:s3cr%40t@db.internal:5432/sqwd")
    backup.restore_postgres(tmp_path / "db.dump", "postgresql+psycopg://sqwd:s3cr%40t@db.internal/sqwd_restore")
    for args, env in seen:
        assert not any("s3cr" in arg for arg in args), args
        assert env["PGPASSWORD"] == "s3cr@t"
    assert seen[0][0][-1] == "postgresql://sqwd@db.internal:5432/sqwd"
    assert seen[1][0][:2] == ["pg_restore", "--no-owner"]
