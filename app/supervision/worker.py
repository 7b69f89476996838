"""The background worker (`flask worker`): supervision passes and notification delivery.

`flask worker` repeats a pass every WORKER_INTERVAL_SECONDS until SIGTERM or SIGINT, which let the
message in hand finish and give back the rest of the batch; `flask worker --once` runs one pass
and exits (for cron and tests). Several workers may run on PostgreSQL; on SQLite run one.
"""
import logging
import signal
import threading
import time
from collections.abc import Callable

from flask import current_app

from app.attachments.service import delete_unreferenced as delete_unreferenced_uploads
from app.care.service import file_due_visits
from app.extensions import db
from app.notifications.delivery import deliver_pending, prune_outbox, worker_name
from app.privacy.service import blank_expired_contacts
from app.stats import rollups
from app.supervision.service import supervise

log = logging.getLogger(__name__)
BATCHES_PER_PASS = 20  # then the ladder has its turn again; a backlog is worked on without sleeping


def run_pass(worker: str | None = None, should_stop: Callable[[], bool] = lambda: False) -> dict:
    """File the care plans' visits that are due, supervise open orders, deliver the due notifications (those just
    written included), then fold the figures' new rollup rows."""
    try:
        care_visits = file_due_visits()
    except Exception:  # never in the way of supervision and delivery: logged, tried again next pass
        log.exception("filing care plan visits failed")
        db.session.rollback()
        care_visits = 0
    summary = supervise()
    summary["care_visits"] = care_visits
    delivered = deliver_pending(worker, should_stop=should_stop, max_batches=BATCHES_PER_PASS)
    summary.update({key: delivered.get(key, 0) for key in ("sent", "skipped", "refused", "retry", "failed")})
    summary["rollup_keys_folded"] = fold_rollups()
    summary["backlog"] = sum(delivered.values()) >= BATCHES_PER_PASS * int(current_app.config["NOTIFY_BATCH_SIZE"])
    return summary


def fold_rollups() -> int:
    """Fold the rows the figures' triggers added since the last pass (app/stats/rollups.py); logged, never raised:
    the figures are right unfolded, only slower to read."""
    try:
        return rollups.fold(db.session)
    except Exception:
        log.exception("folding the figures' rollups failed")
        db.session.rollback()
        return 0


def prune_when_due(next_at: float) -> float:
    """Prune the outbox, blank expired contact fields and delete unused uploads if their time has come (at
    start, then every PRUNE_EVERY_HOURS); the next time."""
    now = time.monotonic()
    if now < next_at:
        return next_at
    blank_contacts()
    delete_unused_uploads()
    try:
        pruned = prune_outbox()
    except Exception:  # never in the way of delivery: log it and try again in an hour
        log.exception("outbox prune failed")
        db.session.rollback()
        return now + 3600
    if pruned:
        log.info("outbox pruned: %d delivered or failed notifications older than %s days", pruned,
                 current_app.config["NOTIFY_KEEP_DAYS"])
    return now + float(current_app.config["PRUNE_EVERY_HOURS"]) * 3600


def blank_contacts() -> int:
    """Retention (PII_RETENTION_DAYS): blank the contact fields of orders final for longer; logged, never raised."""
    try:
        blanked = blank_expired_contacts()
    except Exception:
        log.exception("blanking expired contact fields failed")
        db.session.rollback()
        return 0
    if blanked:
        log.info("retention: contact fields of %d orders final for more than %s days blanked", blanked,
                 current_app.config["PII_RETENTION_DAYS"])
    return blanked


def delete_unused_uploads() -> int:
    """Uploads no order or reward refers to after UPLOAD_ORPHAN_HOURS are deleted; logged, never raised."""
    try:
        return delete_unreferenced_uploads()
    except Exception:
        log.exception("deleting unused uploads failed")
        db.session.rollback()
        return 0


def run_forever(interval: float, stop: threading.Event) -> int:
    """Passes until `stop` is set; returns how many ran. A failed pass is logged and the next one tried."""
    worker, passes, prune_at = worker_name(), 0, 0.0
    log.info("worker %s started; a pass every %s s", worker, interval)
    while not stop.is_set():
        try:
            summary = run_pass(worker, should_stop=stop.is_set)
            prune_at = prune_when_due(prune_at)
            passes += 1
            if any(summary.values()):
                log.info("worker pass: %s", summary)
        except Exception:  # the database may be away for a moment: try again next time
            log.exception("worker pass failed")
            db.session.rollback()
            summary = {}
        finally:
            db.session.remove()
        stop.wait(0 if summary.get("backlog") else interval)
    log.info("worker %s stopped after %d passes", worker, passes)
    return passes


def install_stop_handlers(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stop`; returns a function that puts the old handlers back."""
    def handle(signum, _frame):
        log.info("worker received %s; stopping after the current message", signal.Signals(signum).name)
        stop.set()

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore

