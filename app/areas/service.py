"""Rules for the area tree."""
from sqlalchemy import select, update

from app.areas.models import AREA_KINDS, Area
from app.errors import NotFound, ValidationFailed
from app.extensions import db

CHILD_KIND = dict(zip(AREA_KINDS, AREA_KINDS[1:]))
UNKNOWN_AREA = "区域不存在"


def get_area(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound("找不到该区域")
    return area


def require_area(area_id: int, field: str = "area_id") -> Area:
    """The area named in a request body; an unknown id is a field error."""
    area = db.session.get(Area, area_id)
    if area is None:
        raise ValidationFailed({field: [UNKNOWN_AREA]})
    return area


def add_area(name: str, kind: str, parent: Area | None) -> Area:
    """Add a node under its parent; the kind must be the level below the parent's."""
    if parent is None and kind != "county":
        raise ValidationFailed({"parent_id": ["只有县级区域可以没有上级"]})
    if parent is not None and CHILD_KIND.get(parent.kind) != kind:
        raise ValidationFailed({"kind": [f"上级区域下只能建立「{CHILD_KIND.get(parent.kind, '无')}」级区域"]})
    area = Area(name=name, kind=kind, parent_id=parent.id if parent else None,
                auto_dispatch=parent.auto_dispatch if parent else False)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    db.session.flush()
    return area


def find_area(name: str, parent: Area | None) -> Area | None:
    query = select(Area).where(Area.name == name)
    query = query.where(Area.parent_id == parent.id) if parent else query.where(Area.parent_id.is_(None))
    return db.session.scalars(query).first()


def update_area(area: Area, changes: dict) -> Area:
    """Rename an area, set its supervision limits or its automatic dispatch (flushed; the request commits)."""
    if "auto_dispatch" in changes:
        set_auto_dispatch(area, changes.pop("auto_dispatch"))
    for name, value in changes.items():
        setattr(area, name, value)
    db.session.flush()
    return area


def set_auto_dispatch(area: Area, on: bool) -> None:
    """Automatic dispatch for an area and every area below it (an order reads only its own area's flag)."""
    db.session.execute(update(Area).where(Area.path.startswith(area.path, autoescape=True))
                       .values(auto_dispatch=on).execution_options(synchronize_session="fetch"))
