"""The append-only log of who received someone's unmasked phone number or address."""
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.append_only import append_only
from app.extensions import db
from app.types import UTCDateTime

# What was seen: an order's detail, a Party member's record (list or detail), an export, or a care plan (app/care).
WHAT = ("order_detail", "party_member", "party_members", "stats_export", "party_export", "service_hours_export",
        "care_plan")


@append_only
class PiiAccess(db.Model):
    """One unmasked phone or address handed to staff, an admin or a grid worker: never changed or deleted
    (app/append_only.py; a PostgreSQL trigger, migration 0011)."""

    __tablename__ = "pii_access_log"
    __table_args__ = (
        # GET /audit/pii-access: newest first, by the area of what was seen or by viewer.
        Index("ix_pii_access_area", "area_id", "id"),
        Index("ix_pii_access_viewer", "viewer_id", "id"),
        Index("ix_pii_access_subject", "subject_user_id", "id"),
    )

    # The ids are recorded as facts, like a log line, without foreign keys: users, orders and areas are never
    # deleted, and an export's INSERT … SELECT of 50,000 rows takes a third of the time without the checks.
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    viewer_id: Mapped[int]
    subject_user_id: Mapped[int | None]
    order_id: Mapped[int | None]
    # The order's area, or the subject's home area: an admin reads the log of their subtree.
    area_id: Mapped[int]
    what: Mapped[str] = mapped_column(String(32))
    ip: Mapped[str] = mapped_column(String(64), default="")
