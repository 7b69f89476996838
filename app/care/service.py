"""Rules for care plans (周期服务): who sets them up, their life (pause, resume, end) and filing their visits.

Each visit is an ordinary order, filed by the worker the day before (Asia/Shanghai) through
app.orders.service.create_order on the resident's behalf in the name of the plan's owner, and dispatched to
the plan's team when it may still take it. So deadlines, reminders, ratings, points and the figures treat it
as any order. The unique (plan, date) row in care_visits, inserted with ON CONFLICT DO NOTHING in the
transaction that creates the order, makes each visit filed once, however many workers run.
"""
import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import false, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.areas.models import Area
from app.areas.service import require_area
from app.auth.viewer import Viewer, load_viewer
from app.care.models import PLAN_ACTIONS, WEEKDAY_LABELS, CarePlan, CareVisit, PlanStatus
from app.categories.service import category_by_code
from app.database import changed_one
from app.errors import AppError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.extensions import db
from app.orders.models import Order
from app.orders.scope import team_and_refusal
from app.privacy import access_log
from app.users.models import User

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Asia/Shanghai")
PLAN_ROLES = ("staff", "admin", "grid_worker")
PLAN_AREA_KINDS = ("community", "grid")
VISITS_SHOWN = 60


def under(paths: list[str]):
    """Areas at or below any of these paths."""
    return or_(*(Area.path.startswith(path, autoescape=True) for path in paths)) if paths else false()


def local_today() -> date:
    return clock.now().astimezone(LOCAL).date()


# --- scope --------------------------------------------------------------------------------------

def _require_planner(viewer: Viewer) -> None:
    if not viewer.has_role(PLAN_ROLES):
        raise Forbidden("只有工作人员和网格员可以管理周期服务")


def get_plan(viewer: Viewer, plan_id: int) -> CarePlan:
    """A plan of the viewer's areas; any other is 404."""
    _require_planner(viewer)
    plan = db.session.get(CarePlan, plan_id)
    if plan is None or not viewer.covers(plan.area.path, PLAN_ROLES):
        raise NotFound("找不到该周期服务")
    return plan


def list_plans(viewer: Viewer, args: dict, cursor_id: int | None) -> list[CarePlan]:
    """Plans of the viewer's areas (or of one of them and below), newest first."""
    _require_planner(viewer)
    query = (select(CarePlan).join(Area, Area.id == CarePlan.area_id)
             .where(under(viewer.paths(PLAN_ROLES)))
             .order_by(CarePlan.id.desc()).limit(args["limit"] + 1))
    if args.get("area_id") is not None:
        query = query.where(under([require_area(args["area_id"]).path]))
    if args.get("status"):
        query = query.where(CarePlan.status == args["status"])
    if cursor_id:
        query = query.where(CarePlan.id < cursor_id)
    return list(db.session.scalars(query))


# --- set-up and life ----------------------------------------------------------------------------

def _resident(data: dict) -> tuple[int | None, str, str]:
    resident = data["resident"]
    if resident.get("user_id") is None:
        if not resident.get("name") or not resident.get("phone"):
            raise ValidationFailed({"resident": ["请选择居民，或填写居民姓名和电话"]})
        return None, resident["name"], resident["phone"]
    user = db.session.get(User, resident["user_id"])
    if user is None or user.openid is None:
        raise ValidationFailed({"resident": ["居民不存在"]})
    phone = resident.get("phone") or user.phone
    if not phone:
        raise ValidationFailed({"resident": ["该居民未绑定手机号，请填写联系电话"]})
    return user.id, resident.get("name") or user.display_name, phone


def create_plan(viewer: Viewer, data: dict) -> CarePlan:
    """Set up a plan in one of the viewer's areas (community or grid)."""
    _require_planner(viewer)
    area = require_area(data["area_id"])
    if not viewer.covers(area.path, PLAN_ROLES):
        raise Forbidden("只有本区域的工作人员或网格员可以为居民设立周期服务")
    if area.kind not in PLAN_AREA_KINDS:
        raise ValidationFailed({"area_id": ["请选择社区或网格"]})
    category = category_by_code(data["category"])
    if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        raise ValidationFailed({"ends_on": ["结束日期不能早于开始日期"]})
    team_id = data.get("team_id")
    if team_id is not None and team_and_refusal(team_id, area.path, category.id)[1] is not None:
        raise ValidationFailed({"team_id": ["该服务队不能承接此区域的此类服务"]})
    resident_id, name, phone = _resident(data)
    now = clock.now()
    plan = CarePlan(area_id=area.id, owner_id=viewer.id, resident_id=resident_id, resident_name=name,
                    resident_phone=phone, category_id=category.id, title=data.get("title") or category.name,
                    description=data["description"], address=data["address"], weekdays=sorted(set(data["weekdays"])),
                    time_slot=data["time_slot"], starts_on=data["starts_on"], ends_on=data.get("ends_on"),
                    team_id=team_id, status=PlanStatus.ACTIVE, created_at=now, updated_at=now)
    plan.area, plan.category = area, category
    db.session.add(plan)
    db.session.flush()
    return plan


def act_on_plan(viewer: Viewer, plan_id: int, action: str) -> CarePlan:
    """Pause, resume or end a plan; 409 when its status does not allow it (or it moved meanwhile)."""
    plan = get_plan(viewer, plan_id)
    sources, target = PLAN_ACTIONS[action]
    if plan.status not in sources:
        raise InvalidTransition("该周期服务当前状态不能执行此操作")
    changed_one(update(CarePlan).where(CarePlan.id == plan.id, CarePlan.status == plan.status)
                .values(status=target, updated_at=clock.now()), InvalidTransition("该周期服务刚刚被他人修改，请刷新"))
    db.session.refresh(plan)
    return plan


def plan_viewed(viewer: Viewer, plan: CarePlan) -> None:
    """A plan's page hands the resident's phone and address to staff or a grid worker: one row of the access
    log (DESIGN §8), written apart from the page's reads and committed at once (app/privacy/access_log.py)."""
    if plan.resident_id == viewer.id or not plan.resident_phone:
        return
    access_log.one_seen(viewer.id, "care_plan", plan.resident_id, plan.area_id)


def forget_resident(user_id: int) -> None:
    """注销 of a resident: their plans end and keep no name, phone or address (the visits' orders are blanked
    as every order they requested is not: they were requested by the plan's owner on the resident's behalf)."""
    db.session.execute(update(CarePlan).where(CarePlan.resident_id == user_id).values(
        status=PlanStatus.ENDED, resident_name="", resident_phone="", address="", updated_at=clock.now())
        .execution_options(synchronize_session=False))
    db.session.execute(update(Order).where(Order.care_plan_id.in_(
        select(CarePlan.id).where(CarePlan.resident_id == user_id))).values(
        contact_name="", contact_phone="", address="", on_behalf_name="", on_behalf_phone="")
        .execution_options(synchronize_session=False))


def visit_dates(plan: CarePlan, start: date, days: int) -> list[date]:
    """The plan's visit dates in [start, start + days), by its weekdays, start and end."""
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day < plan.starts_on or (plan.ends_on and day > plan.ends_on):
            continue
        if day.isoweekday() in plan.weekdays:
            found.append(day)
    return found


def next_visit(plan: CarePlan) -> date | None:
    if plan.status != PlanStatus.ACTIVE:
        return None
    upcoming = visit_dates(plan, max(local_today(), plan.starts_on), 8)
    return upcoming[0] if upcoming else None


def plan_visits(plan: CarePlan) -> list[dict]:
    """The plan's filed visits, newest first, with their orders' status."""
    rows = db.session.execute(
        select(CareVisit.visit_on, CareVisit.order_id, Order.status, Order.team_id, Order.due_at)
        .outerjoin(Order, Order.id == CareVisit.order_id)
        .where(CareVisit.plan_id == plan.id).order_by(CareVisit.visit_on.desc()).limit(VISITS_SHOWN)).all()
    return [{"visit_on": r.visit_on, "order_id": r.order_id, "status": r.status, "team_id": r.team_id}
            for r in rows]


def describe_schedule(plan: CarePlan) -> str:
    days = "、".join(WEEKDAY_LABELS[d] for d in plan.weekdays)
    return f"每{days}{plan.time_slot}"


# --- the worker's part --------------------------------------------------------------------------
# The worker has no request to end its transactions: each visit is filed in its own (committed once its order is
# written, rolled back if it was filed already or cannot be filed), so one plan's failure spoils no other.

def _insert_visit(plan_id: int, day: date) -> bool:
    """Claim (plan, day): True if this transaction inserted it, False if it was there already."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (insert(CareVisit.__table__).values(plan_id=plan_id, visit_on=day, created_at=clock.now())
                 .on_conflict_do_nothing(index_elements=["plan_id", "visit_on"]).returning(CareVisit.__table__.c.id))
    return db.session.execute(statement).first() is not None


def _preferred_time(plan: CarePlan, day: date) -> str:
    return f"{day.month}月{day.day}日（{WEEKDAY_LABELS[day.isoweekday()]}）{plan.time_slot}"


def file_visit(plan: CarePlan, day: date) -> int | None:
    """File the plan's visit of `day` as an order; its id, or None if it was filed already (or cannot be)."""
    from app.orders.service import create_order  # the orders module imports much; the worker needs it late

    plan_id, owner_id = plan.id, plan.owner_id
    if not _insert_visit(plan_id, day):
        db.session.rollback()
        return None
    data = {"category": plan.category.code, "title": plan.title, "description": plan.description,
            "address": plan.address, "contact_name": plan.resident_name, "contact_phone": plan.resident_phone,
            "area_id": plan.area_id, "preferred_time": _preferred_time(plan, day),
            "on_behalf_of": {"name": plan.resident_name, "phone": plan.resident_phone},
            "care_plan_id": plan_id, "plan_team_id": plan.team_id}
    try:
        owner = db.session.get(User, owner_id)
        order = create_order(load_viewer(owner_id, owner.token_version), data)[0]  # flushes; committed below
    except AppError as error:  # the owner lost the role, the category went …: nothing filed, retried next pass
        db.session.rollback()
        log.warning("care plan %s: visit of %s not filed: %s", plan_id, day, error)
        return None
    order_id = order.id
    db.session.execute(update(CareVisit).where(CareVisit.plan_id == plan_id, CareVisit.visit_on == day)
                       .values(order_id=order_id))
    db.session.commit()
    return order_id


def file_due_visits() -> int:
    """File the visits of today and tomorrow (Asia/Shanghai) of every running plan not filed yet: the day
    before as a rule; today's only if the worker was away yesterday. Returns how many were filed."""
    today = local_today()
    tomorrow = today + timedelta(days=1)
    plans = list(db.session.scalars(
        select(CarePlan).where(CarePlan.status == PlanStatus.ACTIVE, CarePlan.starts_on <= tomorrow)
        .where((CarePlan.ends_on.is_(None)) | (CarePlan.ends_on >= today)).order_by(CarePlan.id)))
    due = [(plan.id, day) for plan in plans for day in visit_dates(plan, today, 2)]
    if not due:
        db.session.rollback()
        return 0
    filed_already = set(tuple(row) for row in db.session.execute(select(CareVisit.plan_id, CareVisit.visit_on).where(
        CareVisit.plan_id.in_({plan_id for plan_id, _day in due}), CareVisit.visit_on >= today)).all())
    by_id = {plan.id: plan for plan in plans}
    filed = 0
    for plan_id, day in due:
        if (plan_id, day) in filed_already:
            continue
        plan = db.session.get(CarePlan, plan_id) or by_id[plan_id]
        if plan.status != PlanStatus.ACTIVE:
            continue
        if file_visit(plan, day) is not None:
            filed += 1
    return filed
