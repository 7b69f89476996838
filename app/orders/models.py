"""Orders (工单), their append-only events, ratings and idempotency keys."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.append_only import append_only
from app.extensions import db
from app.types import JsonType, UTCDateTime


class OrderStatus(StrEnum):
    ORDERED = "ordered"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    RATED = "rated"
    CANCELLED = "cancelled"
    CLOSED = "closed"


STATUS_LABELS = {
    OrderStatus.ORDERED: "待派单",
    OrderStatus.DISPATCHED: "待接单",
    OrderStatus.ACCEPTED: "已接单",
    OrderStatus.IN_SERVICE: "服务中",
    OrderStatus.COMPLETED: "待评价",
    OrderStatus.RATED: "已评价",
    OrderStatus.CANCELLED: "已取消",
    OrderStatus.CLOSED: "已关闭",
}
# Each action on an order: what it is called (buttons, toasts, the console's timeline) and what the mini-program's
# timeline says happened, in the same words. The actions of the transitions table, `create`, and the supervision
# ladder's `remind` and `escalate`; one word per action.
ACTION_WORDS = {
    "create": ("提交工单", "提交了服务需求"),
    "dispatch": ("派单", "已派给服务队"),
    "accept": ("接单", "志愿者已接单"),
    "decline": ("退回", "服务队已退回"),
    "start": ("开始服务", "开始服务"),
    "complete": ("完成服务", "服务已完成"),
    "rate": ("评价", "居民已评价"),
    "cancel": ("取消订单", "订单已取消"),
    "close": ("关闭工单", "工单已关闭"),
    "reopen": ("重新办理", "重新办理"),
    "review": ("记录回访", "社区已回访"),
    "remind": ("催办", "催办"),
    "escalate": ("督办", "督办"),
}
ACTION_LABELS = {action: words[0] for action, words in ACTION_WORDS.items()}
EVENT_LABELS = {action: words[1] for action, words in ACTION_WORDS.items()}
# An action, and its event, worded otherwise when taken in one status (their only home): keys "action:status",
# the status the order is in when the action is taken (an event's from_status). Staff dispatching an order that
# is already dispatched send it to another team: 改派. Clients look here first, then in the maps above.
ACTION_LABELS_IN_STATUS = {"dispatch:dispatched": "改派"}
EVENT_LABELS_IN_STATUS = {"dispatch:dispatched": "已改派给其他服务队"}
# The parts of a day a resident picks for 期望时间 (and a care plan's time slot, DESIGN §8).
TIME_SLOTS = ("上午", "下午", "晚上")
# Open orders are those still waiting for someone to act before completion.
OPEN_STATUSES = (OrderStatus.ORDERED, OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.IN_SERVICE)
OPEN = [str(status) for status in OPEN_STATUSES]  # their values as plain strings, for SQL (IN …)
DONE_STATUSES = (OrderStatus.COMPLETED, OrderStatus.RATED, OrderStatus.CLOSED)
OPEN_ORDERS = f"status IN ({', '.join(repr(s.value) for s in OPEN_STATUSES)})"  # SQL: the partial index's rows
# A team's load: the orders in its hands (dispatched to it, not yet completed), counted by dispatch help's ranking.
IN_HAND_STATUSES = (OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.IN_SERVICE)
IN_HAND_ORDERS = f"status IN ({', '.join(repr(s.value) for s in IN_HAND_STATUSES)})"  # SQL: the partial index's rows


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        # A list walks one (column, id) index per part of the viewer's visibility, newest first; the status
        # at the end lets a status filter (我的订单's tabs, 接单大厅) be checked on the index entry. Each of
        # requester, created_by and assignee needs its own: scope.condition() ORs them (BitmapOr on PostgreSQL).
        Index("ix_orders_requester", "requester_id", "id", "status"),
        Index("ix_orders_created_by", "created_by_id", "id", "status"),
        Index("ix_orders_team", "team_id", "id", "status"),
        Index("ix_orders_assignee", "assignee_id", "id", "status"),
        Index("ix_orders_area", "area_id", "id"),
        Index("ix_orders_area_status", "area_id", "status", "id"),
        # Covering on PostgreSQL: the figures (app/stats) read these columns by index-only scans.
        Index("ix_orders_area_created", "area_id", "created_at",
              postgresql_include=["id", "status", "due_at", "completed_at", "accepted_at", "category_id", "team_id"]),
        Index("ix_orders_status_due", "status", "due_at"),
        # The figures' overdue_open: the rollups count the open orders, less those not yet due, read live here
        # (open orders only, by due_at: those due later than now are few).
        Index("ix_orders_open_due", "due_at", "area_id", "created_at",
              postgresql_where=text(OPEN_ORDERS), sqlite_where=text(OPEN_ORDERS)),
        # 双报到 figures count the orders Party members completed in a period (app/party).
        Index("ix_orders_assignee_completed", "assignee_id", "completed_at", postgresql_include=["status"]),
        # Dispatch help's ranking: a team's load, recent responses and ratings (app/dispatch/ranking.py).
        Index("ix_orders_team_in_hand", "team_id", postgresql_where=text(IN_HAND_ORDERS),
              sqlite_where=text(IN_HAND_ORDERS)),
        Index("ix_orders_team_accepted", "team_id", "accepted_at", postgresql_include=["dispatched_at"]),
        # With the id (SQLite's indexes hold the rowid): the stars of each rated order are looked up by it.
        Index("ix_orders_team_rated", "team_id", "rated_at", postgresql_include=["id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.ORDERED)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offerings.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(32))
    contact_phone: Mapped[str] = mapped_column(String(20))
    preferred_time: Mapped[str] = mapped_column(String(100), default="")
    photos: Mapped[list] = mapped_column(JsonType, default=list)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    on_behalf_name: Mapped[str | None] = mapped_column(String(32))
    on_behalf_phone: Mapped[str | None] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[str] = mapped_column(Text, default="")
    result_photos: Mapped[list] = mapped_column(JsonType, default=list)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    # Set when WeChat's text check could not be reached: staff look at it.
    needs_review: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    # The care plan (周期服务) whose visit this is (app/care); null for orders placed by hand.
    care_plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plans.id"), index=True)

    category: Mapped["Category"] = relationship()  # noqa: F821
    area: Mapped["Area"] = relationship()  # noqa: F821
    team: Mapped["Team | None"] = relationship()  # noqa: F821
    requester: Mapped["User"] = relationship(foreign_keys=[requester_id])  # noqa: F821
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])  # noqa: F821
    events: Mapped[list["OrderEvent"]] = relationship(order_by="OrderEvent.id", back_populates="order")
    rating: Mapped["Rating | None"] = relationship(back_populates="order", uselist=False)


@append_only
class OrderEvent(db.Model):
    """One change of an order; append-only."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # null: the system
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class Rating(db.Model):
    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_review_queue", "stars", "reviewed_at", "id"),
                      # The figures join ratings to orders and read only the stars: index-only on PostgreSQL.
                      Index("ix_ratings_order_stars", "order_id", "stars"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    stars: Mapped[int]
    tags: Mapped[list] = mapped_column(JsonType, default=list)
    comment: Mapped[str] = mapped_column(String(500), default="")
    needs_review: Mapped[bool] = mapped_column(default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(String(500), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    order: Mapped[Order] = relationship(back_populates="rating")


class IdempotencyKey(db.Model):
    """A client's Idempotency-Key for order creation, with a hash of the body it came with."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


from app.care import models as _care  # noqa: E402,F401  (orders.care_plan_id refers to care_plans)
