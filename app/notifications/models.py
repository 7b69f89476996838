"""The notification outbox and the in-app messages the worker delivers from it."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db
from app.types import JsonType, UTCDateTime

PENDING, DONE, FAILED = "pending", "done", "failed"
# What became of the WeChat subscribe message of a notification.
WECHAT_SENT, WECHAT_SKIPPED, WECHAT_REFUSED, WECHAT_FAILED = "sent", "skipped", "refused", "failed"


class Notification(db.Model):
    """One thing to tell one user, written in the transaction of the change it reports.

    The worker claims due rows (a lease in `locked_until`, taken with FOR UPDATE SKIP LOCKED on
    PostgreSQL), writes the in-app message, sends the WeChat subscribe message and records the
    outcome; a claim whose worker died is taken again once its lease has run out.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at", "id"),
        Index("ix_notifications_user", "user_id", "id"),
        Index("ix_notifications_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # dispatched, accepted, completed, remind, escalate, followed_up (calls may add their own)
    kind: Mapped[str] = mapped_column(String(24))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("order_events.id"))
    title: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(500))
    page: Mapped[str] = mapped_column(String(200), default="")
    # The subscribe message's fields ({"thing1": "…", "time2": "…"}), already cut to WeChat's limits.
    template_data: Mapped[dict] = mapped_column(JsonType, default=dict)

    status: Mapped[str] = mapped_column(String(16), default=PENDING)  # pending, done, failed
    wechat_status: Mapped[str | None] = mapped_column(String(16))  # sent, skipped, refused, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    errcode: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(String(200), default="")
    inbox_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the in-app message was written
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Message(db.Model):
    """An in-app message (消息中心), one per notification."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_user", "user_id", "id"),
        Index("ix_messages_user_unread", "user_id", postgresql_where=text("read_at IS NULL"),
              sqlite_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Once the outbox row is pruned (NOTIFY_KEEP_DAYS), the message keeps everything and this is NULL.
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(500))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    page: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
