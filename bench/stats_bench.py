"""Benchmark of the figures (GET /stats/summary) on 1M orders in PostgreSQL.

    .venv/bin/python bench/stats_bench.py [--orders 1000000] [--reuse [--no-rebuild]]

Creates the database `bench_stats` next to the one in --url (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), builds the schema from the models,
bulk-loads a county (4 towns × 10 communities × 2 grids) with a year of orders, their ratings and
points through COPY, then times the summary for one community and for the whole county, for one
month and for the whole year, in the service (SQL only) and through HTTP (auth included).
Targets: ≤ 50 ms for a community, ≤ 150 ms for the county (its whole year included).
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2025
TOWNS, COMMUNITIES_PER_TOWN, GRIDS_PER_COMMUNITY = 4, 10, 2
USERS = 5000
STATUS_WEIGHTS = {"ordered": 2, "dispatched": 2, "accepted": 2, "in_service": 3, "completed": 12, "rated": 55,
                  "closed": 18, "cancelled": 6}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL",
                                                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database", default="bench_stats")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds the orders")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--no-rebuild", action="store_true",
                        help="with --reuse: time what is there (indexes and rollups as the last run left them)")
    return parser.parse_args()


def ensure_database(url: str, name: str, reuse: bool) -> str:
    base = sa.engine.make_url(url)
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and not reuse:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# --- loading ------------------------------------------------------------------------------------

def copy_rows(raw, table, columns: list[str], rows) -> int:
    """COPY rows (tuples of Python values) into a table; returns how many."""
    count = 0
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def column_defaults(table, given: list[str]) -> dict:
    """Model defaults for the columns the generator does not fill, so new columns keep working."""
    defaults = {}
    for column in table.columns:
        if column.name in given or column.name == "id":
            continue
        default = None
        if column.default is not None:
            default = column.default.arg if column.default.is_scalar else column.default.arg(None)
        if default is None and not column.nullable:
            raise SystemExit(f"bench: column {table.name}.{column.name} needs a value")
        defaults[column.name] = json.dumps(default) if isinstance(default, (list, dict)) else default
    return defaults


def copy_with_defaults(raw, table, columns: list[str], rows) -> int:
    """COPY rows holding `columns`; every other column gets its model default."""
    defaults = column_defaults(table, columns)
    return copy_rows(raw, table.name, columns + list(defaults), (row + tuple(defaults.values()) for row in rows))


def load(app, total: int, seed: int) -> None:
    from app.areas.models import Area
    from app.categories.models import Category
    from app.categories.service import ensure_default_categories
    from app.extensions import db
    from app.orders.models import Order
    from app.teams.models import Team, TeamMember
    from app.users.models import RoleGrant, User

    rng = random.Random(seed)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_default_categories()
        start = datetime(YEAR, 1, 1, tzinfo=TZ).astimezone(timezone.utc)
        county = Area(kind="county", name="基准县", path="")
        db.session.add(county)
        db.session.flush()
        county.path = f"/{county.id}/"
        places = []  # (area id, community index) of every community and grid
        communities = []
        for t in range(TOWNS):
            town = Area(kind="town", name=f"第{t + 1}镇", parent_id=county.id)
            db.session.add(town)
            db.session.flush()
            town.path = f"{county.path}{town.id}/"
            for c in range(COMMUNITIES_PER_TOWN):
                community = Area(kind="community", name=f"第{t + 1}镇第{c + 1}社区", parent_id=town.id)
                db.session.add(community)
                db.session.flush()
                community.path = f"{town.path}{community.id}/"
                communities.append(community)
                places.append((community.id, len(communities) - 1))
                for g in range(GRIDS_PER_COMMUNITY):
                    grid = Area(kind="grid", name=f"第{g + 1}网格", parent_id=community.id)
                    db.session.add(grid)
                    db.session.flush()
                    grid.path = f"{community.path}{grid.id}/"
                    places.append((grid.id, len(communities) - 1))
        db.session.execute(sa.insert(User), [{"openid": f"bench-{n}", "nickname": f"用户{n}", "avatar_url": "",
                                               "real_name": "", "is_party_member": False, "work_unit": "",
                                               "token_version": 1, "created_at": start}
                                              for n in range(USERS)])
        user_ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        teams = []
        for index, community in enumerate(communities):
            team = Team(area_id=community.id, name=f"{community.name}志愿服务队", invite_code=f"B{index:05d}")
            db.session.add(team)
            db.session.flush()
            members = [user_ids[(index * 20 + k) % USERS] for k in range(1, 6)]
            team.members = [TeamMember(user_id=u, role="leader" if k == 0 else "member")
                            for k, u in enumerate(members)]
            teams.append((team.id, members))
        # 双报到: most volunteers and one user in five are in-service Party members registered at a community.
        units = [f"县直单位{u}" for u in range(60)]
        home = {u: communities[index].id for index, (_team, members) in enumerate(teams) for u in members}
        party = [(u, home.get(u) or rng.choice(communities).id) for u in user_ids
                 if (u in home and rng.random() < 0.8) or rng.random() < 0.2]
        for user_id, home in party:
            db.session.execute(sa.update(User).where(User.id == user_id).values(
                is_party_member=True, home_area_id=home, work_unit=rng.choice(units)))
        db.session.add(RoleGrant(user_id=user_ids[0], role="admin", area_id=county.id))
        db.session.add(RoleGrant(user_id=user_ids[1], role="staff", area_id=communities[0].id))
        db.session.commit()
        categories = [(c.id, c.sla_hours, c.points) for c in db.session.scalars(sa.select(Category))]

        span = (datetime(YEAR + 1, 1, 1, tzinfo=TZ).astimezone(timezone.utc) - start).total_seconds()
        statuses, weights = zip(*STATUS_WEIGHTS.items())
        ratings, points = [], []

        order_columns = ["id", "status", "category_id", "area_id", "title", "description", "address",
                         "contact_name", "contact_phone", "requester_id", "created_by_id", "team_id", "assignee_id",
                         "due_at", "created_at", "dispatched_at", "accepted_at", "started_at", "completed_at",
                         "rated_at", "closed_at", "cancelled_at", "version"]
        defaults = column_defaults(Order.__table__, order_columns)
        extra = list(defaults)

        def orders():
            for order_id in range(1, total + 1):
                area_id, community = rng.choice(places)
                category_id, sla, award = rng.choice(categories)
                created = start + timedelta(seconds=rng.random() * span)
                status = rng.choices(statuses, weights)[0]
                due = created + timedelta(hours=sla)
                team_id, members = teams[community]
                dispatched = accepted = started = completed = rated = closed = cancelled = None
                assignee = None
                reached = ("dispatched", "accepted", "in_service", "completed", "rated", "closed")
                if status in reached:
                    dispatched = created + timedelta(minutes=rng.randint(5, 240))
                if status in reached[1:]:
                    accepted = dispatched + timedelta(minutes=rng.randint(1, 600))
                    assignee = rng.choice(members)
                if status in reached[2:]:
                    started = accepted + timedelta(minutes=rng.randint(5, 120))
                if status in reached[3:]:
                    completed = started + timedelta(hours=rng.expovariate(1 / (sla * 0.6)))
                if status == "rated":
                    rated = completed + timedelta(hours=rng.randint(1, 72))
                    stars = rng.choices((5, 4, 3, 2, 1), (60, 25, 8, 4, 3))[0]
                    ratings.append((order_id, stars, rated))
                    points.append((assignee, area_id, award + (5 if stars == 5 else 0), "order_rated", order_id, rated))
                if status == "closed":
                    closed = completed + timedelta(days=7)
                if status == "cancelled":
                    cancelled = created + timedelta(hours=1)
                requester = rng.choice(user_ids)
                yield (order_id, status, category_id, area_id, "服务", "基准测试工单", "某小区", "张大爷",
                       "13800001234", requester, requester, team_id if dispatched else None, assignee, due, created,
                       dispatched, accepted, started, completed, rated, closed, cancelled, 1,
                       *(defaults[name] for name in extra))

        began = time.perf_counter()
        engine = db.engine
        from app.stats import rollups

        with engine.begin() as conn:  # the figures' rollups: built once after the load, not by a trigger per row
            rollups.pause_triggers(conn)
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            n = copy_rows(driver, "orders", order_columns + extra, orders())
            copy_with_defaults(driver, db.metadata.tables["ratings"], ["order_id", "stars", "created_at"], ratings)
            copy_with_defaults(driver, db.metadata.tables["points_entries"],
                               ["user_id", "area_id", "amount", "reason", "order_id", "created_at"], points)
            with driver.cursor() as cursor:
                cursor.execute("SELECT setval('orders_id_seq', %s)", (n,))
            driver.commit()
        finally:
            raw.close()
        print(f"loaded {n:,} orders, {len(ratings):,} ratings, {len(points):,} points entries "
              f"in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        with engine.begin() as conn:
            rollups.resume_triggers(conn)
        print(f"rollups of the figures built in {time.perf_counter() - began:.1f} s")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            began = time.perf_counter()
            conn.execute(sa.text("VACUUM ANALYZE"))
            print(f"VACUUM ANALYZE in {time.perf_counter() - began:.1f} s")


def rebuild_indexes(app) -> None:
    """With --reuse: build the models' current indexes on the loaded tables (they may have changed)."""
    from app.extensions import db

    from app.stats import rollups

    with app.app_context():
        began = time.perf_counter()
        with db.engine.begin() as conn:  # the figures' rollups as the models have them now, with their triggers
            for table in ("figure_days", "figure_months", "figure_day_points", "figure_month_points",
                          "response_days", "response_months", "order_responses"):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        db.create_all()
        with db.engine.begin() as conn:
            rollups.rebuild(conn)
        print(f"rollups of the figures rebuilt in {time.perf_counter() - began:.1f} s")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("orders", "ratings", "points_entries"):
                for index in db.metadata.tables[table].indexes:
                    conn.execute(sa.text(f"DROP INDEX IF EXISTS {index.name}"))
                    index.create(conn)
            conn.execute(sa.text("VACUUM ANALYZE"))
        print(f"indexes rebuilt and VACUUM ANALYZE in {time.perf_counter() - began:.1f} s")


# --- timing -------------------------------------------------------------------------------------

def timed(fn, runs: int) -> tuple[float, float, object]:
    fn()  # warm-up: plans and cache
    samples, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], result


def measure(app, runs: int) -> list[dict]:
    from app import clock
    from app.areas.models import Area
    from app.extensions import db
    from app.stats import service
    from app.users.models import RoleGrant, User

    clock.freeze(datetime(YEAR, 12, 20, 12, tzinfo=TZ))
    results, exact = [], []
    with app.app_context():
        county = db.session.scalars(sa.select(Area).where(Area.kind == "county")).one()
        community = db.session.scalars(sa.select(Area).where(Area.kind == "community").order_by(Area.id)).first()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("orders")))
        print(f"{total:,} orders in the database; community: {community.name}; county: {county.name}")
        year = service.Period(service.month_period(YEAR, 1).start, service.month_period(YEAR, 12).end)
        month = service.month_period(YEAR, 11)
        for area, label in ((community, "community"), (county, "county")):
            scope = service.Scope((area,))
            for period, period_label in ((month, "one month"), (year, "whole year")):
                median, p95, body = timed(lambda: service.summary(scope, period), runs)
                db.session.rollback()
                if hasattr(service, "_rolled_up"):  # the rollups against the direct computation, every figure
                    began = time.perf_counter()
                    direct = service.summary(scope, period, direct=True)
                    direct_ms = (time.perf_counter() - began) * 1000
                    db.session.rollback()
                    differ = sorted(k for k in direct if direct[k] != body[k])
                    print(f"{label}, {period_label}: rolled up {'==' if not differ else '!='} direct "
                          f"({direct_ms:.0f} ms){' differ: ' + ', '.join(differ) if differ else ''}")
                    exact.append(not differ)
                results.append({"what": f"summary, {label}, {period_label} (SQL)", "median_ms": median,
                                "p95_ms": p95, "received": body["received"]})
                from app.party.service import party_figures

                median, p95, _ = timed(lambda: party_figures(scope, period.start, period.end), runs)
                db.session.rollback()
                results.append({"what": f"  of which 双报到 figures, {label}, {period_label}", "median_ms": median,
                                "p95_ms": p95, "received": body["party_services"]})
        openids = {label: db.session.scalar(sa.select(User.openid).join(RoleGrant, RoleGrant.user_id == User.id)
                                            .where(RoleGrant.role == role))
                   for label, role in (("county", "admin"), ("community", "staff"))}
    client = app.test_client()
    for label, openid in openids.items():
        token = client.post("/api/v1/auth/wechat-login", json={"code": f"dev:{openid}"}).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for params, period_label in (({"from": f"{YEAR}-11-01", "to": f"{YEAR}-12-01"}, "one month"),
                                     ({"from": f"{YEAR}-01-01", "to": f"{YEAR + 1}-01-01"}, "whole year")):
            def call():
                response = client.get("/api/v1/stats/summary", query_string=params, headers=headers)
                assert response.status_code == 200, response.get_json()
                return response.get_json()

            median, p95, body = timed(call, runs)
            results.append({"what": f"GET /stats/summary, {label}, {period_label} (HTTP)", "median_ms": median,
                            "p95_ms": p95, "received": body["received"]})
    clock.freeze(None)
    if exact:
        print(f"every figure equal to the direct computation: {all(exact)} ({len(exact)} summaries)")
    return results


def main() -> None:
    args = parse_args()
    url = ensure_database(args.url, args.database, args.reuse)
    from app import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ECHO=False)
    with app.app_context():
        from app.extensions import db

        have = 0
        if args.reuse and sa.inspect(db.engine).has_table("orders"):
            have = db.session.scalar(sa.text("SELECT count(*) FROM orders"))
        db.session.remove()
    if have != args.orders:
        load(app, args.orders, args.seed)
    else:
        print(f"reusing {have:,} orders in {args.database}")
        if not args.no_rebuild:
            rebuild_indexes(app)
    load_before = os.getloadavg()[0]
    results = measure(app, args.runs)
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load_before:.1f} before and "
          f"{os.getloadavg()[0]:.1f} after timing (other work on the machine inflates the figures)")
    width = max(len(r["what"]) for r in results)
    print(f"\n{'':{width}}  median     p95   orders (双报到 rows: Party members' services)")
    for r in results:
        target = 50 if "community" in r["what"] else 150
        mark = "ok" if r["median_ms"] <= target else f"over {target} ms"
        print(f"{r['what']:{width}}  {r['median_ms']:6.1f}  {r['p95_ms']:6.1f}  {r['received']:>7,}  {mark}")


if __name__ == "__main__":
    main()
