"""The area tree: county › town › community › grid."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.extensions import db
from app.types import UTCDateTime

AREA_KINDS = ("county", "town", "community", "grid")
KIND_LABELS = {"county": "县", "town": "镇（街道）", "community": "社区", "grid": "网格"}


def path_ids(path: str) -> list[int]:
    """The ids along a materialised path, from the root down: "/1/4/9/" → [1, 4, 9]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def ids_along(paths) -> list[int]:
    """Every area at or above any of these paths, sorted."""
    return sorted({area_id for path in paths for area_id in path_ids(path)})


def like_prefix(path: str) -> str:
    """The LIKE pattern (escape character "/") for "starts with `path`": the one escaping of area paths."""
    return path.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def under(column, pattern):
    """`column` (an area path) lies under the path whose like_prefix is `pattern` (a value or a bind parameter)."""
    return column.like(pattern, escape="/")


def subtree_ids(patterns: list):
    """SELECT of the ids of every area under any of these like_prefix patterns (none if there are none)."""
    if not patterns:
        return select(Area.id).where(Area.id.is_(None))
    return select(Area.id).where(or_(*(under(Area.path, pattern) for pattern in patterns)))


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (Index("ix_areas_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    # Materialised path of ids, "/1/4/9/": a subtree is a prefix match.
    path: Mapped[str] = mapped_column(String(255), default="")
    # Supervision limits (hours); null means the configured default.
    dispatch_limit_hours: Mapped[float | None]
    accept_limit_hours: Mapped[float | None]
    # An order placed here goes straight to the one team that may take it, when there is one (DESIGN §8).
    auto_dispatch: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    parent: Mapped["Area | None"] = relationship(remote_side=[id])

    @property
    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)

    def contains(self, other: "Area") -> bool:
        return other.path.startswith(self.path)
