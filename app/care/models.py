"""Care plans (周期服务) and the ledger of their visits."""
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.types import JsonType, UTCDateTime


class PlanStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


PLAN_STATUS_LABELS = {PlanStatus.ACTIVE: "进行中", PlanStatus.PAUSED: "已暂停", PlanStatus.ENDED: "已结束"}
# What staff may do to a plan, from which statuses (one table for the checks and `allowed_actions`).
PLAN_ACTIONS = {
    "pause": ((PlanStatus.ACTIVE,), PlanStatus.PAUSED),
    "resume": ((PlanStatus.PAUSED,), PlanStatus.ACTIVE),
    "end": ((PlanStatus.ACTIVE, PlanStatus.PAUSED), PlanStatus.ENDED),
}
PLAN_ACTION_LABELS = {"pause": "暂停", "resume": "恢复", "end": "结束"}
WEEKDAY_LABELS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


class CarePlan(db.Model):
    __tablename__ = "care_plans"
    __table_args__ = (Index("ix_care_plans_area", "area_id", "id"),
                      # The worker reads the plans that are running.
                      Index("ix_care_plans_status", "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    # Staff or grid worker who set it up: each visit is filed on the resident's behalf in their name.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resident_name: Mapped[str] = mapped_column(String(32))
    resident_phone: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(200))
    weekdays: Mapped[list] = mapped_column(JsonType)  # ISO weekdays, 1 = Monday … 7 = Sunday
    time_slot: Mapped[str] = mapped_column(String(8))  # app.orders.models.TIME_SLOTS
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    area: Mapped["Area"] = relationship()  # noqa: F821
    category: Mapped["Category"] = relationship()  # noqa: F821
    team: Mapped["Team | None"] = relationship()  # noqa: F821
    owner: Mapped["User"] = relationship(foreign_keys=[owner_id])  # noqa: F821

    # What the plan's page shows beside its columns (the rules in app/care/service.py).
    @property
    def schedule(self) -> str:
        from app.care.service import describe_schedule
        return describe_schedule(self)

    @property
    def next_visit_on(self) -> date | None:
        from app.care.service import next_visit
        return next_visit(self)

    @property
    def allowed_actions(self) -> list[str]:
        return [action for action, (sources, _target) in PLAN_ACTIONS.items() if self.status in sources]

    @property
    def team_name(self) -> str | None:
        return self.team.name if self.team else None

    @property
    def filed_visits(self) -> list[dict]:
        from app.care.service import plan_visits
        return plan_visits(self)


class CareVisit(db.Model):
    """One visit of a plan: the unique (plan, date) makes it filed once, whichever worker gets there first."""

    __tablename__ = "care_visits"
    __table_args__ = (UniqueConstraint("plan_id", "visit_on", name="uq_care_visits_plan_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plans.id"))
    visit_on: Mapped[date] = mapped_column(Date)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
