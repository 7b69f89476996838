"""Daily rollups of the figures (app/stats/rollups.py): kept by database triggers in the transaction of every
change to orders, ratings and points entries, so they are never behind.

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
from app.types import UTCDateTime


class _Counts:
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

    area_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class FigureMonth(_Counts, db.Model):
    __tablename__ = "figure_months"

    area_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)


class FigureMonthPoints(db.Model):
    __tablename__ = "figure_month_points"

    area_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    amount: Mapped[int]


class FigureDayPoints(db.Model):
    __tablename__ = "figure_day_points"

    area_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    amount: Mapped[int]


class ServiceDay(db.Model):
    """Orders completed (done) per assignee and Asia/Shanghai day of completion: the 双报到 services."""

    __tablename__ = "service_days"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int]


class ServiceMonth(db.Model):
    __tablename__ = "service_months"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int]


class ResponseDay(db.Model):
    __tablename__ = "response_days"

    area_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    minute: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int]


class ResponseMonth(db.Model):
    __tablename__ = "response_months"

    area_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    minute: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
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
