"""How long a create holds SQLite's write lock (from its BEGIN IMMEDIATE to its COMMIT), in-process, 20,000 orders.

    RATELIMIT_ENABLED=false .venv/bin/python bench/sqlite_write_lock.py     # in the tree to measure

SQLite's writers take turns, so under concurrency this hold, not the request's time, bounds the rate of writes.
"""
import sys, time, tempfile, statistics
from pathlib import Path
sys.path.insert(0, str(Path.cwd() / "bench"))
import common
from sqlalchemy import event
workdir = Path(tempfile.mkdtemp())
url = common.fresh_database("sqlite", workdir)
app = common.make_app(url)
common.build_schema(app)
actors = common.populate(app, 20000, 2000, log=lambda *a: None)
client = app.test_client()
resident = {"Authorization": f"Bearer {actors.resident_token}"}
body = common.order_body(actors.area_id)
holds, state = [], {}
with app.app_context():
    from app.extensions import db
    engine = db.engine
@event.listens_for(engine, "begin")
def b(conn): state["b"] = time.perf_counter()
@event.listens_for(engine, "commit")
def c(conn):
    if "b" in state: holds.append(time.perf_counter() - state.pop("b"))
for _ in range(30): client.post("/api/v1/orders", json=body, headers=resident)
holds.clear(); t0 = time.perf_counter(); n = 300
for _ in range(n): client.post("/api/v1/orders", json=body, headers=resident)
wall = (time.perf_counter() - t0) / n
print(f"create {wall*1e6:.0f} µs per request; transactions per request {len(holds)/n:.1f}; "
      f"longest transaction (write lock held) median {statistics.median(sorted(holds)[-n:])*1e6:.0f} µs")
