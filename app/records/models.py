"""Service records (志愿服务记录): an append-only ledger of credited minutes, and issued certificates."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db
from app.types import JsonType, UTCDateTime

CREDIT_KINDS = ("order", "call")
KIND_LABELS = {"order": "点单服务", "call": "吹哨与志愿活动"}


class ServiceCredit(db.Model):
    """Minutes of service credited to one volunteer, like the points ledger: append-only.

    A reopened order gets reversing entries (negative minutes) that carry the reversed service's
    `served_at`, so any period's sum nets to what still stands. A record or an export is always a sum.
    """

    __tablename__ = "service_credits"
    __table_args__ = (
        # A volunteer's record for a period (GET /me/service-record, certificates).
        Index("ix_service_credits_user_served", "user_id", "served_at"),
        # An area's hours export for a period.
        Index("ix_service_credits_area_served", "area_id", "served_at"),
        # Reversal of an order's credits when it is reopened.
        Index("ix_service_credits_order", "order_id"),
        Index("ix_service_credits_call", "call_id"),
        CheckConstraint("minutes <> 0", name="minutes_not_zero"),
        CheckConstraint("(order_id IS NULL) <> (call_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The order's or call's area: an area's export counts the service given there.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[str] = mapped_column(String(8))  # order, call
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    minutes: Mapped[int]
    reason: Mapped[str] = mapped_column(String(24))  # order_completed, order_reopened, call_confirmed
    title: Mapped[str] = mapped_column(String(64))  # the service's title when it was credited
    # When the service was given: the order's completion, the call's start.
    served_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ServiceCertificate(db.Model):
    """An issued 志愿服务记录证明: its figures are fixed when it is issued."""

    __tablename__ = "service_certificates"
    __table_args__ = (Index("ix_service_certificates_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable: the verification code printed on the certificate and in its QR code.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(32))
    name_masked: Mapped[str] = mapped_column(String(32))
    period_from: Mapped[datetime] = mapped_column(UTCDateTime)
    period_to: Mapped[datetime] = mapped_column(UTCDateTime)
    total_minutes: Mapped[int]
    services: Mapped[int]
    calls: Mapped[int]
    avg_stars: Mapped[float | None]
    # [{kind, title, date, minutes, stars}], as they stood at issue time.
    items: Mapped[list] = mapped_column(JsonType, default=list)
    issuer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
