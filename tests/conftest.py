"""Fixtures: an app on a clean database (SQLite file, or TEST_DATABASE_URL), the demo world,
tokens per role, a statement counter and a live HTTP server for concurrency tests."""
import os
import sys
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from werkzeug.serving import make_server

from app import clock, create_app
from app.extensions import db

pytest_plugins = ("tests.plugins.wechat",)

DEMO_OPENIDS = {
    "admin": "demo-admin",
    "staff_sy": "demo-staff-sy",
    "staff_qs": "demo-staff-qs",
    "grid_sy": "demo-grid-sy",
    "leader_sy": "demo-leader-sy",
    "leader_qs": "demo-leader-qs",
    "vol1": "demo-volunteer-sy-1",
    "vol2": "demo-volunteer-sy-2",
    "resident": "demo-resident-sy-1",
    "resident2": "demo-resident-sy-2",
    "resident_qs": "demo-resident-qs-1",
}


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def unavailable(message: str) -> None:
    """Skip a test whose outside part (Redis, chromium) is missing here, loudly; under CI=true fail instead,
    so a green run never hides a check that did not happen."""
    banner = f"!!! {message} !!!"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(banner + " (CI=true: this would be a skip)")
    sys.stderr.write("\n" + banner + "\n")
    warnings.warn(banner, stacklevel=2)
    pytest.skip(banner)


def redis_test_url(purpose: int) -> str:
    """The Redis database a test may empty: 14 (shared limits) or 15 (the WeChat token), or those plus
    TEST_REDIS_DB_OFFSET, so that two runs of the suite (SQLite and PostgreSQL) can share one Redis."""
    return f"redis://127.0.0.1:6379/{purpose + int(os.environ.get('TEST_REDIS_DB_OFFSET', '0'))}"


def redis_or_unavailable(url: str):
    """A client of the Redis at `url`, or unavailable() when it does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {url} ({type(error).__name__}): start it with "
                    "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379`")
    return client


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _worker_database(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once per session from the models."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        if is_postgres(database_url):
            # CASCADE: a table left by an older schema may still hold a foreign key the models no longer name.
            with db.engine.begin() as conn:
                for table in db.metadata.sorted_tables:
                    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


def _wipe(url: str) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if is_postgres(url):
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def app(database_url, _schema, tmp_path):
    """A testing app on a wiped database; the clock is back to real time afterwards."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        _wipe(database_url)
    yield app
    clock.freeze(None)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def wechat_app(app, database_url, fake_wechat):
    """An app on the same wiped database that talks to the fake WeChat server (no dev login)."""
    wechat_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                            WECHAT_APP_ID=fake_wechat.app_id, WECHAT_APP_SECRET=fake_wechat.app_secret,
                            WECHAT_API_BASE_URL=fake_wechat.url, WECHAT_TIMEOUT=1.0, DEV_LOGIN=False)
    yield wechat_app
    with wechat_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_limited_app(app, database_url):
    """Make an app on `app`'s database (so `demo` and its tokens work there) with rate limits on, counted in
    memory, and these settings."""
    from app.extensions import limiter

    made = []

    def make(**overrides):
        limited = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                             RATELIMIT_ENABLED=True, **overrides)
        made.append(limited)
        return limited

    yield make
    if made:
        limiter.reset()
    for limited in made:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login(client, openid: str) -> dict:
    """Headers carrying a dev-mode token for this openid."""
    response = client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{openid}"})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


class Demo:
    """The demo world's ids, with tokens for each demo user made on first use."""

    def __init__(self, app, client, ids: dict):
        self.app, self.client, self.ids = app, client, ids
        self._headers: dict[str, dict] = {}
        with app.app_context():
            from sqlalchemy import select

            from app.teams.models import Team
            from app.users.models import User

            self.user_ids = {key: db.session.scalar(select(User.id).where(User.openid == openid))
                             for key, openid in DEMO_OPENIDS.items()}
            teams = {t.area_id: t.id for t in db.session.scalars(select(Team))}
        self.county, self.town = ids["county"], ids["town"]
        self.sy, self.qs = ids["松阳社区"], ids["青山社区"]
        self.team_sy, self.team_qs = teams[self.sy], teams[self.qs]

    def headers(self, who: str) -> dict:
        if who not in self._headers:
            self._headers[who] = login(self.client, DEMO_OPENIDS[who])
        return self._headers[who]

    def order_body(self, **changes) -> dict:
        body = {"category": "escort", "description": "需要陪同去县医院复查", "address": "松阳小区3栋2单元",
                "contact_name": "张大爷", "contact_phone": "13800001234", "area_id": self.sy}
        body.update(changes)
        return body

    def create_order(self, who: str = "resident", **changes) -> dict:
        response = self.client.post("/api/v1/orders", json=self.order_body(**changes), headers=self.headers(who))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, order_id: int, action: str, who: str, body: dict | None = None, status: int = 200) -> dict:
        response = self.client.post(f"/api/v1/orders/{order_id}/{action}", json=body or {},
                                    headers=self.headers(who))
        assert response.status_code == status, (action, who, response.get_json())
        return response.get_json()

    def order_at(self, status: str, who: str = "resident", **changes) -> dict:
        """An order of the resident's moved along the happy path to `status`."""
        order = self.create_order(who, **changes)
        path = [("dispatch", "staff_sy", {"team_id": self.team_sy}), ("accept", "vol1", None),
                ("start", "vol1", None), ("complete", "vol1", {"result": "已陪同完成复查"}),
                ("rate", who, {"stars": 5, "comment": "很好"})]
        targets = ["ordered", "dispatched", "accepted", "in_service", "completed", "rated"]
        for (action, actor, body), _ in zip(path, range(targets.index(status))):
            order = self.act(order["id"], action, actor, body)
        return order


@pytest.fixture
def demo(app, client) -> Demo:
    """The demo world of DESIGN.md §7."""
    with app.app_context():
        from app.demo import seed_demo

        ids = seed_demo()
    return Demo(app, client, ids)


@pytest.fixture
def count_statements(app):
    """A context manager counting the SQL statements executed inside it."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on loopback by a threaded server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)



_SESSION_STARTED = [0.0]


def pytest_sessionstart(session):
    import time

    _SESSION_STARTED[0] = time.time()


def pytest_terminal_summary(terminalreporter):
    """The page gallery's figures (tests/test_miniprogram_gallery.py), when this run measured them."""
    figures = Path(__file__).resolve().parent.parent / "build" / "gallery" / "figures.txt"
    if figures.exists() and figures.stat().st_mtime >= _SESSION_STARTED[0]:
        terminalreporter.section("mini-program page gallery: figures")
        terminalreporter.write(figures.read_text(encoding="utf-8"))
