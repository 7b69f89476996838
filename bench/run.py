"""The HTTP benchmark: gunicorn (gunicorn.conf.py) on SQLite and PostgreSQL with generated data.

    .venv/bin/python bench/run.py            # make bench: 100k orders, 10 s per endpoint
    .venv/bin/python bench/run.py --quick    # make bench-quick: 2k orders, about a minute in all

For each database: a fresh database with the demo world and `--orders` generated orders, then
1. SQL statements per request of each endpoint, counted in-process;
2. wrk (closed loop) against gunicorn: requests/s, p50 and p99 of
   GET /health, GET /orders?limit=20 (staff), GET /orders/{id}, POST /orders, POST /orders/{id}/accept,
   each also as a ratio to /health's rate;
3. an open-loop client at a fixed 300 requests/s (bench/fixedrate.py): p50 and p99 of a mix of the
   five (health 1, list 3, detail 4, create 1, accept 1), and (full run only) of each endpoint alone;
   each from a settled database and a quiet server, `--repeats` times (the run with the median p99), with the
   moments the machine itself stalled (a probe process's late wake-ups). The p99 target is judged on the mix
   and the reads; a write alone at 300/s is shown with its load (see P99_JUDGED);
4. the RSS of every gunicorn worker, from /proc.
A human-readable table goes to stderr; the last line on stdout is one line of JSON with every figure.
Rate limits are off (RATELIMIT_ENABLED=false).
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import say  # noqa: E402
from fixedrate import fixed_rate  # noqa: E402

ENDPOINTS = ("health", "list", "detail", "create", "accept")
TARGETS = {"list_ratio": 0.30, "detail_ratio": 0.35, "create_ratio_postgresql": 0.15, "p99_ms_at_300": 50,
           "statements": 6, "worker_rss_mb": 150}


def bench_database(kind: str, args, workdir: Path) -> dict:
    started = time.perf_counter()
    url = common.fresh_database(kind, workdir)
    app = common.make_app(url)
    common.build_schema(app)
    # Enough dispatched orders that every accept (wrk and fixed rate) takes a fresh one.
    backlog = int(args.duration * 900 + fixed_accepts_needed(args) + 200)
    actors = common.populate(app, args.orders, backlog, log=lambda *a: None)
    say(f"[{kind}] data ready: {args.orders} orders, {backlog} dispatched for accept "
        f"({time.perf_counter() - started:.1f}s)")
    statements = common.statements_per_request(app, actors)
    actors.accept_ids = actors.accept_ids[:-5]  # the in-process count used the last five
    say(f"[{kind}] statements per request: {statements}")

    server = common.start_gunicorn(url, workdir, workers=args.workers)
    database = url.rsplit("/", 1)[1] if kind == "postgresql" else None
    try:
        results = run_endpoints(server.url, actors, args, server, database, url)
        workers = server.worker_pids()
        rss = {str(pid): round(common.rss_mb(pid), 1) for pid in workers}
        peak = {str(pid): round(common.rss_mb(pid, "VmHWM"), 1) for pid in workers}
    finally:
        server.stop()
    health = results["wrk"]["health"]["rps"] or 1
    health_cpu = results["wrk"]["health"]["cpu_ms_per_request"] or 1
    for name in ENDPOINTS:
        results["wrk"][name]["ratio"] = round(results["wrk"][name]["rps"] / health, 3)
        # The same ratio from CPU per request: the capacity ratio on an otherwise idle machine.
        results["wrk"][name]["cpu_ratio"] = round(health_cpu / (results["wrk"][name]["cpu_ms_per_request"] or 1), 3)
    return {"endpoints": results["wrk"], "fixed_rate": results["fixed"], "statements": statements,
            "worker_rss_mb": rss, "worker_peak_rss_mb": peak, "workers": len(workers),
            "orders": args.orders, "seconds": round(time.perf_counter() - started, 1)}


def run_endpoints(base: str, actors: common.Actors, args, server: common.Gunicorn, database: str | None,
                  database_url: str) -> dict:
    api = f"{base}/api/v1"
    body = json.dumps(common.order_body(actors.area_id), ensure_ascii=False)
    split = len(actors.accept_ids) - fixed_accepts_needed(args)
    wrk_accept, fixed_accept = actors.accept_ids[:split], actors.accept_ids[split:]
    wrk_runs = common.wrk_runs(api, actors.staff_token, actors.resident_token, actors.volunteer_token,
                               actors.detail_ids[:500], body, wrk_accept, args.threads)
    results = {"wrk": {}, "fixed": {}}
    # Warm every worker up (imports, compiled statements, connections) before anything is measured.
    for name in ("list", "detail") if args.quick else ("health", "list", "detail", "create"):
        script, url, env = wrk_runs[name]
        common.run_wrk(url, script, 1, args.connections, args.threads, env)
    for name, (script, url, env) in wrk_runs.items():
        # CPU spent per request by the workers (and PostgreSQL's backends for this database): what a request
        # costs, whatever else the machine is doing; requests/s depend on the CPU left to us.
        pids = server.worker_pids() + (common.postgres_backends(database) if database else [])
        before = common.cpu_seconds(pids)
        figures = common.run_wrk(url, script, args.duration, args.connections, args.threads, env)
        figures["cpu_ms_per_request"] = round((common.cpu_seconds(pids) - before) * 1000 / max(1, figures["requests"]), 2)
        results["wrk"][name] = figures
        say(f"  wrk {name:7} {figures}")
    staff = {"Authorization": f"Bearer {actors.staff_token}"}
    resident = {"Authorization": f"Bearer {actors.resident_token}"}
    volunteer = {"Authorization": f"Bearer {actors.volunteer_token}"}
    detail = actors.detail_ids[:500]
    encoded = body.encode()
    pool = list(reversed(fixed_accept))  # every accept sent at the fixed rate takes a fresh order
    requests = {
        "health": lambda i: ("GET", "/api/v1/health", {}, None),
        "list": lambda i: ("GET", "/api/v1/orders?limit=20", staff, None),
        "detail": lambda i: ("GET", f"/api/v1/orders/{detail[i % len(detail)]}", staff, None),
        "create": lambda i: ("POST", "/api/v1/orders", resident, encoded),
        "accept": lambda i: ("POST", f"/api/v1/orders/{pool.pop()}/accept", volunteer, b"{}"),
    }
    # The mix of a busy morning: mostly reads, some orders placed and taken.
    mix = [name for name, weight in MIX for _ in range(weight)]
    counters = {name: 0 for name in requests}

    def mixed(i: int):
        name = mix[i % len(mix)]
        counters[name] += 1
        return requests[name](counters[name] - 1)

    runs = {"mixed": mixed} if args.quick else {**requests, "mixed": mixed}
    for name, make in runs.items():
        attempts = []
        for _ in range(args.repeats):
            # Each run starts from a settled, quiet server: after the last run's writes (wrk's thousands of
            # creates and accepts, or this loop's), and after its closing connections, which would otherwise
            # land in this run's first second (25 requests over 40 ms right after another run, none after 2 s).
            common.settle(database_url)
            time.sleep(QUIET_SECONDS)
            counters.update({key: 0 for key in counters})
            figures = fixed_rate(base, make, rate=args.rate, duration=args.fixed_duration)
            figures.pop("statuses", None) if not figures.get("errors") else None
            attempts.append(figures)
            say(f"  {args.rate:.0f} rps {name:7} {figures}")
        # This shared 2-core VM stalls now and then for a few hundred ms, whatever runs on it (the stalls show
        # in over_50ms_at_s, at random moments of reads-only runs): the run with the median p99 of `repeats`.
        attempts.sort(key=lambda f: f.get("p99_ms", 1e9))
        results["fixed"][name] = {**attempts[len(attempts) // 2], "p99_ms_runs": [f.get("p99_ms") for f in attempts]}
    return results


def fixed_accepts_needed(args) -> int:
    """Dispatched orders the fixed-rate runs accept: the accept runs and a tenth of each mix."""
    per_run = int(args.fixed_duration * args.rate)
    return args.repeats * (per_run + per_run // 10 + 20)


MIX = [("health", 1), ("list", 3), ("detail", 4), ("create", 1), ("accept", 1)]
# p99 ≤ 50 ms at 300 requests/s is judged on the service's load (the mix) and on each read alone. A write alone
# at 300/s is measured and shown with its load (300/s as a share of its wrk rate), not judged: the create
# target (≥ 0.15 × /health, about 250/s on this machine) allows a rate below 300/s, where no p99 holds.
P99_JUDGED = ("health", "list", "detail", "mixed")
QUIET_SECONDS = 2


def check_targets(figures: dict) -> dict:
    """Each target and whether it was met."""
    checks = {}
    for kind, result in figures["databases"].items():
        wrk, fixed = result["endpoints"], result["fixed_rate"]
        checks[f"{kind}.list_ratio>={TARGETS['list_ratio']}"] = wrk["list"]["ratio"] >= TARGETS["list_ratio"]
        checks[f"{kind}.detail_ratio>={TARGETS['detail_ratio']}"] = wrk["detail"]["ratio"] >= TARGETS["detail_ratio"]
        if kind == "postgresql":
            checks[f"{kind}.create_ratio>={TARGETS['create_ratio_postgresql']}"] = \
                wrk["create"]["ratio"] >= TARGETS["create_ratio_postgresql"]
        # The same three ratios from CPU per request (independent of what else the machine runs).
        checks[f"{kind}.list_cpu_ratio>={TARGETS['list_ratio']}"] = wrk["list"]["cpu_ratio"] >= TARGETS["list_ratio"]
        checks[f"{kind}.detail_cpu_ratio>={TARGETS['detail_ratio']}"] = \
            wrk["detail"]["cpu_ratio"] >= TARGETS["detail_ratio"]
        if kind == "postgresql":
            checks[f"{kind}.create_cpu_ratio>={TARGETS['create_ratio_postgresql']}"] = \
                wrk["create"]["cpu_ratio"] >= TARGETS["create_ratio_postgresql"]
        for name in fixed:
            if name in P99_JUDGED:
                checks[f"{kind}.{name}.p99@300rps<={TARGETS['p99_ms_at_300']}ms"] = \
                    fixed[name].get("p99_ms", 1e9) <= TARGETS["p99_ms_at_300"] and fixed[name].get("errors", 1) == 0
        checks[f"{kind}.statements<={TARGETS['statements']}"] = max(result["statements"].values()) <= \
            TARGETS["statements"]
        checks[f"{kind}.worker_rss<={TARGETS['worker_rss_mb']}MB"] = max(result["worker_rss_mb"].values()) <= \
            TARGETS["worker_rss_mb"]
    return checks


def print_table(figures: dict) -> None:
    for kind, result in figures["databases"].items():
        say(f"\n== {kind}: {result['orders']} orders, {result['workers']} gunicorn workers ==")
        say(f"{'endpoint':8} {'req/s':>8} {'×health':>8} {'p50 ms':>8} {'p99 ms':>8} │ "
            f"{'@300/s p50':>10} {'p99':>7} {'errors':>6} {'load':>5} │ {'SQL/req':>7} │ {'CPU ms':>7} {'×health':>8}")
        for name in (*ENDPOINTS, "mixed"):
            w = result["endpoints"].get(name) or {"rps": float("nan"), "ratio": float("nan"), "p50_ms": float("nan"),
                                                  "p99_ms": float("nan")}
            f = result["fixed_rate"].get(name, {})
            say(f"{name:8} {w['rps']:8.1f} {w['ratio']:8.3f} {w['p50_ms'] or 0:8.2f} {w['p99_ms'] or 0:8.2f} │ "
                f"{f.get('p50_ms', float('nan')):10.2f} {f.get('p99_ms', float('nan')):7.2f} "
                f"{f.get('errors', 0):6d} {figures['rate'] / w['rps'] if w['rps'] else float('nan'):5.2f} │ "
                f"{result['statements'].get(name, float('nan')):7.2f} │ "
                f"{w.get('cpu_ms_per_request', float('nan')):7.2f} {w.get('cpu_ratio', float('nan')):8.3f}")
        say(f"worker RSS MB: {result['worker_rss_mb']} (peak {result['worker_peak_rss_mb']})")
    say("load: 300/s as a share of the endpoint's wrk rate. p99 at 300/s is judged for the mix and the reads;"
        " a write alone near its capacity queues (shown, not judged).")
    say("\ntargets:")
    for name, ok in figures["targets_met"].items():
        say(f"  {'ok  ' if ok else 'MISS'} {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="≤ 60 s: 2k orders, 2 s of wrk per endpoint, 3 s of the mix at the fixed rate")
    parser.add_argument("--orders", type=int)
    parser.add_argument("--duration", type=float, help="seconds of wrk per endpoint")
    parser.add_argument("--fixed-duration", type=float, help="seconds at the fixed rate per endpoint")
    parser.add_argument("--rate", type=float, default=300, help="the fixed rate (requests/s)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--db", default="sqlite,postgresql", help="databases, comma-separated")
    parser.add_argument("--repeats", type=int, help="fixed-rate runs per endpoint, the median p99 reported "
                                                     "(default 3; --quick: 1)")
    args = parser.parse_args()
    args.orders = args.orders if args.orders is not None else (2000 if args.quick else 100_000)
    args.duration = args.duration or (2 if args.quick else 10)
    args.fixed_duration = args.fixed_duration or (3 if args.quick else 10)
    args.repeats = args.repeats or (1 if args.quick else 3)
    common.ensure_wrk()
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    if "postgresql" in kinds and not common.postgres_available():
        say(f"PostgreSQL is not reachable at {common.PG_BASE}: skipping it")
        kinds.remove("postgresql")
    figures = {"databases": {}, "quick": args.quick, "cores": os.cpu_count(), "rate": args.rate,
               "wrk": {"connections": args.connections, "threads": args.threads, "seconds": args.duration}}
    with tempfile.TemporaryDirectory(prefix="sqwd-bench-") as tmp:
        for kind in kinds:
            figures["databases"][kind] = bench_database(kind, args, Path(tmp))
            if kind == "postgresql":
                common.drop_postgres("sqwd_bench")
    figures["load_average"] = os.getloadavg()[0]
    figures["targets_met"] = check_targets(figures)
    print_table(figures)
    print(common.dump_json(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
