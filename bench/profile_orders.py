"""In-process timing of the benchmarked endpoints (no gunicorn, no wrk): where a request's time goes.

    .venv/bin/python bench/profile_orders.py                      # SQLite and PostgreSQL, µs per request
    .venv/bin/python bench/profile_orders.py --db sqlite --profile list   # + cProfile of one endpoint
    .venv/bin/python bench/profile_orders.py --orders 100000 --statements # + time in statements and outside them
    .venv/bin/python bench/profile_orders.py --same-work                  # without what DESIGN §8 added (below)

Builds the bench's data (bench/common.py: demo world + generated orders), then calls each endpoint
through Flask's test client `--repeat` times and prints the mean wall time per request, and the
ratio of /health's time to each; also the CPU time per request (this process and, on PostgreSQL, the
server processes of its connections, as bench/run.py counts cpu_ratio).
"""
import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import say  # noqa: E402


def cases(client, actors):
    staff = {"Authorization": f"Bearer {actors.staff_token}"}
    resident = {"Authorization": f"Bearer {actors.resident_token}"}
    volunteer = {"Authorization": f"Bearer {actors.volunteer_token}"}
    detail = actors.detail_ids[:500]
    accept = iter(actors.accept_ids)
    counter = iter(range(10**9))
    body = common.order_body(actors.area_id)
    return {
        "health": lambda: client.get("/api/v1/health"),
        "list": lambda: client.get("/api/v1/orders?limit=20", headers=staff),
        "detail": lambda: client.get(f"/api/v1/orders/{detail[next(counter) % len(detail)]}", headers=staff),
        "create": lambda: client.post("/api/v1/orders", json=body, headers=resident),
        "accept": lambda: client.post(f"/api/v1/orders/{next(accept)}/accept", headers=volunteer),
    }


class StatementTimer:
    """The wall time spent inside the database driver's execute calls (the statements: the database's work and the
    round trips), apart from the app's own (Python, and COMMIT, which is no statement)."""

    def __init__(self, app):
        from sqlalchemy import event

        from app.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.count, self.seconds, self._started = 0, 0.0, 0.0
        self._listeners = (("before_cursor_execute", self._before), ("after_cursor_execute", self._after))
        for name, listener in self._listeners:
            event.listen(self.engine, name, listener)

    def _before(self, *_args):
        self._started = time.perf_counter()

    def _after(self, *_args):
        self.count += 1
        self.seconds += time.perf_counter() - self._started

    def stop(self):
        from sqlalchemy import event

        for name, listener in self._listeners:
            event.remove(self.engine, name, listener)


def without_section_8(app) -> list[str]:
    """Switch off what DESIGN §8 added to the benchmarked requests after the order core's redesign began (e79ff12):
    a staff detail's access-log row and ranked teams, a create's likely duplicates, the figures' rollup triggers on
    every order INSERT and UPDATE. The same work as e79ff12's, to compare the code that does it; what is missing
    (an older tree) is left alone. Returns what was switched off."""
    import importlib

    import sqlalchemy as sa

    from app.extensions import db

    done = []
    patches = (("app.privacy.access_log", "order_viewed", lambda *args, **kwargs: None),
               ("app.dispatch.ranking", "dispatch_teams", lambda *args, **kwargs: []),
               # a create's likely duplicates: read back with the order (older trees), or with its area
               ("app.orders.queries", "earlier_ids", lambda *args: sa.null().label("duplicate_ids")),
               ("app.dispatch.duplicates", "earlier_ids", lambda *args: sa.null().label("duplicate_ids")))
    for module_name, name, replacement in patches:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, name):
            setattr(module, name, replacement)
            done.append(f"{module_name}.{name}")
    try:
        from app.stats import rollups
    except ImportError:
        return done
    with app.app_context():
        for statement in rollups.drop_triggers_sql(db.engine.dialect.name == "postgresql"):
            db.session.execute(sa.text(statement))
        db.session.commit()
    return done + ["rollup triggers"]


def measure(kind: str, args, workdir: Path) -> dict:
    url = common.fresh_database(kind, workdir, name="sqwd_profile")
    app = common.make_app(url)
    common.build_schema(app)
    actors = common.populate(app, args.orders, args.repeat * 3 + 50, log=lambda *a: None)
    if args.same_work:
        say(f"[{kind}] switched off: {', '.join(without_section_8(app)) or 'nothing (none of it is here)'}")
    client = app.test_client()
    calls = cases(client, actors)
    result = {}
    for name, call in calls.items():
        for _ in range(20):  # warm-up: compiled statements, connections
            response = call()
            assert response.status_code in (200, 201), (name, response.status_code, response.get_data(True)[:300])
        repeat = args.repeat if name != "accept" else min(args.repeat, len(actors.accept_ids) - 40)
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
        backends = common.postgres_backends("sqwd_profile") if kind == "postgresql" else []
        timer = StatementTimer(app) if args.statements else None
        own_before, server_before = time.process_time(), common.cpu_seconds(backends)
        started = time.perf_counter()
        for _ in range(repeat):
            call()
        elapsed = time.perf_counter() - started
        if timer:
            timer.stop()
            inside, outside = timer.seconds / repeat * 1e6, (elapsed - timer.seconds) / repeat * 1e6
            say(f"  {name}: {elapsed / repeat * 1e6:.0f} µs = {timer.count / repeat:.1f} statements {inside:.0f} µs"
                f" + outside them {outside:.0f} µs")
        own, server = time.process_time() - own_before, common.cpu_seconds(backends) - server_before
        cpu = own + server
        if backends:
            say(f"  {name}: app {own / repeat * 1e6:.0f} µs + database server {server / repeat * 1e6:.0f} µs CPU")
        if args.profile == name:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats(args.sort)
            stats.print_stats(args.lines)
        result[name] = (elapsed / repeat * 1e6, cpu / repeat * 1e6)
    if kind == "postgresql":
        from app.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        common.drop_postgres("sqwd_profile")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", help="cProfile this endpoint (health, list, detail, create, accept)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--statements", action="store_true",
                        help="also split each request's time into its statements and the rest")
    parser.add_argument("--same-work", action="store_true",
                        help="without what DESIGN §8 added to these requests after e79ff12 (to compare with it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sqwd-profile-") as tmp:
        for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
            figures = measure(kind, args, Path(tmp))
            health, health_cpu = figures["health"]
            say(f"[{kind}] wall " + "  ".join(f"{name} {us:6.0f} µs ×{health / us:.3f}"
                                              for name, (us, _cpu) in figures.items()))
            say(f"[{kind}] cpu  " + "  ".join(f"{name} {cpu:6.0f} µs ×{health_cpu / cpu:.3f}"
                                              for name, (_us, cpu) in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
