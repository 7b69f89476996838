"""Rules for offerings (亮单): leaders publish, staff review, residents browse.

The operations flush; the request commits at its end (app/database.py, `end_request_transaction`)."""
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from app import clock
from app.areas.service import require_area
from app.auth.viewer import Viewer, subtree_ids_select
from app.categories.service import category_by_code
from app.database import changed_one
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.offerings.models import Offering
from app.teams.models import Team
from app.teams.service import is_leader_of, is_staff_of


def _may_manage(viewer: Viewer | None, offering: Offering) -> bool:
    return is_staff_of(viewer, offering.team) or is_leader_of(viewer, offering.team)


def get_offering(viewer: Viewer | None, offering_id: int) -> Offering:
    """A published offering for anyone; others only for the team's leader and staff."""
    offering = db.session.get(Offering, offering_id)
    if offering is None or (offering.status != "published" and not _may_manage(viewer, offering)):
        raise NotFound("找不到该服务")
    return offering


def orderable_offering(offering_id: int | None, category_id: int) -> Offering | None:
    """The offering a new order names (点单 from 亮单): published, of the order's category; None if none."""
    if offering_id is None:
        return None
    offering = db.session.get(Offering, offering_id)
    if offering is None or offering.status != "published":
        raise ValidationFailed({"offering_id": ["该服务不存在或已下架"]})
    if offering.category_id != category_id:
        raise ValidationFailed({"offering_id": ["所选服务与服务类别不一致"]})
    return offering


def create_offering(viewer: Viewer, data: dict) -> Offering:
    team = db.session.get(Team, data["team_id"])
    if team is None:
        raise ValidationFailed({"team_id": ["服务队不存在"]})
    if not is_leader_of(viewer, team):
        raise Forbidden("只有队长可以发布亮单")
    if not team.is_active:
        raise Conflict("该服务队已停用")
    category = category_by_code(data["category"])
    if not team.serves(category.id):
        raise ValidationFailed({"category": ["该服务队不提供此类服务"]})
    served = data.get("served_area_ids") or []
    for area_id in served:
        area = require_area(area_id, "served_area_ids")
        if not (area.path.startswith(team.area.path) or team.area.path.startswith(area.path)):
            raise ValidationFailed({"served_area_ids": ["服务区域应在服务队所在区域内"]})
    offering = Offering(team_id=team.id, category_id=category.id, area_id=team.area_id, title=data["title"],
                        description=data.get("description", ""), service_times=data.get("service_times", ""),
                        served_area_ids=served, created_by_id=viewer.id, status="pending")
    db.session.add(offering)
    db.session.flush()
    return offering


def review_offering(viewer: Viewer, offering_id: int, decision: str, reason: str = "") -> Offering:
    """Staff of the team's area publish or reject a pending offering."""
    offering = get_offering(viewer, offering_id)
    if not is_staff_of(viewer, offering.team):
        raise Forbidden("只有社区工作人员可以审核亮单")
    target = "published" if decision == "approve" else "rejected"
    _move(offering, ("pending",), target, reviewed_by_id=viewer.id, reviewed_at=clock.now(),
          reject_reason=reason if target == "rejected" else "")
    return offering


def withdraw_offering(viewer: Viewer, offering_id: int) -> Offering:
    offering = get_offering(viewer, offering_id)
    if not is_leader_of(viewer, offering.team):
        raise Forbidden("只有队长可以撤回亮单")
    _move(offering, ("pending", "published"), "withdrawn")
    return offering


def _move(offering: Offering, sources: tuple, target: str, **values) -> None:
    changed_one(update(Offering).where(Offering.id == offering.id, Offering.status.in_(sources))
                .values(status=target, **values), Conflict("该亮单当前状态不允许此操作，请刷新后查看"))
    db.session.refresh(offering)


def list_offerings(viewer: Viewer | None, args: dict, cursor_id: int | None) -> list[Offering]:
    """Published offerings for an area (its subtree and the areas above it); staff may ask for pending ones."""
    query = (select(Offering).options(joinedload(Offering.team), joinedload(Offering.category))
             .order_by(Offering.id.desc()).limit(args["limit"] + 1))
    status = args.get("status", "published")
    if status != "published":
        if viewer is None or not viewer.is_staff:
            raise Forbidden("只有社区工作人员可以查看待审核的亮单")
        query = query.where(Offering.area_id.in_(viewer.area_ids_select()))
    query = query.where(Offering.status == status)
    if args.get("area_id") is not None:
        area = require_area(args["area_id"])
        query = query.where(or_(Offering.area_id.in_(subtree_ids_select([area.path])),
                                Offering.area_id.in_(area.ancestor_ids)))
    if args.get("category"):
        query = query.where(Offering.category_id == category_by_code(args["category"]).id)
    if args.get("team_id") is not None:
        query = query.where(Offering.team_id == args["team_id"])
    if cursor_id:
        query = query.where(Offering.id < cursor_id)
    return list(db.session.scalars(query))
