"""Daily rollups of the figures (app/stats/rollups.py): kept by database triggers in the transaction of every
change to orders, ratings and points entries, so they are never behind.

Each change adds rows (taking away is a row of negative counts) rather than updating a shared one, so writers of
the same area and day never wait for each other; a figure is the sum of its key's rows, and the worker folds a
key's rows into one (`rollups.fold`). Hence an `id` of its own and a key index that is not unique.

figure_days / figure_months: per area (the order's own area) and Asia/Shanghai day / month of creation, the
  counts of DESIGN §5 (and how many are still open, for overdue_open).
figure_day_points / figure_month_points: per area, day / month and ledger reason, the points entries' amounts.
service_days / service_months: per assignee and day / month of completion, the orders done (party_services).
response_days / response_months: per area *and each of its ancestors*, day or month, and whole minute of the
  time to acceptance, how many orders: the distribution the median is read from.
order_responses: per accepted order, its exact minutes to acceptance, found by (minute, area, created_at): the
  median's own value(s), exact to the digit.
"""
from datetime import date, datetime

from sqlalchemy import Date, Double, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import RowId, UTCDateTime


class _Counts:
    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    received: Mapped[int]
    cancelled: Mapped[int]
    completed: Mapped[int]
    on_time_completed: Mapped[int]
    accepted: Mapped[int]
    open: Mapped[int]
    rated: Mapped[int]
    satisfied: Mapped[int]
    star_sum: Mapped[int]


class FigureDay(_Counts, db.Model):
    __tablename__ = "figure_days"
    __table_args__ = (Index("ix_figure_days_key", "area_id", "day"),)

    area_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date)


class FigureMonth(_Counts, db.Model):
    __tablename__ = "figure_months"
    __table_args__ = (Index("ix_figure_months_key", "area_id", "month"),)

    area_id: Mapped[int]
    month: Mapped[date] = mapped_column(Date)


class FigureMonthPoints(db.Model):
    __tablename__ = "figure_month_points"
    __table_args__ = (Index("ix_figure_month_points_key", "area_id", "month", "reason"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    area_id: Mapped[int]
    month: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int]


class FigureDayPoints(db.Model):
    __tablename__ = "figure_day_points"
    __table_args__ = (Index("ix_figure_day_points_key", "area_id", "day", "reason"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    area_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int]


class ServiceDay(db.Model):
    """Orders completed (done) per assignee and Asia/Shanghai day of completion: the 双报到 services."""

    __tablename__ = "service_days"
    __table_args__ = (Index("ix_service_days_key", "user_id", "day"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    user_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date)
    n: Mapped[int]


class ServiceMonth(db.Model):
    __tablename__ = "service_months"
    __table_args__ = (Index("ix_service_months_key", "user_id", "month"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    user_id: Mapped[int]
    month: Mapped[date] = mapped_column(Date)
    n: Mapped[int]


class ResponseDay(db.Model):
    __tablename__ = "response_days"
    __table_args__ = (Index("ix_response_days_key", "area_id", "day", "minute"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    area_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date)
    minute: Mapped[int]
    n: Mapped[int]


class ResponseMonth(db.Model):
    __tablename__ = "response_months"
    __table_args__ = (Index("ix_response_months_key", "area_id", "month", "minute"),)

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    area_id: Mapped[int]
    month: Mapped[date] = mapped_column(Date)
    minute: Mapped[int]
    n: Mapped[int]


class OrderResponse(db.Model):
    __tablename__ = "order_responses"
    __table_args__ = (Index("ix_order_responses_minute", "minute", "area_id", "created_at",
                            postgresql_include=["minutes"]),)

    order_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    area_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minute: Mapped[int]
    minutes: Mapped[float] = mapped_column(Double)
