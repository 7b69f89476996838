"""How long a create holds SQLite's write lock (from its BEGIN IMMEDIATE to its COMMIT), in-process, 20,000 orders.

    RATELIMIT_ENABLED=false .venv/bin/python bench/sqlite_write_lock.py     # in the tree to measure

SQLite's writers take turns, so under concurrency this hold, not the request's time, bounds the rate of writes.
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path.cwd() / "bench"))  # the measured tree's bench/common.py

import common  # noqa: E402


def main(orders: int = 20_000, repeat: int = 300) -> None:
    app = common.make_app(common.fresh_database("sqlite", Path(tempfile.mkdtemp())))
    common.build_schema(app)
    actors = common.populate(app, orders, 0, log=lambda *args: None)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {actors.resident_token}"}
    body = common.order_body(actors.area_id)
    with app.app_context():
        from app.extensions import db

        engine = db.engine
    holds, began = [], []

    def traced(sql: str) -> None:  # every statement SQLite runs, also a BEGIN sent past SQLAlchemy
        if sql.startswith("BEGIN IMMEDIATE"):
            began.append(time.perf_counter())
        elif sql == "COMMIT" and began:
            holds.append(time.perf_counter() - began.pop())

    event.listen(engine, "connect", lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(traced))
    engine.dispose()  # connections made from now on are traced
    for _ in range(30):  # warm-up: compiled statements, connections
        client.post("/api/v1/orders", json=body, headers=headers)
    holds.clear()
    start = time.perf_counter()
    for _ in range(repeat):
        assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 201
    wall = (time.perf_counter() - start) / repeat
    print(f"create {wall * 1e6:.0f} µs per request; {len(holds) / repeat:.1f} transactions per request, each holding "
          f"the write lock {statistics.median(holds) * 1e6:.0f} µs (median)")


if __name__ == "__main__":
    main()
