"""The points ledger (积分): append-only; a balance is always a sum."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db
from app.types import UTCDateTime


class PointsEntry(db.Model):
    __tablename__ = "points_entries"
    __table_args__ = (
        Index("ix_points_entries_user", "user_id", "id"),
        # Covering on PostgreSQL: the figures (app/stats) sum amounts by index-only scans.
        Index("ix_points_entries_area_created", "area_id", "created_at", postgresql_include=["amount", "order_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The area the points were earned in (the order's or call's area), for leaderboards.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    amount: Mapped[int]
    # order_rated, rating_bonus, order_closed, order_reopened, call_checkin; spent: redeem, refund
    reason: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    call_id: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
