"""What the benchmarks and drills share: databases with generated data, gunicorn, /proc, wrk.

Everything here talks only to 127.0.0.1 and to processes it started itself.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BENCH_SECRET = "bench-secret-not-for-production-0123456789abcdef"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def say(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# --- databases ---------------------------------------------------------------------------------

def pg_url(name: str) -> str:
    return sa.engine.make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_BASE)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def fresh_postgres(name: str) -> str:
    """Drop and create the PostgreSQL database `name`; returns its URL."""
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_url(name)


def drop_postgres(name: str) -> None:
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database(kind: str, workdir: Path, name: str = "sqwd_bench") -> str:
    if kind == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    return fresh_postgres(name)


def make_app(url: str, **overrides):
    from app import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=BENCH_SECRET,
                      RATELIMIT_ENABLED=False, **overrides)


def build_schema(app) -> None:
    """The schema as production builds it: `flask db upgrade` (every migration, triggers included)."""
    import logging

    from flask_migrate import upgrade

    level = logging.getLogger().level
    with app.app_context():
        upgrade()
    logging.getLogger().setLevel(level)  # alembic.ini's logging config would quieten the bench's own


@dataclass
class Actors:
    """Who the benchmark acts as, with their tokens, and the ids it works on."""

    staff_token: str
    resident_token: str
    volunteer_token: str
    area_id: int
    detail_ids: list[int]
    accept_ids: list[int] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def populate(app, orders: int, accept_backlog: int, log=say) -> Actors:
    """Demo world + `orders` generated orders + a backlog of orders dispatched to one team."""
    from sqlalchemy import select

    from app import gendata
    from app.auth.tokens import issue_token
    from app.demo import seed_demo
    from app.extensions import db
    from app.orders.models import Order
    from app.teams.models import Team, TeamMember
    from app.users.models import RoleGrant, User

    with app.app_context():
        seed_demo()
        counts = gendata.generate(orders, log=log) if orders else {}
        # A generated community (the busiest one) and its people.
        area_id = db.session.scalar(
            select(Order.area_id).join(RoleGrant, (RoleGrant.area_id == Order.area_id) & (RoleGrant.role == "staff"))
            .group_by(Order.area_id).order_by(sa.func.count().desc()).limit(1)) if orders else None
        if area_id is None:
            from app.demo import COMMUNITIES
            from app.areas.models import Area

            area_id = db.session.scalar(select(Area.id).where(Area.name == COMMUNITIES[0]))
        staff = db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
            RoleGrant.role == "staff", RoleGrant.area_id == area_id)).first()
        team = db.session.scalars(select(Team).where(Team.area_id == area_id)).first()
        volunteer = db.session.scalars(select(User).join(TeamMember, TeamMember.user_id == User.id).where(
            TeamMember.team_id == team.id, TeamMember.role == "member")).first()
        resident = db.session.scalars(select(User).where(User.home_area_id == area_id, User.id != staff.id)
                                      .order_by(User.id.desc())).first()
        detail_ids = list(db.session.scalars(select(Order.id).where(Order.area_id == area_id)
                                             .order_by(Order.id.desc()).limit(2000)))
        accept_ids = gendata.add_dispatched_orders(team.id, accept_backlog, resident.id) if accept_backlog else []
        tokens = [issue_token(user)[0] for user in (staff, resident, volunteer)]
        db.session.commit()
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
        db.engine.dispose()
    settle(url)
    return Actors(*tokens, area_id=area_id, detail_ids=detail_ids, accept_ids=accept_ids, counts=counts)


def settle(url: str) -> None:
    """Bring the database to the steady state a live one is kept in, after a load or a burst of writes, so
    that background upkeep does not run inside the next measurement (on this machine it would take one of
    the two cores from the app). PostgreSQL: VACUUM ANALYZE, as autovacuum keeps it — statistics and a
    visibility map, so index-only scans skip the heap (the staff list's prepared plan: 1.48 → 0.43 ms on
    100k orders), then a CHECKPOINT. SQLite: a WAL checkpoint, as a writer's autocheckpoint does."""
    if url.startswith("postgresql"):
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
            conn.execute(sa.text("CHECKPOINT"))  # write out what VACUUM dirtied now, not during the next run
        engine.dispose()
    elif url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def order_body(area_id: int) -> dict:
    return {"category": "elderly", "description": "独居老人，需要帮忙买菜送餐", "address": "幸福小区3栋2单元",
            "contact_name": "王秀英", "contact_phone": "13800001234", "area_id": area_id}


# --- counting statements in-process ------------------------------------------------------------

@contextmanager
def counting_statements(engine):
    """Count the SQL statements (BEGIN, SAVEPOINT and PRAGMA aside) run on `engine` inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_per_request(app, actors: Actors, repeat: int = 5) -> dict[str, float]:
    """Statements per request of each benchmarked endpoint, measured through the app in-process."""
    from app.extensions import db

    client = app.test_client()
    staff = {"Authorization": f"Bearer {actors.staff_token}"}
    resident = {"Authorization": f"Bearer {actors.resident_token}"}
    volunteer = {"Authorization": f"Bearer {actors.volunteer_token}"}
    accept_ids = iter(actors.accept_ids[-repeat:])
    cases = {
        "health": lambda: client.get("/api/v1/health"),
        "list": lambda: client.get("/api/v1/orders?limit=20", headers=staff),
        "detail": lambda: client.get(f"/api/v1/orders/{actors.detail_ids[0]}", headers=staff),
        "create": lambda: client.post("/api/v1/orders", json=order_body(actors.area_id), headers=resident),
        "accept": lambda: client.post(f"/api/v1/orders/{next(accept_ids)}/accept", headers=volunteer),
    }
    result = {}
    with app.app_context():
        engine = db.engine
    for name, call in cases.items():
        call()  # warm caches (compiled statements, categories) as a running worker has them
        total = 0
        runs = repeat - 1 if name == "accept" else repeat
        for _ in range(runs):
            with counting_statements(engine) as statements:
                response = call()
            assert response.status_code in (200, 201), (name, response.status_code, response.get_data(True)[:300])
            total += len(statements)
        result[name] = round(total / runs, 2)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return result


# --- gunicorn ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Gunicorn:
    process: subprocess.Popen
    url: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(url: str, workdir: Path, workers: int | None = None, extra_env: dict | None = None,
                   threads: int | None = None) -> Gunicorn:
    """gunicorn with the repository's gunicorn.conf.py on a free loopback port, serving `url`'s database."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET, "RATELIMIT_ENABLED": "false",
           "APP_ENV": "development", "GUNICORN_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT),
           "INSTANCE_PATH": str(workdir / "instance"), "GUNICORN_LOG_LEVEL": "warning"}
    env.pop("WECHAT_APP_ID", None)
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    env.update(extra_env or {})
    log_path = workdir / f"gunicorn-{port}.log"
    process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                               cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    server = Gunicorn(process, f"http://127.0.0.1:{port}", log_path)
    wait_healthy(server)
    expected = int(env.get("GUNICORN_WORKERS") or (os.cpu_count() or 1) * 2 + 1)
    deadline = time.monotonic() + 20
    while len(server.worker_pids()) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return server


def wait_healthy(server: Gunicorn, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become healthy")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to `database` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            found.append(int(entry.name))
    return found


# --- wrk ---------------------------------------------------------------------------------------

def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    say("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    path = shutil.which("wrk")
    if not path:
        subprocess.run(["apt-get", "update", "-q"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
        path = shutil.which("wrk")
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def wrk_runs(api: str, staff_token: str, resident_token: str, volunteer_token: str, detail_ids: list[int],
             order_body_json: str, accept_ids: list[int], threads: int = 1) -> dict:
    """The wrk run of each benchmarked endpoint: name → (script in bench/wrk, url, environment). `api` ends in
    /api/v1; an accept run takes each of `accept_ids` once (split between wrk's `threads`)."""
    return {
        "health": ("get.lua", f"{api}/health", {}),
        "list": ("get.lua", f"{api}/orders?limit=20", {"BENCH_TOKEN": staff_token}),
        "detail": ("detail.lua", api, {"BENCH_TOKEN": staff_token, "BENCH_IDS": ",".join(map(str, detail_ids))}),
        "create": ("create.lua", api, {"BENCH_TOKEN": resident_token, "BENCH_BODY": order_body_json}),
        "accept": ("accept.lua", api, {"BENCH_TOKEN": volunteer_token, "BENCH_IDS": ",".join(map(str, accept_ids)),
                                       "BENCH_THREADS": str(threads)}),
    }


def run_wrk(url: str, script: str, duration: float, connections: int, threads: int = 1,
            env: dict | None = None) -> dict:
    """One wrk run; requests/s, p50/p99 (ms), non-2xx responses and socket errors."""
    command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
               "-s", str(ROOT / "bench" / "wrk" / script), url]
    output = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                            check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
              "requests": int(re.search(r"(\d+) requests in", output).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M)
        result[f"p{pct}_ms"] = round(_ms(match.group(1)), 2) if match else None
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    result["rps"] = round(result["rps"], 1)
    return result


def dump_json(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
