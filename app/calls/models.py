"""Calls (吹哨) and volunteer activities (志愿活动), the people called, and their sign-ups."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.types import JsonType, UTCDateTime

CALL_KINDS = ("call", "activity")
KIND_LABELS = {"call": "吹哨", "activity": "志愿活动"}
CALL_STATUSES = ("open", "closed")
# A call's status as shown; `full` is not stored: an open call with no place left shows it.
STATUS_LABELS = {"open": "报名中", "full": "名额已满", "closed": "已结束"}
# What people do with a call (allowed_actions, and staff's confirmation of a sign-up).
ACTION_LABELS = {"signup": "报名", "checkin": "到场签到", "withdraw": "取消报名", "close": "结束报名",
                 "confirm": "确认签到"}

SIGNUP_STATUSES = ("signed_up", "checked_in", "confirmed", "withdrawn")
SIGNUP_LABELS = {"signed_up": "已报名", "checked_in": "已签到，待确认", "confirmed": "已确认签到",
                 "withdrawn": "已取消报名"}
# Sign-ups that hold one of the call's places.
ACTIVE_SIGNUPS = ("signed_up", "checked_in", "confirmed")


class Call(db.Model):
    """A call for volunteers: urgent (吹哨, to a target group) or a planned activity open to the area."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_area", "area_id", "id"),
        Index("ix_calls_status", "status", "id"),
        # The database itself refuses a place beyond the quota.
        CheckConstraint("signup_count >= 0 AND signup_count <= quota", name="signup_count_within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="call")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quota: Mapped[int]
    # Places taken, kept by conditional UPDATEs in the same transaction as each sign-up.
    signup_count: Mapped[int] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    # Minutes credited to each confirmed volunteer (志愿服务时长) unless staff give others when confirming.
    duration_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    # {team_ids, party_members, category_codes, grid_ids}; null: the area's volunteers.
    target: Mapped[dict | None] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    area: Mapped["Area"] = relationship()  # noqa: F821


class CallRecipient(db.Model):
    """Someone a call was blown for (吹哨对象): fixed when the call is made, joined by those its target
    takes in later when they sign up."""

    __tablename__ = "call_recipients"
    __table_args__ = (Index("ix_call_recipients_user", "user_id", "call_id"),)

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class CallSignup(db.Model):
    """One volunteer's sign-up to a call: signed up → checked in → confirmed by staff (or withdrawn)."""

    __tablename__ = "call_signups"
    __table_args__ = (
        UniqueConstraint("call_id", "user_id", name="uq_call_signups_call_user"),
        Index("ix_call_signups_call", "call_id", "id"),
        Index("ix_call_signups_user", "user_id", "id"),
        Index("ix_call_signups_confirmed", "status", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="signed_up")
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    call: Mapped[Call] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
