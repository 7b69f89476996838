"""What the access log (app/privacy) adds to an export: one INSERT … SELECT of a row per order.

    PYTHONPATH=. .venv/bin/python bench/access_log_cost.py DATABASE_URL [ORDERS]

Builds a fresh schema from the models in DATABASE_URL (dropping what is there: never point it at data you
keep), fills it with `gen-data`'s county (ORDERS, default 50,000), then times, for the whole county and all
time, the log's INSERT … SELECT and the csv export of GET /stats/export that it precedes.
"""
import sys
import time
from datetime import datetime, timezone

from sqlalchemy import func, select

from app import create_app
from app.extensions import db


def main(url: str, orders: int) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        from app.areas.models import Area
        from app.auth.viewer import load_viewer
        from app.gendata import generate
        from app.privacy import access_log
        from app.privacy.models import PiiAccess
        from app.stats import export as stats_export
        from app.stats.service import Period, Scope
        from app.users.models import RoleGrant, User

        db.drop_all()
        db.create_all()
        generate(orders, seed=1, log=lambda *args: None)
        county = db.session.scalars(select(Area).where(Area.kind == "county")).first()
        admin = User(openid="bench-admin", nickname="admin")
        db.session.add(admin)
        db.session.flush()
        db.session.add(RoleGrant(user_id=admin.id, role="admin", area_id=county.id))
        db.session.commit()
        viewer = load_viewer(admin.id, admin.token_version)
        period = Period(datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
        scope = Scope((county,))
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.0.0.1"}):
            started = time.perf_counter()
            access_log.select_seen(viewer, "stats_export", access_log.order_export_subjects(scope, period))
            logged = time.perf_counter() - started
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in stats_export.csv_response(scope, period).response)
            exported = time.perf_counter() - started
        rows = db.session.scalar(select(func.count()).select_from(PiiAccess))
        print(f"{db.engine.dialect.name}: {rows} log rows written in {logged:.2f} s; the csv export itself "
              f"({size // 1024} kB) {exported:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
