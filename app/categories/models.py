"""Service categories with their deadlines (限期) and points."""
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(32))
    sla_hours: Mapped[int] = mapped_column(default=72)
    points: Mapped[int] = mapped_column(default=10)
    sort_order: Mapped[int] = mapped_column(default=0)


# code, name, deadline in hours, points for a completed service
DEFAULT_CATEGORIES = [
    ("escort", "陪医", 48, 20),
    ("care", "陪护", 48, 20),
    ("elderly", "助老", 72, 10),
    ("hardship", "助困", 72, 15),
    ("repair", "家电维修", 72, 10),
    ("haircut", "理发", 120, 5),
    ("legal", "法律咨询", 72, 10),
    ("counsel", "心理疏导", 72, 10),
    ("culture", "文体活动", 168, 5),
    ("other", "其他", 72, 5),
]
