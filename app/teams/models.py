"""Volunteer teams (志愿服务队), their members and the categories they serve."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.categories.models import Category
from app.extensions import db
from app.types import UTCDateTime

TEAM_ROLES = ("leader", "member")
TEAM_ROLE_LABELS = {"leader": "队长", "member": "队员"}

team_categories = Table(
    "team_categories",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id"), primary_key=True),
)


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500), default="")
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    area: Mapped["Area"] = relationship()  # noqa: F821
    categories: Mapped[list[Category]] = relationship(secondary=team_categories, order_by=Category.sort_order)
    members: Mapped[list["TeamMember"]] = relationship(back_populates="team", cascade="all, delete-orphan")

    def serves(self, category_id: int) -> bool:
        """A team with no categories serves every category."""
        return not self.categories or any(c.id == category_id for c in self.categories)


class TeamMember(db.Model):
    __tablename__ = "team_members"
    __table_args__ = (Index("ix_team_members_user_id", "user_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # TEAM_ROLES
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped["User"] = relationship()  # noqa: F821
