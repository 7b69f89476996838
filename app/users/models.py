"""Users, their roles on areas, and the staff console's login tickets."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.types import UTCDateTime

ROLES = ("admin", "staff", "grid_worker")
ROLE_LABELS = {"admin": "管理员", "staff": "社区工作人员", "grid_worker": "网格员"}
# The roles a person switches between in the mini-program: everyone is a resident, a team member is also a
# volunteer, and each granted role adds itself.
APP_ROLE_LABELS = {"resident": "居民", "volunteer": "志愿者", **ROLE_LABELS}


class User(db.Model):
    __tablename__ = "users"
    # The 双报到 register: Party members by home area, with their unit (app/party).
    __table_args__ = (Index("ix_users_party_home", "is_party_member", "home_area_id", "work_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64))
    nickname: Mapped[str] = mapped_column(String(64), default="")
    avatar_url: Mapped[str] = mapped_column(String(512), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    real_name: Mapped[str] = mapped_column(String(32), default="")
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    is_party_member: Mapped[bool] = mapped_column(default=False)
    work_unit: Mapped[str] = mapped_column(String(100), default="")
    # Bumped to revoke every token issued before.
    token_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    @property
    def display_name(self) -> str:
        return self.real_name or self.nickname or f"用户{self.id}"


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "area_id", name="uq_role_grants_user_role_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    area: Mapped["Area"] = relationship()  # noqa: F821


class ConsoleTicket(db.Model):
    """A 扫码登录 ticket: shown as a QR code by the console, approved in the mini-program."""

    __tablename__ = "console_tickets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, approved, consumed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # index: old rows are pruned
    # SHA-256 of the poll secret only the browser that made the ticket holds (the QR code shows the id alone).
    poll_secret_hash: Mapped[str] = mapped_column(String(64))
    # Shown on the approval screen: which computer asks to log in.
    ip: Mapped[str] = mapped_column(String(64), default="")
    browser: Mapped[str] = mapped_column(String(64), default="")
