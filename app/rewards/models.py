"""积分超市: rewards a community offers for points, and volunteers' redemptions of them."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.types import UTCDateTime

REDEMPTION_STATUSES = ("pending", "fulfilled", "cancelled")
STATUS_LABELS = {"pending": "待领取", "fulfilled": "已领取", "cancelled": "已取消"}
REDEMPTION_ACTIONS = ("redeem", "fulfil", "cancel")
ACTION_LABELS = {"redeem": "兑换", "fulfil": "核销", "cancel": "取消兑换"}


class Reward(db.Model):
    """Something a community gives for points (洗衣液、大米、理发券…), with the stock on its shelf."""

    __tablename__ = "rewards"
    __table_args__ = (
        Index("ix_rewards_area", "area_id", "id"),
        # The database itself refuses a redemption beyond the stock.
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500), default="")
    photo: Mapped[str | None] = mapped_column(ForeignKey("attachments.id"))
    points: Mapped[int]
    # Kept by conditional UPDATEs in the transaction of each redemption and cancellation.
    stock: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    area: Mapped["Area"] = relationship()  # noqa: F821


class Redemption(db.Model):
    """A volunteer's exchange of points for a reward: pending → fulfilled (核销) | cancelled."""

    __tablename__ = "redemptions"
    __table_args__ = (
        Index("ix_redemptions_user", "user_id", "id"),
        Index("ix_redemptions_area", "area_id", "id"),
        Index("ix_redemptions_area_status", "area_id", "status", "id"),
        Index("ix_redemptions_reward", "reward_id", "id"),
        Index("ix_redemptions_code", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The reward's area, kept here so staff's lists read one index.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    reward_name: Mapped[str] = mapped_column(String(64))  # as it was called when redeemed
    points: Mapped[int]  # debited when redeemed, given back when cancelled
    # Shown on the volunteer's phone; staff enter or scan it to hand the reward over (核销).
    code: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
