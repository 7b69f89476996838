"""The cluster drill: a real cluster on this one machine, a mixed workload, failures, and counts.

    .venv/bin/python bench/cluster_drill.py [--seconds 150] [--keep]     (make cluster-drill)

Builds in a temporary directory, from the installed binaries: a PostgreSQL primary and a streaming replica
made with pg_basebackup (ports 55442 and 55443), Redis (6390), two app nodes (gunicorn on 5101 and 5102)
behind nginx (8088, deploy/nginx/sqwd.conf with its upstreams, listen and TLS lines replaced) with
TRUSTED_PROXY_HOPS=1 and DATABASE_REPLICA_URL, and two `flask worker`s delivering to a fake WeChat server
(app/wechat/fake_server.py, in this process, where every subscribe message is counted).

Residents (each from its own loopback address, 127.0.0.x) place orders with an Idempotency-Key and repeat a
create that failed with the same key; staff dispatch, volunteers accept, start and complete, residents rate,
an administrator reads the figures, and staff set up care plans (周期服务, POST /care-plans through nginx: two
before the workers start, more while they run, one of them while the killed worker is gone), starting today or
tomorrow in Asia/Shanghai, so the workers file their visits of today and tomorrow on the real clock (app/care:
the day before, once per plan and date). Meanwhile one app node is killed (and later restarted), one worker is
killed with SIGKILL while it holds a batch, and Redis is restarted. Then it counts, from the databases and the
fake WeChat server: orders lost or duplicated, orders whose events do not chain up to their status, each
expected (plan, date) with exactly one visit and one order, notifications delivered not exactly once (0
duplicated and 0 missing required), the login limit shared by both nodes yet separate per client, the
replica's figures against the primary's once it caught up, and the replica lag seen. The last line is JSON.
Everything started is stopped and the directory removed, also on Ctrl-C (--keep leaves the directory).

Exactly once, and its one residual window: the worker claims a batch with a lease, and for each message renews
the lease, sends it and records it sent in its own short transaction right after WeChat answers
(app/notifications/delivery.py). A kill -9 that lands after WeChat accepted a message and before that record
committed sends that one message again after the lease: WeChat's subscribe-message API has no idempotency key,
so no code of ours can close that gap, only keep it short (the fake server's 10 ms, one UPDATE and COMMIT).
The drill's SIGKILL comes mid-batch -- the worker holds leased rows it has not sent -- but outside that
window: it stops the worker (SIGSTOP), lets any request already on the wire be answered, and kills it only if
no message the fake server accepted is still unrecorded among the worker's leased rows; otherwise it lets the
worker go on (SIGCONT) and tries again a few milliseconds later. So the drill can require 0 duplicates; the
kill inside the window, and its single resend, is shown by
tests/notifications/test_notifications.py::test_claim_send_record_one_message_at_a_time (and documented in docs/deploy.md).
"""
import argparse
import collections
import glob
import http.client
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
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app.care.service import LOCAL  # noqa: E402
from app.notifications.service import ORDER_PAGE, TEMPLATE_SETTINGS  # noqa: E402
from app.wechat.fake_server import FakeWeChatServer  # noqa: E402

PRIMARY_PORT, REPLICA_PORT, REDIS_PORT, NGINX_PORT, NODE_PORTS = 55442, 55443, 6390, 8088, (5101, 5102)
TEMPLATES = {"DISPATCHED": "tpl-dispatched", "ACCEPTED": "tpl-accepted", "COMPLETED": "tpl-completed",
             "REMINDER": "tpl-reminder", "FOLLOWED_UP": "tpl-followed-up", "CALL": "tpl-call"}
RESIDENTS = 12
LOGIN_LIMIT = 30  # RATELIMIT_LOGIN's default, per minute and client address


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=150, help="how long the workload runs")
    parser.add_argument("--keep", action="store_true", help="leave the temporary directory (logs) behind")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit(f"drill: {name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


# --- the cluster --------------------------------------------------------------------------------

class Cluster:
    """Every process and directory the drill starts, and how to stop them."""

    def __init__(self, keep: bool):
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="sqwd-drill-"))
        os.chmod(self.dir, 0o755)
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg_dirs: list[Path] = []
        self.fake = FakeWeChatServer()
        self.secret = uuid.uuid4().hex + uuid.uuid4().hex
        self.primary_url = f"postgresql+psycopg://postgres@127.0.0.1:{PRIMARY_PORT}/sqwd"
        self.replica_url = f"postgresql+psycopg://postgres@127.0.0.1:{REPLICA_PORT}/sqwd"

    # processes
    def spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        out = open(self.dir / f"{name}.log", "ab")
        process = subprocess.Popen(command, cwd=ROOT, env=env or os.environ.copy(), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.procs.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def postgres(self, *command: str, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *command], capture_output=True, text=True, check=check,
                              cwd="/tmp")

    # PostgreSQL
    def start_primary(self) -> None:
        data = self.dir / "primary"
        self.pg_dirs.append(data)
        data.mkdir()
        if self.as_postgres:
            shutil.chown(data, "postgres")
        self.postgres(pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\n"
                       "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nshared_buffers = 128MB\n"
                       "fsync = off\nmax_connections = 100\n")
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        self.postgres(pg_bin("pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "start")
        self.postgres(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "sqwd")

    def start_replica(self) -> None:
        data = self.dir / "replica"
        self.pg_dirs.append(data)
        data.mkdir(mode=0o700)
        if self.as_postgres:
            shutil.chown(data, "postgres")
        self.postgres(pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
                      "-D", str(data), "-R", "-X", "stream", "-c", "fast")
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"\nport = {REPLICA_PORT}\nunix_socket_directories = '{data}'\n")
        self.postgres(pg_bin("pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "start")

    # Redis
    def start_redis(self) -> None:
        self.spawn("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "volatile-ttl"])
        wait_for_port(REDIS_PORT)

    # the app
    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "GUNICORN_", "RATELIMIT_"))}
        env.update({
            "APP_ENV": "production", "SECRET_KEY": self.secret, "FLASK_APP": "wsgi.py",
            "DATABASE_URL": self.primary_url, "DATABASE_REPLICA_URL": self.replica_url,
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0", "TRUSTED_PROXY_HOPS": "1",
            "WECHAT_APP_ID": self.fake.app_id, "WECHAT_APP_SECRET": self.fake.app_secret,
            "WECHAT_API_BASE_URL": self.fake.url, "WECHAT_TIMEOUT": "2",
            "INSTANCE_PATH": str(self.dir / "instance"), "UPLOAD_DIR": str(self.dir / "uploads"),
            # the lease outlasts the longest send (4 × WECHAT_TIMEOUT + 5 s: ProductionConfig.validate)
            "NOTIFY_LEASE_SECONDS": "15", "NOTIFY_BATCH_SIZE": "20", "NOTIFY_RETRY_BASE_SECONDS": "2",
            "REPLICA_CHECK_SECONDS": "2", "PYTHONUNBUFFERED": "1",
        })
        env.update({f"WECHAT_TEMPLATE_{kind}": template for kind, template in TEMPLATES.items()})
        env.update(extra)
        return env

    def flask(self, *args: str) -> str:
        env = self.env(APP_ENV="development")
        result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True)
        if result.returncode:
            raise SystemExit(f"drill: flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_node(self, index: int) -> None:
        port = NODE_PORTS[index]
        self.spawn(f"node{index + 1}", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                   self.env(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2",
                            GUNICORN_ACCESS_LOG=str(self.dir / f"access-node{index + 1}.log")))
        wait_for_port(port, timeout=60)

    def start_worker(self, index: int) -> subprocess.Popen:
        return self.spawn(f"worker{index + 1}", [sys.executable, "-m", "flask", "worker", "--interval", "0.5"],
                          self.env())

    def start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            raise SystemExit("drill: nginx is not installed (make cluster-drill installs it: apt-get install nginx)")
        prefix = self.dir / "nginx"
        for sub in ("logs", "tmp"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(prefix / "tmp", 0o777)
        site = (ROOT / "deploy/nginx/sqwd.conf").read_text()
        replacements = [
            ("    server 10.0.1.11:8000 max_fails=3 fail_timeout=10s;\n"
             "    server 10.0.1.12:8000 max_fails=3 fail_timeout=10s;\n",
             "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in NODE_PORTS)),
            ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{NGINX_PORT};\n"),
            ("    ssl_certificate     /etc/nginx/tls/fullchain.pem;\n"
             "    ssl_certificate_key /etc/nginx/tls/privkey.pem;\n", ""),
        ]
        for old, new in replacements:
            if old not in site:
                raise SystemExit(f"drill: deploy/nginx/sqwd.conf no longer has {old.strip()!r}")
            site = site.replace(old, new)
        (prefix / "sqwd.conf").write_text(site)
        (prefix / "nginx.conf").write_text(f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/sqwd.conf;
}}
""")
        self.spawn("nginx", [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"])
        wait_for_port(NGINX_PORT)

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)
        for data in reversed(self.pg_dirs):
            if (data / "postmaster.pid").exists():
                self.postgres(pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        self.fake.stop()
        if self.keep:
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_for_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"drill: nothing listens on port {port} after {timeout} s")


# --- clients ------------------------------------------------------------------------------------

class Client:
    """HTTP to nginx from one loopback address (one client, as nginx and the app see it)."""

    def __init__(self, source: str):
        self.source = source
        self.conn: http.client.HTTPConnection | None = None
        self.token: str | None = None

    def request(self, method: str, path: str, body=None, headers=None, timeout=15) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=timeout,
                                                       source_address=(self.source, 0))
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, None
                continue
            try:
                return response.status, json.loads(data) if data else None
            except ValueError:
                return response.status, None
        return 0, None


class Drill:
    def __init__(self, cluster: Cluster, seconds: float):
        self.c = cluster
        self.seconds = seconds
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.acked: dict[str, int] = {}  # Idempotency-Key → order id the API answered with
        self.create_retries = 0
        self.lag = {"max_replay_lag_s": 0.0, "max_bytes_behind": 0, "samples": 0}
        self.failures: list[str] = []
        self.in_flight_at_kill: set[tuple[str, str, str]] = set()  # (openid, page, template) leased by the killed
        self.ids: dict = {}
        self.plans: dict[int, date] = {}  # care plan id → the local day it was set up
        self.plan_client: Client | None = None
        self.plan_failures = 0

    def note(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    def login(self, client: Client, openid: str) -> int:
        code = f"code-{uuid.uuid4().hex}"
        self.c.fake.add_code(code, openid)
        client.token = None
        status, body = client.request("POST", "/api/v1/auth/wechat-login", {"code": code})
        if status == 200:
            client.token = body["access_token"]
        return status

    def logged_in(self, source: str, openid: str) -> Client:
        client = Client(source)
        for _ in range(20):
            if self.login(client, openid) == 200:
                return client
            time.sleep(0.5)
        raise SystemExit(f"drill: {openid} could not log in")

    # roles
    def resident(self, n: int) -> None:
        client = self.logged_in(f"127.0.0.{20 + n}", f"drill-resident-{n}")
        rng = random.Random(n)
        mine: set[int] = set()
        rated: set[int] = set()
        while not self.stop.is_set():
            key = uuid.uuid4().hex
            body = {"category": rng.choice(["escort", "elderly", "repair"]), "description": "演练：需要上门帮忙",
                    "address": f"松阳小区{n}栋", "contact_name": "张大爷", "contact_phone": "13800001234",
                    "area_id": self.ids["sy"]}
            for attempt in range(30):  # the same key until the API answers
                status, answer = client.request("POST", "/api/v1/orders", body, {"Idempotency-Key": key})
                self.note(status)
                if status in (200, 201):
                    with self.lock:
                        self.acked[key] = answer["id"]
                    mine.add(answer["id"])
                    break
                if status == 401:
                    self.login(client, f"drill-resident-{n}")
                with self.lock:
                    self.create_retries += 1
                time.sleep(min(0.2 * (attempt + 1), 2))
            status, page = client.request("GET", "/api/v1/orders?status=completed&limit=50")
            self.note(status)
            for order in (page or {}).get("items", []) if status == 200 else []:
                if order["id"] in mine and order["id"] not in rated:
                    status, _ = client.request("POST", f"/api/v1/orders/{order['id']}/rate",
                                               {"stars": rng.choice([5, 5, 4, 3]), "comment": "谢谢"})
                    self.note(status)
                    if status == 200:
                        rated.add(order["id"])
            self.stop.wait(rng.uniform(2.5, 4.5))

    def staff(self) -> None:
        client = self.logged_in("127.0.0.10", "demo-staff-sy")
        while not self.stop.is_set():
            status, page = client.request("GET", f"/api/v1/orders?status=ordered&limit=50&area_id={self.ids['sy']}")
            self.note(status)
            for order in (page or {}).get("items", []) if status == 200 else []:
                status, _ = client.request("POST", f"/api/v1/orders/{order['id']}/dispatch",
                                           {"team_id": self.ids["team_sy"]})
                self.note(status)
            self.stop.wait(1.0)

    def volunteer(self, openid: str, source: str) -> None:
        client = self.logged_in(source, openid)
        steps = {"dispatched": ("accept", None), "accepted": ("start", None),
                 "in_service": ("complete", {"result": "演练：已上门完成"})}
        while not self.stop.is_set():
            for status_name, (action, body) in steps.items():
                status, page = client.request("GET", f"/api/v1/orders?status={status_name}&limit=20")
                self.note(status)
                for order in (page or {}).get("items", []) if status == 200 else []:
                    status, _ = client.request("POST", f"/api/v1/orders/{order['id']}/{action}", body or {})
                    self.note(status)
            self.stop.wait(0.8)

    def figures(self) -> None:
        client = self.logged_in("127.0.0.11", "demo-admin")
        while not self.stop.is_set():
            status, _ = client.request("GET", f"/api/v1/stats/summary?area_id={self.ids['county']}")
            self.note(status)
            self.stop.wait(1.0)

    def watch_lag(self, primary) -> None:
        while not self.stop.is_set():
            try:
                with primary.connect() as conn:
                    row = conn.execute(sa.text(
                        "SELECT COALESCE(EXTRACT(epoch FROM replay_lag), 0), "
                        "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) FROM pg_stat_replication"
                    )).first()
                if row:
                    self.lag["max_replay_lag_s"] = max(self.lag["max_replay_lag_s"], float(row[0]))
                    self.lag["max_bytes_behind"] = max(self.lag["max_bytes_behind"], int(row[1]))
                    self.lag["samples"] += 1
            except Exception:  # noqa: BLE001 - a sample missed is no failure
                pass
            self.stop.wait(0.5)

    def create_care_plan(self) -> None:
        """Staff set up a plan for a resident (every weekday, starting today or tomorrow in Asia/Shanghai) through
        nginx. POST /care-plans takes no Idempotency-Key: a create whose answer was lost is looked for by its
        title before it is repeated."""
        if self.plan_client is None:
            self.plan_client = self.logged_in("127.0.0.14", "demo-staff-sy")
        client, number = self.plan_client, len(self.plans) + 1
        today = datetime.now(timezone.utc).astimezone(LOCAL).date()
        title = f"演练周期服务{number}-{uuid.uuid4().hex[:6]}"
        body = {"resident": {"name": f"李奶奶{number}", "phone": "13800005678"}, "area_id": self.ids["sy"],
                "category": "elderly", "title": title, "description": "演练：每日上门看望，量血压",
                "address": f"松阳小区{number}栋", "weekdays": [1, 2, 3, 4, 5, 6, 7], "time_slot": "上午",
                "starts_on": (today + timedelta(days=number % 2)).isoformat(), "team_id": self.ids["team_sy"]}
        for attempt in range(30):
            status, answer = client.request("POST", "/api/v1/care-plans", body)
            self.note(status)
            if status == 201:
                self.plans[answer["id"]] = today
                return
            if status == 401:
                self.login(client, "demo-staff-sy")
            elif status in (400, 403, 404, 409, 422):
                raise SystemExit(f"drill: POST /care-plans answered {status}: {answer}")
            listed, page = client.request("GET", f"/api/v1/care-plans?area_id={self.ids['sy']}&limit=100")
            self.note(listed)
            found = [plan["id"] for plan in (page or {}).get("items", []) if plan["title"] == title] \
                if listed == 200 else []
            if found:
                self.plans[found[0]] = today
                return
            time.sleep(min(0.2 * (attempt + 1), 2))
        self.plan_failures += 1

    # failures
    def leased_by(self, primary, pattern: str) -> list[tuple[str, str, str]]:
        with primary.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT u.openid, n.page, n.kind FROM notifications n JOIN users u ON u.id = n.user_id "
                "WHERE n.status = 'pending' AND n.locked_by LIKE :p AND n.locked_until > now()"), {"p": pattern}).all()
        return [(openid, page or "", template_of(kind)) for openid, page, kind in rows]

    def in_residual_window(self, primary, leased: list[tuple[str, str, str]]) -> bool:
        """Did the fake server accept a message of these leased rows that is not recorded as sent yet?"""
        keys = set(leased)
        with primary.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT u.openid, n.page, n.kind FROM notifications n JOIN users u ON u.id = n.user_id "
                "WHERE n.wechat_status = 'sent' AND u.openid = ANY(:o)"), {"o": [key[0] for key in keys]}).all()
        recorded = collections.Counter((openid, page or "", template_of(kind)) for openid, page, kind in rows)
        received = collections.Counter(message_key(m) for m in list(self.c.fake.sent_messages))
        return any(received[key] > recorded[key] for key in keys)

    def kill_worker_mid_batch(self, primary, worker: subprocess.Popen) -> dict:
        """SIGKILL worker1 while it holds leased notifications, at a moment outside the residual window."""
        pattern = f"%:{worker.pid}:%"
        deadline = time.monotonic() + 40
        stops = 0
        while time.monotonic() < deadline:
            if not self.leased_by(primary, pattern):
                time.sleep(0.01)
                continue
            os.killpg(worker.pid, signal.SIGSTOP)
            stops += 1
            time.sleep(0.15)  # a request already on the wire reaches the fake server and is answered meanwhile
            leased = self.leased_by(primary, pattern)
            if leased and not self.in_residual_window(primary, leased):
                self.c.kill("worker1")
                self.in_flight_at_kill = set(leased)
                self.failures.append(f"worker1 (pid {worker.pid}) killed with SIGKILL holding {len(leased)} leased "
                                     f"notifications (after {stops} stop(s) to find it outside the residual window)")
                return {"held_when_killed": len(leased), "stops_to_find_a_moment_outside_the_window": stops}
            os.killpg(worker.pid, signal.SIGCONT)
            time.sleep(random.uniform(0.005, 0.05))
        self.c.kill("worker1")
        self.failures.append("worker1 killed (no moment holding a batch outside the residual window within 40 s)")
        return {"held_when_killed": 0, "stops_to_find_a_moment_outside_the_window": stops}

    def run(self, primary) -> dict:
        threads = [threading.Thread(target=self.resident, args=(n,), daemon=True) for n in range(RESIDENTS)]
        threads += [threading.Thread(target=self.staff, daemon=True),
                    threading.Thread(target=self.volunteer, args=("demo-volunteer-sy-1", "127.0.0.12"), daemon=True),
                    threading.Thread(target=self.volunteer, args=("demo-volunteer-sy-2", "127.0.0.13"), daemon=True),
                    threading.Thread(target=self.figures, daemon=True),
                    threading.Thread(target=self.watch_lag, args=(primary,), daemon=True)]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        at = lambda share: began + self.seconds * share  # noqa: E731
        worker_kill = {}
        plan = [(0.10, "care plan"), (0.25, "kill node1"), (0.30, "care plan"), (0.40, "restart node1"),
                (0.50, "kill worker1"), (0.52, "care plan"), (0.60, "care plan"), (0.70, "restart redis")]
        for share, what in plan:
            while time.monotonic() < at(share) and not self.stop.is_set():
                time.sleep(0.2)
            log(what)
            if what == "care plan":
                self.create_care_plan()
            elif what == "kill node1":
                self.c.kill("node1")
                self.failures.append("node1 (gunicorn master and workers) killed with SIGKILL")
            elif what == "restart node1":
                self.c.start_node(0)
                self.failures.append("node1 restarted")
            elif what == "kill worker1":
                worker_kill = self.kill_worker_mid_batch(primary, self.c.procs["worker1"])
            elif what == "restart redis":
                self.c.kill("redis", signal.SIGTERM)
                self.c.start_redis()
                self.failures.append("redis stopped and started again (its counters are gone)")
        while time.monotonic() < at(1.0):
            time.sleep(0.2)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        return worker_kill


# --- counting -----------------------------------------------------------------------------------

def wait_until(check, timeout: float, what: str) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if check():
            return time.monotonic() - began
        time.sleep(0.5)
    raise SystemExit(f"drill: {what} did not happen within {timeout} s")


def template_of(kind: str) -> str:
    """The template the workers send a notification kind with (their WECHAT_TEMPLATE_* settings)."""
    setting = TEMPLATE_SETTINGS.get(kind, "")
    return TEMPLATES.get(setting.removeprefix("WECHAT_TEMPLATE_"), "")


def message_key(message: dict) -> tuple[str, str, str]:
    return message["touser"], message.get("page", ""), message.get("template_id", "")


def broken_chains(conn, orders: dict[int, str]) -> list[int]:
    """Orders whose events do not chain from creation up to their status."""
    events = collections.defaultdict(list)
    for order_id, from_status, to_status in conn.execute(sa.text(
            "SELECT order_id, from_status, to_status FROM order_events WHERE order_id = ANY(:o) ORDER BY id"),
            {"o": list(orders)}):
        events[order_id].append((from_status, to_status))
    broken = []
    for order_id, status in orders.items():
        chain = events.get(order_id, [])
        ok = bool(chain) and chain[0][0] is None and chain[-1][1] == status and all(
            later[0] == earlier[1] for earlier, later in zip(chain, chain[1:]))
        if not ok:
            broken.append(order_id)
    return broken


def expected_visits(plans: dict[int, date], starts: dict[int, date], today: date) -> set[tuple[int, date]]:
    """(plan, date) the workers must have filed by now: every day (the drill's plans run every weekday) from the
    later of the plan's start and the day it was set up, to tomorrow (Asia/Shanghai)."""
    expected = set()
    for plan_id, set_up_on in plans.items():
        day = max(starts[plan_id], set_up_on)
        while day <= today + timedelta(days=1):
            expected.add((plan_id, day))
            day += timedelta(days=1)
    return expected


def count_care_visits(drill: Drill, primary) -> tuple[dict, set[int]]:
    """Each expected (plan, date) with exactly one care_visits row and exactly one order, counted on the primary;
    also the ids of the visits' orders (their notifications are counted with the rest)."""
    plan_ids = list(drill.plans)
    today = datetime.now(timezone.utc).astimezone(LOCAL).date()
    with primary.connect() as conn:
        starts = {row[0]: row[1] for row in conn.execute(sa.text(
            "SELECT id, starts_on FROM care_plans WHERE id = ANY(:p)"), {"p": plan_ids})}
        visits = conn.execute(sa.text(
            "SELECT plan_id, visit_on, order_id FROM care_visits WHERE plan_id = ANY(:p)"), {"p": plan_ids}).all()
        orders = {row[0]: (row[1], row[2]) for row in conn.execute(sa.text(
            "SELECT id, care_plan_id, status FROM orders WHERE care_plan_id = ANY(:p)"), {"p": plan_ids})}
        broken = broken_chains(conn, {order_id: status for order_id, (_plan, status) in orders.items()})
    expected = expected_visits(drill.plans, starts, today)
    rows_per_visit = collections.Counter((plan_id, day) for plan_id, day, _order in visits)
    filed = {(plan_id, day) for plan_id, day, order_id in visits if order_id in orders
             and orders[order_id][0] == plan_id}
    referenced = {order_id for _plan, _day, order_id in visits if order_id is not None}
    duplicated = sum(n - 1 for n in rows_per_visit.values() if n > 1) + len(set(orders) - referenced)
    return ({"plans": len(plan_ids), "plan_creates_failed": drill.plan_failures, "expected": len(expected),
             "created": len(filed & expected), "duplicated": duplicated, "missing": len(expected - filed),
             "unexpected": len(filed - expected), "orders": len(orders), "orders_without_their_events": len(broken),
             "orders_by_status": dict(collections.Counter(status for _plan, status in orders.values()))},
            set(orders))


def count_orders(drill: Drill, primary) -> dict:
    with primary.connect() as conn:
        residents = [row[0] for row in conn.execute(
            sa.text("SELECT id FROM users WHERE openid LIKE 'drill-resident-%'"))]
        orders = {row[0]: row[1] for row in conn.execute(sa.text(
            "SELECT id, status FROM orders WHERE created_by_id = ANY(:r)"), {"r": residents})}
        keys = {row[0]: row[1] for row in conn.execute(sa.text(
            "SELECT key, order_id FROM idempotency_keys WHERE user_id = ANY(:r)"), {"r": residents})}
        broken = broken_chains(conn, orders)
        events = conn.execute(sa.text("SELECT count(*) FROM order_events WHERE order_id = ANY(:o)"),
                              {"o": list(orders)}).scalar()
    lost = [key for key, order_id in drill.acked.items() if order_id not in orders or keys.get(key) != order_id]
    answered = set(drill.acked.values())
    unanswered = [order_id for order_id in orders if order_id not in answered]  # an order no client was told of
    return {"orders_created": len(orders), "creates_acknowledged": len(drill.acked),
            "create_retries": drill.create_retries, "orders_lost": len(lost),
            "orders_duplicated": len(unanswered), "orders_without_their_events": len(broken),
            "orders_by_status": dict(collections.Counter(orders.values())),
            "events": events}


def count_notifications(cluster: Cluster, primary, order_ids: set[int], leased: set[tuple[str, str, str]]) -> dict:
    """Each outbox row of the drill's orders (the residents' and the care visits') that says "sent to WeChat"
    against the messages about those orders the fake WeChat server received, per user, order page and template.
    (The demo's own history is left out: its rows, dated months back, are pruned by the workers once delivered.)

    Every duplicate counts, those of the killed worker's leased rows too (`resent_after_kill` shows them apart):
    the drill kills it outside the residual window (see the module's docstring), so all must be 0."""
    with primary.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT u.openid, n.page, n.kind, n.wechat_status, n.status FROM notifications n "
            "JOIN users u ON u.id = n.user_id WHERE n.order_id = ANY(:o)"), {"o": list(order_ids)}).all()
    if cluster.keep:
        (cluster.dir / "fake-wechat-messages.json").write_text(json.dumps(cluster.fake.sent_messages,
                                                                          ensure_ascii=False))
    pages = {ORDER_PAGE.format(id=order_id) for order_id in order_ids}
    expected = collections.Counter((openid, page or "", template_of(kind))
                                   for openid, page, kind, wechat, _status in rows if wechat == "sent")
    received = collections.Counter(message_key(m) for m in list(cluster.fake.sent_messages)
                                   if m.get("page", "") in pages)
    return {"outbox_rows": len(rows), "wechat_sent_rows": sum(expected.values()),
            "messages_at_fake_wechat": sum(received.values()),
            "notifications_duplicated": sum(max(0, n - expected[key]) for key, n in received.items()),
            "resent_after_kill": sum(max(0, n - expected[key]) for key, n in received.items() if key in leased),
            "notifications_missing": sum(max(0, n - received[key]) for key, n in expected.items()),
            "pending_left": sum(1 for *_rest, status in rows if status == "pending")}


def check_rate_limits(drill: Drill) -> dict:
    """The login limit (30 a minute per client address) counted once across both nodes, per address, whatever
    X-Forwarded-For a client writes itself."""
    before = [node_lines(drill.c, i) for i in range(2)]
    first = Client("127.0.0.200")
    outcomes = collections.Counter()
    for n in range(LOGIN_LIMIT + 10):
        code = f"rl-{uuid.uuid4().hex}"
        drill.c.fake.add_code(code, f"drill-rl-{n}")
        status, _ = first.request("POST", "/api/v1/auth/wechat-login", {"code": code},
                                  {"X-Forwarded-For": f"10.9.{n}.1"})  # a client's own header: ignored
        outcomes[status] += 1
    after = [node_lines(drill.c, i) for i in range(2)]
    second = Client("127.0.0.201")
    other = collections.Counter(drill.login(second, f"drill-rl-other-{n}") for n in range(5))
    return {"first_client_logins_ok": outcomes[200], "first_client_refused_429": outcomes[429],
            "login_limit": LOGIN_LIMIT, "served_by_node": [after[i] - before[i] for i in range(2)],
            "second_client_logins_ok": other[200], "shared_across_nodes": outcomes[200] == LOGIN_LIMIT,
            "separate_per_client": other[200] == 5}


def node_lines(cluster: Cluster, index: int) -> int:
    path = cluster.dir / f"access-node{index + 1}.log"
    return sum(1 for line in open(path, errors="replace") if "wechat-login" in line) if path.exists() else 0


def compare_figures(drill: Drill, primary_url: str, replica) -> dict:
    """The county's figures through nginx (read on the replica) against the same figures computed on the
    primary, once the replica replayed everything."""
    from app import create_app

    client = drill.logged_in("127.0.0.11", "demo-admin")
    with replica.connect() as conn:
        before = conn.execute(sa.text("SELECT xact_commit FROM pg_stat_database WHERE datname = 'sqwd'")).scalar()
    status, through_nginx = client.request("GET", f"/api/v1/stats/summary?area_id={drill.ids['county']}")
    with replica.connect() as conn:
        after = conn.execute(sa.text("SELECT xact_commit FROM pg_stat_database WHERE datname = 'sqwd'")).scalar()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=primary_url)
    with app.app_context():
        from app.areas.models import Area
        from app.extensions import db
        from app.stats import service

        scope = service.Scope((db.session.get(Area, drill.ids["county"]),))
        period = service.Period(service.parse_moment(through_nginx["from"], "from"),
                                service.parse_moment(through_nginx["to"], "to"))
        on_primary = service.summary(scope, period)
        direct = service.summary(scope, period, direct=True)
        db.session.remove()
        db.engine.dispose()
    names = [name for name in on_primary if name not in ("from", "to", "area_name", "area_id")]
    differ = [name for name in names if through_nginx.get(name) != on_primary[name]]
    return {"status": status, "served_by_replica": after > before, "received": through_nginx.get("received"),
            "figures_differing_replica_vs_primary": differ,
            "figures_differing_rollups_vs_direct": [name for name in names if direct[name] != on_primary[name]]}


# --- main ---------------------------------------------------------------------------------------

def main() -> None:
    args = parse_args()
    cluster = Cluster(args.keep)

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    summary = {"drill": "cluster", "passed": False}
    try:
        began = time.monotonic()
        cluster.fake.start()
        cluster.fake.delay_seconds = 0.01
        log(f"PostgreSQL primary on {PRIMARY_PORT} ({cluster.dir})")
        cluster.start_primary()
        cluster.start_redis()  # the demo's history already calls WeChat, whose token lives in Redis
        log("flask db upgrade, flask seed-demo")
        cluster.flask("db", "upgrade")
        cluster.flask("seed-demo")
        log(f"streaming replica (pg_basebackup) on {REPLICA_PORT}; Redis on {REDIS_PORT}")
        cluster.start_replica()
        primary = sa.create_engine(cluster.primary_url, pool_size=3)
        replica = sa.create_engine(cluster.replica_url, pool_size=2)
        with primary.connect() as conn:
            ids = {"sy": conn.execute(sa.text("SELECT id FROM areas WHERE name = '松阳社区'")).scalar(),
                   "county": conn.execute(sa.text("SELECT id FROM areas WHERE kind = 'county' ORDER BY id")).scalar()}
            ids["team_sy"] = conn.execute(sa.text("SELECT id FROM teams WHERE area_id = :a ORDER BY id"),
                                          {"a": ids["sy"]}).scalar()
        log(f"two app nodes on {NODE_PORTS}, nginx on {NGINX_PORT}, two workers")
        for index in range(2):
            cluster.start_node(index)
        cluster.start_nginx()
        drill = Drill(cluster, args.seconds)
        drill.ids = ids
        log("two care plans set up through nginx before the workers start")
        for _ in range(2):
            drill.create_care_plan()
        for index in range(2):
            cluster.start_worker(index)
        log(f"workload for {args.seconds:.0f} s: {RESIDENTS} residents, staff, two volunteers, figures")
        worker_kill = drill.run(primary)
        log("waiting for the outbox to drain and the replica to catch up")
        drained = wait_until(lambda: primary.connect().execute(sa.text(
            "SELECT count(*) FROM notifications WHERE status = 'pending'")).scalar() == 0, 120, "the outbox drain")

        def caught_up() -> bool:
            with primary.connect() as conn:
                return bool(conn.execute(sa.text(
                    "SELECT bool_and(replay_lsn >= pg_current_wal_lsn()) FROM pg_stat_replication")).scalar())

        caught = wait_until(caught_up, 60, "the replica's catching up")
        today = datetime.now(timezone.utc).astimezone(LOCAL).date()
        with primary.connect() as conn:
            starts = {row[0]: row[1] for row in conn.execute(sa.text(
                "SELECT id, starts_on FROM care_plans WHERE id = ANY(:p)"), {"p": list(drill.plans)})}
        want = len(expected_visits(drill.plans, starts, today))
        try:  # worker2 files a plan set up late within a pass (WORKER_INTERVAL 0.5 s); missing ones are counted
            wait_until(lambda: primary.connect().execute(sa.text(
                "SELECT count(*) FROM care_visits WHERE order_id IS NOT NULL AND plan_id = ANY(:p)"),
                {"p": list(drill.plans)}).scalar() >= want, 30, "the care visits' filing")
        except SystemExit as late:
            log(str(late))
        time.sleep(2.5)  # the nodes re-check the replica every REPLICA_CHECK_SECONDS
        orders = count_orders(drill, primary)
        care_visits, visit_orders = count_care_visits(drill, primary)
        notifications = count_notifications(cluster, primary, set(drill.acked.values()) | visit_orders,
                                            drill.in_flight_at_kill)
        limits = check_rate_limits(drill)
        figures = compare_figures(drill, cluster.primary_url, replica)
        statuses = dict(sorted(drill.statuses.items()))
        summary.update({
            "seconds": round(time.monotonic() - began, 1), "workload_seconds": args.seconds,
            "failures_injected": drill.failures, "http_statuses": {str(k): v for k, v in statuses.items()},
            **orders, "care_visits": care_visits, **notifications, "worker_kill": worker_kill, "outbox_drained_after_s": round(drained, 1),
            "rate_limits": limits, "replica": {**drill.lag, "caught_up_after_s": round(caught, 1), **figures},
        })
        zero = ("orders_lost", "orders_duplicated", "orders_without_their_events", "notifications_duplicated",
                "notifications_missing", "pending_left")
        summary["passed"] = (all(summary[name] == 0 for name in zero) and orders["orders_created"] > 0
                             and worker_kill.get("held_when_killed", 0) > 0
                             and statuses.get(500, 0) == 0  # the app's own errors (502: nginx, a node killed)
                             and care_visits["expected"] > 0 and care_visits["created"] == care_visits["expected"]
                             and all(care_visits[name] == 0 for name in (
                                 "duplicated", "missing", "unexpected", "orders_without_their_events",
                                 "plan_creates_failed"))
                             and limits["shared_across_nodes"] and limits["separate_per_client"]
                             and all(limits["served_by_node"]) and figures["served_by_replica"]
                             and not figures["figures_differing_replica_vs_primary"]
                             and not figures["figures_differing_rollups_vs_direct"])
        primary.dispose()
        replica.dispose()
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        summary["interrupted"] = True
    except (Exception, SystemExit) as error:  # noqa: BLE001 - the summary says what went wrong
        import traceback

        traceback.print_exc()
        summary["error"] = f"{type(error).__name__}: {str(error)[:500]}"
    finally:
        cluster.stop()
    print(json.dumps(summary, ensure_ascii=False))
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
