"""Offerings (亮单): the services a team publishes."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.types import JsonType, UTCDateTime

OFFERING_STATUSES = ("pending", "published", "rejected", "withdrawn")
STATUS_LABELS = {"pending": "待审核", "published": "已发布", "rejected": "未通过", "withdrawn": "已撤回"}
# The review and withdrawal of an offering (POST /offerings/{id}/<action>).
ACTION_LABELS = {"approve": "通过", "reject": "不通过", "withdraw": "撤回"}


class Offering(db.Model):
    __tablename__ = "offerings"
    __table_args__ = (Index("ix_offerings_area_status", "area_id", "status", "id"),
                      Index("ix_offerings_team_id", "team_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(1000), default="")
    service_times: Mapped[str] = mapped_column(String(200), default="")
    served_area_ids: Mapped[list] = mapped_column(JsonType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reject_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    team: Mapped["Team"] = relationship()  # noqa: F821
    category: Mapped["Category"] = relationship()  # noqa: F821
