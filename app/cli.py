"""flask commands: seed-demo, grant-role, gen-data, backup, worker, prune-outbox, prune-uploads,
blank-expired-contacts, labels, rebuild-rollups."""
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.extensions import db


@click.command("seed-demo")
@click.option("--no-history", is_flag=True, help="the world and its accounts only, without the last three months")
@with_appcontext
def seed_demo_command(no_history: bool):
    """Load the demo world (county, town, two communities, users, teams, offerings) and its last three months."""
    from app.care.demo import seed_care_plan
    from app.demo import seed_demo
    from app.demo_history import seed_history

    ids = seed_demo()
    # orders, calls, rewards and redemptions of the last three months (app/demo_history.py)
    added = {} if no_history else seed_history()
    if not no_history:  # a care plan with its past visits (app/care/demo.py)
        added["care_plan_visits"] = seed_care_plan()
    click.echo(f"demo world ready: {ids}; added {added}")


@click.command("grant-role")
@click.argument("openid")
@click.argument("role", type=click.Choice(["admin", "staff", "grid_worker"]))
@click.option("--area", "area_id", type=int, required=True, help="id of the area the role covers")
@with_appcontext
def grant_role_command(openid: str, role: str, area_id: int):
    """Grant ROLE on an area to the user with OPENID (created if needed)."""
    from app.areas.models import Area
    from app.categories.service import ensure_default_categories
    from app.users.service import grant_role, user_by_openid

    if db.session.get(Area, area_id) is None:
        raise click.BadParameter(f"no area has the id {area_id}", param_hint="--area")
    ensure_default_categories()
    user = user_by_openid(openid)
    db.session.flush()
    grant = grant_role(None, user.id, role, area_id)
    db.session.commit()  # a command is its own transaction: it commits what the operations flushed
    click.echo(f"granted {grant.role} on area {grant.area_id} to {openid} (user {user.id})")


@click.command("gen-data")
@click.option("--orders", "orders", type=click.IntRange(min=0), required=True, help="how many orders to add")
@click.option("--communities", type=click.IntRange(min=1), default=None, help="default: orders / 2500 (4 … 4000)")
@click.option("--seed", type=int, default=20260101, help="random seed (the same seed gives the same data)")
@with_appcontext
def gen_data_command(orders: int, communities: int | None, seed: int):
    """Add a realistic year of data: areas, users, teams, orders in every status with events and ratings."""
    from flask import current_app

    from app.gendata import generate

    if current_app.config["APP_ENV"] == "production":
        # Made-up people and orders, and (from 100k orders) indexes dropped and rebuilt while it loads.
        raise click.UsageError("gen-data fills a database with made-up data: refused with APP_ENV=production")

    counts = generate(orders, communities=communities, seed=seed, log=click.echo)
    click.echo(f"generated: {counts}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str):
    """Write a consistent backup of the database to PATH (SQLite online backup; pg_dump on PostgreSQL)."""
    from app.backup import backup_database

    click.echo(f"backup written: {backup_database(path)}")


@click.command("worker")
@click.option("--once", is_flag=True, help="run one pass and exit (for cron and tests)")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="seconds between passes (default: WORKER_INTERVAL_SECONDS)")
@with_appcontext
def worker_command(once: bool, interval: float | None):
    """Supervise open orders (催办, 督办, auto-close) and deliver notifications; stops on SIGTERM."""
    import threading

    from flask import current_app

    from app.supervision.worker import install_stop_handlers, run_forever, run_pass

    if once:
        click.echo(f"worker pass: {run_pass()}")
        return
    stop = threading.Event()
    restore = install_stop_handlers(stop)
    try:
        run_forever(interval or float(current_app.config["WORKER_INTERVAL_SECONDS"]), stop)
    finally:
        restore()


@click.command("prune-outbox")
@with_appcontext
def prune_outbox_command():
    """Delete delivered and failed notifications older than NOTIFY_KEEP_DAYS (`flask worker` does it daily)."""
    from flask import current_app

    from app.notifications.delivery import prune_outbox

    click.echo(f"outbox pruned: {prune_outbox()} notifications older than "
               f"{current_app.config['NOTIFY_KEEP_DAYS']} days (the in-app messages stay)")


@click.command("prune-uploads")
@with_appcontext
def prune_uploads_command():
    """Delete uploads nothing refers to (no order, no reward) after UPLOAD_ORPHAN_HOURS (`flask worker` does it
    at start and then every PRUNE_EVERY_HOURS)."""
    from flask import current_app

    from app.attachments.service import delete_unreferenced

    click.echo(f"uploads deleted: {delete_unreferenced()} that nothing referred to for "
               f"{current_app.config['UPLOAD_ORPHAN_HOURS']:g} hours")


@click.command("blank-expired-contacts")
@with_appcontext
def blank_expired_contacts_command():
    """Blank the contact name, phone and address of orders final for more than PII_RETENTION_DAYS (`flask
    worker` does it daily)."""
    from flask import current_app

    from app.privacy.service import blank_expired_contacts

    click.echo(f"contact fields blanked: {blank_expired_contacts()} orders final for more than "
               f"{current_app.config['PII_RETENTION_DAYS']} days")


@click.group("labels")
def labels_group():
    """The clients' label files, generated from the server's enums (app/labels.py)."""


@labels_group.command("write")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write under this directory instead of the repository.")
def labels_write_command(root: Path | None):
    """Write miniprogram/utils/labels.js and app/console/static/labels.js (`make labels`)."""
    from app import labels

    for path in labels.write(root or labels.ROOT):
        click.echo(f"wrote {path}")


@labels_group.command("check")
def labels_check_command():
    """Fail when a label file differs from what the server's enums generate."""
    from app import labels

    stale = labels.stale()
    if stale:
        raise click.ClickException(f"stale label files: {', '.join(stale)}; run `make labels`")
    click.echo("label files are current")


@click.command("rebuild-rollups")
@with_appcontext
def rebuild_rollups_command():
    """Recompute the figures' rollups from the orders, ratings and points (app/stats/rollups.py), in one
    transaction: after a bulk load with the triggers off, or if the log says the rollups disagree."""
    import time

    from app.extensions import db
    from app.stats import rollups

    began = time.perf_counter()
    rollups.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"rollups rebuilt in {time.perf_counter() - began:.1f} s")


def register(app: Flask) -> None:
    for command in (seed_demo_command, grant_role_command, gen_data_command, backup_command, worker_command,
                    prune_outbox_command, prune_uploads_command, blank_expired_contacts_command, labels_group,
                    rebuild_rollups_command):
        app.cli.add_command(command)
