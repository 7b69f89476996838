"""Delivery of the notification outbox: in-app messages and WeChat subscribe messages.

One delivery is three short steps, none of which holds a transaction open across the network:

1. claim: lease a batch of due rows to this worker (`locked_until`, `locked_by`, attempts + 1) and
   commit. PostgreSQL picks the rows with FOR UPDATE SKIP LOCKED, so workers running side by side
   take different rows and never wait for each other; SQLite runs one worker (its writers are
   serialised by BEGIN IMMEDIATE anyway).
2. prepare, one message at a time: renew the lease if it is still ours (so every send starts with a
   whole lease ahead of it, longer than a send can take: ProductionConfig.validate), write the in-app
   message (once: unique per notification), commit; then send the subscribe message through the gateway.
3. record, at once and for that message alone: store the outcome in its own short transaction, only
   while the lease is still ours. A database hiccup here is retried while the lease lasts, so a
   message WeChat accepted is not sent again because one commit failed.

A worker killed between claim and send leaves a leased row behind; once the lease runs out another
pass claims it again, so nothing is lost (at-least-once). A worker killed (kill -9, power) after WeChat
accepted a message but before step 3 committed sends that one message once more after the lease: WeChat's
subscribe-message API takes no idempotency key and cannot be asked what it received, so this window --
WeChat's processing, its answer on the wire, one UPDATE and COMMIT -- can be narrowed but not closed.
It holds at most the one message in hand per killed worker; a graceful stop (SIGTERM) never falls in it
(the worker stops between messages). tests/notifications/test_notifications.py shows both sides of it.
"""
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from app import clock
from app.extensions import db
from app.notifications.models import (DONE, FAILED, PENDING, WECHAT_FAILED, WECHAT_REFUSED, WECHAT_SENT,
                                      WECHAT_SKIPPED, Message, Notification)
from app.notifications.service import TEMPLATE_SETTINGS
from app.users.models import User
from app.wechat import SubscriptionRefused, WeChatError, gateway

log = logging.getLogger(__name__)


def worker_name() -> str:
    """A name for one worker's leases: host, process and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _config(name: str) -> int:
    return int(current_app.config[name])


def _claimable(now):
    return and_(Notification.status == PENDING, Notification.next_attempt_at <= now,
                or_(Notification.locked_until.is_(None), Notification.locked_until <= now))


def claim(worker: str, limit: int | None = None) -> list[int]:
    """Lease up to `limit` due notifications to `worker`; returns their ids (committed)."""
    now = clock.now()
    limit = limit or _config("NOTIFY_BATCH_SIZE")
    candidates = list(db.session.scalars(
        select(Notification.id).where(_claimable(now))
        .order_by(Notification.next_attempt_at, Notification.id).limit(limit)
        .with_for_update(skip_locked=True)))
    claimed: list[int] = []
    if candidates:
        claimed = list(db.session.execute(
            update(Notification).where(Notification.id.in_(candidates), _claimable(now))
            .values(locked_until=now + timedelta(seconds=_config("NOTIFY_LEASE_SECONDS")), locked_by=worker,
                    attempts=Notification.attempts + 1)
            .returning(Notification.id).execution_options(synchronize_session=False)).scalars())
    db.session.commit()
    return sorted(claimed)


def _ours(notification_id: int, worker: str):
    return and_(Notification.id == notification_id, Notification.locked_by == worker,
                Notification.status == PENDING)


def _retry_delay(attempts: int) -> timedelta:
    base, cap = _config("NOTIFY_RETRY_BASE_SECONDS"), _config("NOTIFY_RETRY_MAX_SECONDS")
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _record(notification_id: int, worker: str, values: dict, retry_until: float | None = None) -> bool:
    """Store an outcome while the lease is ours (commits); False if another worker took it over.

    With `retry_until` (a time.monotonic() moment before our lease runs out), a database that is away for
    a moment (connection lost, failover) is tried again until then: giving up would leave the row to be
    sent once more after the lease."""
    values = {"locked_until": None, "locked_by": None, **values}
    pause = 0.1
    while True:
        try:
            changed = db.session.execute(
                update(Notification).where(_ours(notification_id, worker)).values(**values)
                .execution_options(synchronize_session=False)).rowcount
            db.session.commit()
            return changed == 1
        except (OperationalError, InterfaceError):
            db.session.rollback()
            if retry_until is None or time.monotonic() + pause >= retry_until:
                raise
            log.warning("notification %s: recording its outcome failed; trying again in %.1f s", notification_id,
                        pause, exc_info=True)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _failure_values(attempts: int, errcode: int | None, error: str) -> dict:
    """Retry later with a growing delay, or give up after NOTIFY_MAX_ATTEMPTS."""
    values = {"errcode": errcode, "last_error": error[:200]}
    if attempts >= _config("NOTIFY_MAX_ATTEMPTS"):
        return {**values, "status": FAILED, "wechat_status": WECHAT_FAILED}
    return {**values, "next_attempt_at": clock.now() + _retry_delay(attempts)}


def _prepare(notification_id: int, worker: str) -> tuple[str, dict | None]:
    """Renew our lease, write the in-app message once, and say what to send (commits).

    Returns ("lost", None) when the lease is no longer ours, ("skipped", None) when there is no
    subscribe message to send (no template configured or no openid), else ("send", what to send).
    """
    now = clock.now()
    renewed = db.session.execute(
        update(Notification).where(_ours(notification_id, worker), Notification.locked_until > now)
        .values(locked_until=now + timedelta(seconds=_config("NOTIFY_LEASE_SECONDS")))
        .execution_options(synchronize_session=False)).rowcount
    if renewed != 1:
        db.session.commit()
        return "lost", None
    row = db.session.execute(
        select(Notification, User.openid).join(User, User.id == Notification.user_id)
        .where(Notification.id == notification_id).execution_options(populate_existing=True)).one()
    notification, openid = row
    if notification.inbox_at is None:
        db.session.add(Message(user_id=notification.user_id, notification_id=notification.id,
                               kind=notification.kind, title=notification.title, body=notification.body,
                               order_id=notification.order_id, page=notification.page, created_at=now))
        notification.inbox_at = now
    template_id = current_app.config.get(TEMPLATE_SETTINGS.get(notification.kind, ""), "") or ""
    send = {"attempts": notification.attempts, "openid": openid, "template_id": template_id,
            "data": dict(notification.template_data or {}), "page": notification.page or None}
    outcome = "send"
    if not template_id or not openid:
        notification.status, notification.wechat_status = DONE, WECHAT_SKIPPED
        notification.delivered_at, notification.locked_until, notification.locked_by = now, None, None
        outcome, send = "skipped", None
    db.session.commit()
    return outcome, send


def deliver_one(notification_id: int, worker: str) -> str:
    """Deliver one claimed notification; returns the outcome (sent, skipped, refused, retry, failed, lost)."""
    try:
        outcome, send = _prepare(notification_id, worker)
    except IntegrityError:  # the in-app message exists: someone else delivered it meanwhile
        db.session.rollback()
        return "lost"
    except Exception as exc:  # a bug or a database hiccup must not lose the row: retry it later
        db.session.rollback()
        log.exception("notification %s could not be prepared", notification_id)
        attempts = db.session.scalar(select(Notification.attempts).where(Notification.id == notification_id)) or 1
        values = _failure_values(attempts, None, f"{type(exc).__name__}: {exc}")
        return ("failed" if values.get("status") == FAILED else "retry") \
            if _record(notification_id, worker, values) else "lost"
    if send is None:
        return outcome
    # Our lease was renewed in _prepare: record before it runs out, or another worker sends it again.
    retry_until = time.monotonic() + max(_config("NOTIFY_LEASE_SECONDS") - 2, 0)
    try:
        gateway().send_subscribe_message(send["openid"], send["template_id"], send["data"], page=send["page"])
    except SubscriptionRefused as exc:
        log.info("subscribe message of notification %s refused: %s", notification_id, exc)
        values = {"status": FAILED, "wechat_status": WECHAT_REFUSED, "errcode": exc.errcode,
                  "last_error": str(exc)[:200]}
        outcome = "refused"
    except WeChatError as exc:
        values = _failure_values(send["attempts"], exc.errcode, str(exc))
        outcome = "failed" if values.get("status") == FAILED else "retry"
        log.warning("subscribe message of notification %s not sent (%s): %s", notification_id, outcome, exc)
    else:
        values = {"status": DONE, "wechat_status": WECHAT_SENT, "delivered_at": clock.now(),
                  "errcode": None, "last_error": ""}
        outcome = "sent"
    # Nothing between WeChat's answer and this commit: that gap is the one a kill -9 can turn into a resend.
    return outcome if _record(notification_id, worker, values, retry_until) else "lost"


def deliver_pending(worker: str | None = None, should_stop: Callable[[], bool] = lambda: False,
                    max_batches: int | None = None) -> Counter:
    """Claim and deliver due notifications batch by batch until none is left; counts the outcomes."""
    worker = worker or worker_name()
    outcomes: Counter = Counter()
    batches = 0
    while not should_stop() and (max_batches is None or batches < max_batches):
        ids = claim(worker)
        if not ids:
            break
        batches += 1
        for position, notification_id in enumerate(ids):
            if should_stop():
                release(ids[position:], worker)
                break
            outcomes[deliver_one(notification_id, worker)] += 1
    return outcomes


def release(notification_ids: list[int], worker: str) -> None:
    """Give back leases not worked on (a worker stopping mid-batch), so others need not wait."""
    db.session.execute(
        update(Notification).where(Notification.id.in_(notification_ids), Notification.locked_by == worker,
                                   Notification.status == PENDING)
        .values(locked_until=None, locked_by=None).execution_options(synchronize_session=False))
    db.session.commit()


def prune_outbox(batch: int = 1000) -> int:
    """Delete the finished (done or failed) outbox rows made more than NOTIFY_KEEP_DAYS ago; how many (commits).

    The outbox gets a row per person told (about three per order), and once delivered a row is only of use
    for looking into a delivery. The in-app messages stay: they let go of their notification first. Rows
    still pending are never touched, whatever their age. The walk goes by id from the oldest and stops at
    the first batch that reaches past the cut-off: it reads the old rows and one batch more, not the table.
    """
    cutoff = clock.now() - timedelta(days=_config("NOTIFY_KEEP_DAYS"))
    pruned, after = 0, 0
    while True:
        rows = db.session.execute(
            select(Notification.id, Notification.status, Notification.created_at)
            .where(Notification.id > after).order_by(Notification.id).limit(batch)).all()
        old = [row.id for row in rows if row.created_at < cutoff and row.status != PENDING]
        if old:
            db.session.execute(update(Message).where(Message.notification_id.in_(old))
                               .values(notification_id=None).execution_options(synchronize_session=False))
            pruned += db.session.execute(
                delete(Notification).where(Notification.id.in_(old), Notification.status != PENDING)
                .execution_options(synchronize_session=False)).rowcount
        db.session.commit()  # a batch at a time: short transactions beside the delivering workers
        if len(rows) < batch or rows[-1].created_at >= cutoff:
            return pruned
        after = rows[-1].id
