"""Two commits side by side under wrk, alternating, on PostgreSQL or SQLite: rates as shares of each one's /health.

    git worktree add --detach /tmp/before e79ff12 && ln -s "$PWD/.venv" /tmp/before/.venv
    .venv/bin/python bench/ab.py before=/tmp/before after=.            # 3 rounds of 5 s per endpoint
    .venv/bin/python bench/ab.py before=/tmp/before after=. --rounds 5 --triggers deferred
    .venv/bin/python bench/ab.py before=/tmp/before after=. --db sqlite

`make bench` runs one commit at a time; on this shared VM, whose speed drifts by 10–30 % within a session, two
such runs ten minutes apart differ by as much as the change under test. Here each tree builds its own database
(its own migrations, `gen-data` and bench actors: bench/common.py of that tree, 100,000 orders) and serves it with
its own gunicorn; both stay up, and the endpoints are measured in turn, A then B, B then A, so that a drift
touches both alike. The median of the rounds is printed last.

`--triggers deferred|off` re-creates the figures' rollup triggers (app/stats/rollups.py) of the *last* tree
as deferred constraint triggers (fired at COMMIT) or drops them: what they cost the writes under concurrency.
An experiment only: deferred triggers change what their cross-table reads see (see the README).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ENDPOINTS = ("health", "list", "detail", "create", "accept")
ACCEPTS_PER_RUN = 5000


def serve(name: str, db: str, orders: int, backlog: int) -> None:
    """In a tree (the working directory): a database, gunicorn on it; the actors as JSON on stdout; stop at EOF."""
    sys.path.insert(0, str(Path.cwd() / "bench"))
    import common

    workdir = Path(tempfile.mkdtemp(prefix="sqwd-ab-"))
    url = common.fresh_database(db, workdir, name=name)
    app = common.make_app(url)
    common.build_schema(app)
    actors = common.populate(app, orders, backlog, log=lambda *args: None)
    server = common.start_gunicorn(url, workdir)
    print(json.dumps({"url": server.url, "database": url, "staff": actors.staff_token,
                      "resident": actors.resident_token, "volunteer": actors.volunteer_token,
                      "detail_ids": actors.detail_ids[:500], "accept_ids": actors.accept_ids,
                      "body": common.order_body(actors.area_id)}, ensure_ascii=False), flush=True)
    sys.stdin.read()
    server.stop()
    if db == "postgresql":
        common.drop_postgres(name)


def set_triggers(url: str, mode: str) -> None:
    import sqlalchemy as sa

    from app.stats.rollups import create_triggers_sql, drop_triggers_sql

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in drop_triggers_sql(True):
            connection.execute(sa.text(statement))
        for statement in create_triggers_sql(True) if mode != "off" else []:
            if mode == "deferred":
                statement = re.sub(r"^CREATE TRIGGER (\w+) AFTER (.*?) ON (\w+) FOR EACH ROW",
                                   r"CREATE CONSTRAINT TRIGGER \1 AFTER \2 ON \3 DEFERRABLE INITIALLY DEFERRED "
                                   r"FOR EACH ROW", statement)
            connection.execute(sa.text(statement))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", help="label=path of a checkout (with .venv), two or more")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="of wrk per endpoint and round")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--triggers", choices=("as-built", "deferred", "off"), default="as-built",
                        help="PostgreSQL only")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    backlog = (args.rounds + 1) * ACCEPTS_PER_RUN  # a fresh slice of dispatched orders for every accept run
    if args.serve:
        serve(args.serve, args.db, args.orders, backlog)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import common

    trees = dict(tree.split("=", 1) for tree in args.trees)
    if len(trees) < 2:
        parser.error("give two or more trees, as label=path")
    if args.triggers != "as-built" and args.db != "postgresql":
        parser.error("--triggers is for PostgreSQL")
    servers, actors = {}, {}
    for number, (label, path) in enumerate(trees.items()):
        servers[label] = subprocess.Popen(
            [str(Path(path, ".venv/bin/python")), str(Path(__file__).resolve()), "--serve", f"sqwd_ab{number}",
             "--db", args.db, "--orders", str(args.orders), "--rounds", str(args.rounds)],
            cwd=path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "RATELIMIT_ENABLED": "false"})
    try:
        for label, server in servers.items():
            line = server.stdout.readline()
            if not line:
                raise SystemExit(f"{label}: the server did not start")
            actors[label] = json.loads(line)
        if args.triggers != "as-built":
            set_triggers(actors[list(actors)[-1]]["database"], args.triggers)
        accepts = {label: iter(range(0, len(a["accept_ids"]), ACCEPTS_PER_RUN)) for label, a in actors.items()}

        def runs(label: str) -> dict:
            a, start = actors[label], next(accepts[label])
            return common.wrk_runs(a["url"] + "/api/v1", a["staff"], a["resident"], a["volunteer"], a["detail_ids"],
                                   json.dumps(a["body"], ensure_ascii=False),
                                   a["accept_ids"][start:start + ACCEPTS_PER_RUN])

        for label in actors:  # warm every worker up: imports, compiled statements, connections
            for name, (script, url, env) in runs(label).items():
                if name != "accept":  # (its slice is left unused)
                    common.run_wrk(url, script, 1, 8, 1, env)
        rates = {label: [] for label in actors}
        for round_ in range(args.rounds):
            order = list(actors) if round_ % 2 == 0 else list(actors)[::-1]
            for label in order:
                figures = {name: common.run_wrk(url, script, args.seconds, 8, 1, env)
                           for name, (script, url, env) in runs(label).items()}
                failed = {name: f["non_2xx"] + f["socket_errors"] for name, f in figures.items()
                          if f["non_2xx"] or f["socket_errors"]}
                if failed:
                    raise SystemExit(f"{label}: requests failed, the rates would mean nothing: {failed}")
                rate = {name: f["rps"] for name, f in figures.items()}
                rates[label].append(rate)
                print(f"{label} round {round_ + 1}: " + "  ".join(
                    f"{name} {value:.0f}/s ×{value / rate['health']:.3f}" for name, value in rate.items()), flush=True)
    finally:
        for server in servers.values():
            server.stdin.close()
        for server in servers.values():
            server.wait()
    for label, rounds in rates.items():
        print(f"{label}: median of {len(rounds)} rounds, /health {statistics.median(r['health'] for r in rounds):.0f}/s"
              + "".join(f"  {name} ×{statistics.median(r[name] / r['health'] for r in rounds):.3f}"
                        for name in ENDPOINTS[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
