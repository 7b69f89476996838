"""Reliability drills against gunicorn: mixed load, kill -9 of a worker, concurrent SQLite writers,
backup and restore.

    .venv/bin/python bench/drills.py                # all drills, full size (a few minutes)
    .venv/bin/python bench/drills.py --only load,kill --db postgresql

1. load:    10,000 mixed requests at concurrency 32 → no 5xx; every order answered 201 is in the
            database with its events, and every order's status replays from its events.
2. kill:    the same load while one gunicorn worker is killed with SIGKILL → no 5xx, no partial order,
            no order without its events (the killed worker's in-flight requests fail as connection errors).
3. writers: 32 concurrent writers (8 workers × 4 threads) on SQLite for 30 s → no "database is locked",
            no 5xx.
4. backup:  `flask backup` (SQLite's online backup API, while writers run; pg_dump on PostgreSQL),
            restore into a new database → the same count of orders, events and ratings.
tests/test_reliability.py runs each of these at a size that fits the test suite.
The last line on stdout is one line of JSON.
"""
import argparse
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

import common  # noqa: E402
from common import say  # noqa: E402


@dataclass
class LoadResult:
    statuses: Counter = field(default_factory=Counter)
    by_kind: dict = field(default_factory=dict)
    created_ids: list = field(default_factory=list)
    connection_errors: int = 0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def summary(self) -> dict:
        return {"requests": sum(self.statuses.values()) + self.connection_errors, "seconds": round(self.seconds, 1),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "server_errors": self.server_errors, "connection_errors": self.connection_errors,
                "created": len(self.created_ids), "by_kind": self.by_kind}


MIX = [("create", 30), ("list", 20), ("detail", 20), ("accept", 15), ("dispatch", 10), ("health", 5)]


def mixed_load(base_url: str, actors: common.Actors, total: int, concurrency: int, seed: int = 7,
               on_response=None, timeout: float = 30) -> LoadResult:
    """`total` requests of the MIX at `concurrency`, each on a new connection (as sync workers serve)."""
    rng = random.Random(seed)
    kinds = rng.choices([k for k, _ in MIX], [w for _, w in MIX], k=total)
    api = f"{base_url}/api/v1"
    staff = {"Authorization": f"Bearer {actors.staff_token}", "Connection": "close"}
    resident = {"Authorization": f"Bearer {actors.resident_token}", "Connection": "close"}
    volunteer = {"Authorization": f"Bearer {actors.volunteer_token}", "Connection": "close"}
    body = common.order_body(actors.area_id)
    accept_ids = iter(actors.accept_ids)
    created: list[int] = []
    lock = threading.Lock()
    result = LoadResult()
    team_id = actors.counts.get("team_id")

    def one(kind: str) -> None:
        try:
            if kind == "create":
                response = requests.post(f"{api}/orders", json=body, headers=resident, timeout=timeout)
            elif kind == "list":
                response = requests.get(f"{api}/orders?limit=20", headers=staff, timeout=timeout)
            elif kind == "detail":
                response = requests.get(f"{api}/orders/{rng.choice(actors.detail_ids)}", headers=staff,
                                        timeout=timeout)
            elif kind == "accept":
                with lock:
                    order_id = next(accept_ids, None)
                if order_id is None:
                    kind, response = "health", requests.get(f"{api}/health", timeout=timeout)
                else:
                    response = requests.post(f"{api}/orders/{order_id}/accept", json={}, headers=volunteer,
                                             timeout=timeout)
            elif kind == "dispatch" and team_id:
                with lock:
                    order_id = created[-1] if created else None
                if order_id is None:
                    kind, response = "health", requests.get(f"{api}/health", timeout=timeout)
                else:
                    response = requests.post(f"{api}/orders/{order_id}/dispatch", json={"team_id": team_id},
                                             headers=staff, timeout=timeout)
            else:
                kind, response = "health", requests.get(f"{api}/health", timeout=timeout)
        except requests.RequestException:
            with lock:
                result.connection_errors += 1
            return
        with lock:
            result.statuses[response.status_code] += 1
            result.by_kind.setdefault(kind, Counter())[response.status_code] += 1
            if kind == "create" and response.status_code == 201:
                created.append(response.json()["id"])
        if on_response:
            on_response()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, kinds))
    result.seconds = time.perf_counter() - started
    result.created_ids = created
    result.by_kind = {kind: {str(s): n for s, n in counts.items()} for kind, counts in result.by_kind.items()}
    return result


def check_integrity(url: str, created_ids: list[int]) -> dict:
    """Every order created is there with its events; every order's status and version replay from its events."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        present = set()
        for chunk in range(0, len(created_ids), 500):
            ids = created_ids[chunk:chunk + 500]
            present |= set(conn.scalars(sa.text("SELECT id FROM orders WHERE id IN (%s)" % ",".join(map(str, ids)))
                                        if ids else sa.text("SELECT 1 WHERE 1 = 0")))
        missing = sorted(set(created_ids) - present)
        without_events = conn.scalar(sa.text(
            "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id)"))
        not_created_first = conn.scalar(sa.text(
            "SELECT count(*) FROM orders o WHERE (SELECT e.action FROM order_events e WHERE e.order_id = o.id "
            "ORDER BY e.id LIMIT 1) <> 'create'"))
        status_mismatch = conn.scalar(sa.text(
            "SELECT count(*) FROM orders o WHERE o.status <> (SELECT e.to_status FROM order_events e "
            "WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1)"))
        version_mismatch = conn.scalar(sa.text(
            "SELECT count(*) FROM orders o WHERE o.version <> (SELECT count(*) FROM order_events e "
            "WHERE e.order_id = o.id)"))
        orphan_events = conn.scalar(sa.text(
            "SELECT count(*) FROM order_events e WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = e.order_id)"))
        orders = conn.scalar(sa.text("SELECT count(*) FROM orders"))
    engine.dispose()
    return {"orders": orders, "created_missing": len(missing), "orders_without_events": without_events,
            "first_event_not_create": not_created_first, "status_not_replayable": status_mismatch,
            "version_not_event_count": version_mismatch, "orphan_events": orphan_events,
            "ok": not (missing or without_events or not_created_first or status_mismatch or version_mismatch
                       or orphan_events)}


def prepare(kind: str, workdir: Path, orders: int, backlog: int, name: str):
    url = common.fresh_database(kind, workdir, name)
    app = common.make_app(url)
    common.build_schema(app)
    actors = common.populate(app, orders, backlog, log=lambda *a: None)
    actors.counts["team_id"] = team_of(url, actors)
    return url, actors


def team_of(url: str, actors: common.Actors) -> int | None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        team = conn.scalar(sa.text("SELECT id FROM teams WHERE area_id = :a ORDER BY id LIMIT 1"),
                           {"a": actors.area_id})
    engine.dispose()
    return team


# --- the drills -------------------------------------------------------------------------------

def load_drill(kind: str, workdir: Path, total: int, concurrency: int, workers: int | None = None) -> dict:
    url, actors = prepare(kind, workdir, 2000, total // 5 + 100, "sqwd_drill_load")
    server = common.start_gunicorn(url, workdir, workers=workers)
    try:
        result = mixed_load(server.url, actors, total, concurrency)
    finally:
        server.stop()
    integrity = check_integrity(url, result.created_ids)
    log = server.log_path.read_text()
    figures = {**result.summary(), "integrity": integrity, "tracebacks_in_log": log.count("Traceback")}
    figures["ok"] = result.server_errors == 0 and result.connection_errors == 0 and integrity["ok"]
    return figures


def kill_drill(kind: str, workdir: Path, total: int, concurrency: int, kill_after: int | None = None,
               workers: int = 3) -> dict:
    url, actors = prepare(kind, workdir, 2000, total // 5 + 100, "sqwd_drill_kill")
    server = common.start_gunicorn(url, workdir, workers=workers)
    kill_after = kill_after or total // 3
    done = itertools.count(1)
    killed: list[int] = []

    def maybe_kill():
        if next(done) == kill_after and not killed:
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)  # a worker of the gunicorn this drill started
            killed.append(victim)

    try:
        result = mixed_load(server.url, actors, total, concurrency, on_response=maybe_kill)
        time.sleep(1)
        replaced = [pid for pid in server.worker_pids() if pid not in killed]
        alive = server.process.poll() is None
    finally:
        server.stop()
    integrity = check_integrity(url, result.created_ids)
    figures = {**result.summary(), "killed_worker": killed[0] if killed else None,
               "workers_after": len(replaced), "master_alive": alive, "integrity": integrity}
    # The killed worker's in-flight requests (at most one per worker with sync workers) die with it.
    figures["ok"] = bool(killed) and result.server_errors == 0 and integrity["ok"] and alive \
        and len(replaced) == workers and result.connection_errors <= 1
    return figures


def writers_drill(workdir: Path, writers: int, seconds: float, workers: int = 8) -> dict:
    """`writers` clients creating and accepting orders on SQLite, served by workers × threads = writers."""
    url, actors = prepare("sqlite", workdir, 500, int(seconds * 400) + 200, "sqwd_drill_writers")
    threads = max(1, writers // workers)
    server = common.start_gunicorn(url, workdir, workers=workers, threads=threads)
    api = f"{server.url}/api/v1"
    body = common.order_body(actors.area_id)
    accept_ids = iter(actors.accept_ids)
    lock = threading.Lock()
    statuses: Counter = Counter()
    errors = Counter()
    created: list[int] = []
    deadline = time.monotonic() + seconds

    def writer(index: int) -> None:
        session = requests.Session()
        resident = {"Authorization": f"Bearer {actors.resident_token}"}
        volunteer = {"Authorization": f"Bearer {actors.volunteer_token}"}
        while time.monotonic() < deadline:
            try:
                if index % 2:
                    response = session.post(f"{api}/orders", json=body, headers=resident, timeout=30)
                    if response.status_code == 201:
                        with lock:
                            created.append(response.json()["id"])
                else:
                    with lock:
                        order_id = next(accept_ids, None)
                    if order_id is None:
                        break
                    response = session.post(f"{api}/orders/{order_id}/accept", json={}, headers=volunteer, timeout=30)
            except requests.RequestException as error:
                with lock:
                    errors[type(error).__name__] += 1
                continue
            with lock:
                statuses[response.status_code] += 1

    started = time.perf_counter()
    try:
        pool = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    finally:
        server.stop()
    elapsed = time.perf_counter() - started
    log = server.log_path.read_text()
    integrity = check_integrity(url, created)
    locked = log.count("database is locked")
    writes = statuses[200] + statuses[201]
    return {"writers": writers, "workers": workers, "threads": threads, "seconds": round(elapsed, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "client_errors": dict(errors),
            "writes_per_second": round(writes / elapsed, 1), "database_is_locked_in_log": locked,
            "integrity": integrity,
            "ok": locked == 0 and not errors and all(s < 500 for s in statuses) and integrity["ok"]}


def counts(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                 for table in ("orders", "order_events", "ratings")}
    engine.dispose()
    return found


def flask_cli(url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development", "FLASK_APP": "wsgi.py",
           "SECRET_KEY": common.BENCH_SECRET, "INSTANCE_PATH": str(workdir / "instance"),
           "PYTHONPATH": str(common.ROOT)}
    env.pop("WECHAT_APP_ID", None)
    return subprocess.run([str(common.VENV_BIN / "flask"), *args], cwd=common.ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def backup_drill_sqlite(workdir: Path, orders: int, online_seconds: float = 3) -> dict:
    """Backup while writers run (consistent snapshot), then a quiet backup restored to identical counts."""
    url, actors = prepare("sqlite", workdir, orders, 10, "sqwd_drill_backup")
    server = common.start_gunicorn(url, workdir, workers=2)
    online = workdir / "online.db"
    stop = threading.Event()

    def keep_writing():
        session = requests.Session()
        headers = {"Authorization": f"Bearer {actors.resident_token}"}
        while not stop.is_set():
            session.post(f"{server.url}/api/v1/orders", json=common.order_body(actors.area_id), headers=headers,
                         timeout=30)

    writers = [threading.Thread(target=keep_writing) for _ in range(4)]
    try:
        for thread in writers:
            thread.start()
        time.sleep(online_seconds / 2)
        result = flask_cli(url, workdir, "backup", str(online))  # while the writers go on
        time.sleep(online_seconds / 2)
    finally:
        stop.set()
        for thread in writers:
            thread.join()
        server.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    online_integrity = check_integrity(f"sqlite:///{online}", [])
    quiet = workdir / "quiet.db"
    assert flask_cli(url, workdir, "backup", str(quiet)).returncode == 0
    restored = workdir / "restored.db"
    shutil.copyfile(quiet, restored)  # restoring a SQLite backup: put the file in place
    source, copy = counts(url), counts(f"sqlite:///{restored}")
    return {"source": source, "restored": copy, "online_backup_integrity": online_integrity,
            "ok": source == copy and online_integrity["ok"] and source["orders"] > orders}


def backup_drill_postgres(workdir: Path, orders: int) -> dict:
    """`flask backup` (pg_dump -Fc), pg_restore into a new database: identical counts."""
    url, _actors = prepare("postgresql", workdir, orders, 10, "sqwd_drill_pgdump")
    dump = workdir / "sqwd.pgdump"
    result = flask_cli(url, workdir, "backup", str(dump))
    assert result.returncode == 0, result.stderr[-2000:]
    restored_url = common.fresh_postgres("sqwd_drill_pgrestore")
    from app.backup import restore_postgres

    restore_postgres(dump, restored_url)
    source, copy = counts(url), counts(restored_url)
    trigger = _has_append_only_trigger(restored_url)
    common.drop_postgres("sqwd_drill_pgrestore")
    common.drop_postgres("sqwd_drill_pgdump")
    return {"source": source, "restored": copy, "dump_bytes": dump.stat().st_size,
            "append_only_trigger_restored": trigger, "ok": source == copy and trigger}


def _has_append_only_trigger(url: str) -> bool:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(sa.text("SELECT count(*) FROM pg_trigger WHERE tgname IN "
                                    "('order_events_append_only', 'order_events_no_truncate')"))
    engine.dispose()
    return found == 2  # row changes and TRUNCATE (migrations 0002, 0006)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="load,kill,writers,backup")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--writer-seconds", type=float, default=30)
    args = parser.parse_args()
    only = set(args.only.split(","))
    kinds = [k for k in args.db.split(",") if k]
    if "postgresql" in kinds and not common.postgres_available():
        say("PostgreSQL is not reachable: skipping it")
        kinds.remove("postgresql")
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="sqwd-drills-") as tmp:
        workdir = Path(tmp)
        for kind in kinds:
            if "load" in only:
                figures[f"load.{kind}"] = load_drill(kind, workdir, args.requests, args.concurrency)
                say(f"load {kind}: {json.dumps(figures[f'load.{kind}'], ensure_ascii=False)}")
            if "kill" in only:
                figures[f"kill.{kind}"] = kill_drill(kind, workdir, args.requests // 2, args.concurrency)
                say(f"kill -9 {kind}: {json.dumps(figures[f'kill.{kind}'], ensure_ascii=False)}")
        if "writers" in only and "sqlite" in kinds:
            figures["writers.sqlite"] = writers_drill(workdir, args.writers, args.writer_seconds)
            say(f"writers: {json.dumps(figures['writers.sqlite'], ensure_ascii=False)}")
        if "backup" in only:
            if "sqlite" in kinds:
                figures["backup.sqlite"] = backup_drill_sqlite(workdir, 20_000)
                say(f"backup sqlite: {figures['backup.sqlite']}")
            if "postgresql" in kinds:
                figures["backup.postgresql"] = backup_drill_postgres(workdir, 100_000)
                say(f"backup postgresql: {figures['backup.postgresql']}")
        for name in ("sqwd_drill_load", "sqwd_drill_kill"):
            if "postgresql" in kinds:
                common.drop_postgres(name)
    figures["all_ok"] = all(v.get("ok") for v in figures.values() if isinstance(v, dict))
    print(common.dump_json(figures), flush=True)
    return 0 if figures["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
