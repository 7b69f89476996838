"""The supervision ladder (跟踪监督) and the closing of orders left unrated.

Every open order is in one stage, with a limit in hours and a deadline:

- dispatch (`ordered`): the area's dispatch limit from when the order (re-)entered `ordered`;
- accept (`dispatched`): the area's accept limit from `dispatched_at`;
- service (`accepted`, `in_service`): the order's `due_at` (created + the category's 限期);
  its limit is the category's `sla_hours`.

An area's limits apply to its subtree unless set again lower down; with none set anywhere above,
DISPATCH_LIMIT_HOURS / ACCEPT_LIMIT_HOURS apply.

The ladder has three steps per stage, at fractions of the limit: 催办 (remind) when the stage is near
its limit (SUPERVISION_REMIND_AT, 0.75), 督办 (escalate) at the limit, and 督办 again one level up
past it (SUPERVISION_SECOND_ESCALATION_AT, 1.5). They go along the chain of who answers for the stage:

- accept, service: the team (the assignee, if any) → the nearest staff above the order → the next
  staff above them;
- dispatch (there is no team yet; staff dispatch): the nearest staff → the next → the next.

"Nearest staff" is the closest area at or above the order's area that has staff or admin grants, so
a grid's order goes to its community's staff, then the town's (or the county's if the town has none).
Each step is an OrderEvent (status unchanged, actor null) written with its notifications in one
transaction; a stage's steps are counted from its last stage-changing event, so each is taken once
and a new stage (dispatched, declined, reopened…) starts its own ladder.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app import clock
from app.areas.models import Area, path_ids
from app.auth.viewer import STAFF_ROLES
from app.categories.models import Category
from app.extensions import db
from app.orders.models import Order, OrderEvent, OrderStatus
from app.orders.service import system_close, system_event
from app.users.models import RoleGrant

log = logging.getLogger(__name__)

STAGE_OF = {OrderStatus.ORDERED: "dispatch", OrderStatus.DISPATCHED: "accept",
            OrderStatus.ACCEPTED: "service", OrderStatus.IN_SERVICE: "service"}
# The actions that move an order into a stage; the ladder's steps are counted from the last of them.
STAGE_ACTIONS = ("create", "decline", "reopen", "dispatch", "accept")
LADDER_ACTIONS = ("remind", "escalate")
STAGE_LABELS = {"dispatch": "派单", "accept": "接单", "service": "办结"}
AUTO_CLOSE_BATCH = 500


@dataclass(frozen=True)
class Stage:
    """Where an open order stands on its ladder."""

    order_id: int
    name: str
    deadline: datetime
    limit_hours: float
    steps_done: int
    area_path: str

    def step_time(self, step: int, fractions: tuple[float, float, float]) -> datetime:
        return self.deadline + timedelta(hours=(fractions[step] - 1) * self.limit_hours)

    def due_steps(self, now: datetime, fractions: tuple[float, float, float]) -> list[int]:
        return [step for step in range(self.steps_done, 3) if self.step_time(step, fractions) <= now]


class Limits:
    """The dispatch and accept limits of every area, with inheritance down the tree."""

    def __init__(self, dispatch_default: float, accept_default: float, overrides: dict[int, tuple]):
        self.defaults = {"dispatch": dispatch_default, "accept": accept_default}
        self.overrides = overrides  # area id → (dispatch, accept), either may be None

    @classmethod
    def load(cls) -> "Limits":
        rows = db.session.execute(select(Area.id, Area.dispatch_limit_hours, Area.accept_limit_hours).where(
            or_(Area.dispatch_limit_hours.is_not(None), Area.accept_limit_hours.is_not(None))))
        config = current_app.config
        return cls(float(config["DISPATCH_LIMIT_HOURS"]), float(config["ACCEPT_LIMIT_HOURS"]),
                   {area_id: (dispatch, accept) for area_id, dispatch, accept in rows})

    def hours(self, stage: str, area_path: str) -> float:
        """The limit set on the nearest area at or above this one, else the default."""
        index = 0 if stage == "dispatch" else 1
        for area_id in reversed(path_ids(area_path)):
            value = self.overrides.get(area_id, (None, None))[index]
            if value is not None:
                return float(value)
        return self.defaults[stage]

    def smallest(self, stage: str) -> float:
        index = 0 if stage == "dispatch" else 1
        values = [v[index] for v in self.overrides.values() if v[index] is not None]
        return float(min([self.defaults[stage], *values]))


def _fractions() -> tuple[float, float, float]:
    config = current_app.config
    return float(config["SUPERVISION_REMIND_AT"]), 1.0, float(config["SUPERVISION_SECOND_ESCALATION_AT"])


def _stage_select():
    """Open orders with their stage's start and how many ladder steps the stage has taken."""
    start_event, step_event = aliased(OrderEvent), aliased(OrderEvent)
    stage_events = and_(start_event.order_id == Order.id, start_event.action.in_(STAGE_ACTIONS))
    start_id = select(func.max(start_event.id)).where(stage_events).correlate(Order).scalar_subquery()
    started_at = select(func.max(start_event.created_at)).where(stage_events).correlate(Order).scalar_subquery()
    steps_done = (select(func.count(step_event.id))
                  .where(step_event.order_id == Order.id, step_event.action.in_(LADDER_ACTIONS),
                         step_event.id > start_id)
                  .correlate(Order).scalar_subquery())
    return (select(Order.id, Order.status, Order.dispatched_at, Order.due_at, Area.path, Category.sla_hours,
                   started_at.label("started_at"), steps_done.label("steps_done"))
            .join(Area, Area.id == Order.area_id).join(Category, Category.id == Order.category_id)
            .where(Order.status.in_(list(STAGE_OF)), steps_done < 3))


def _near_limits(now: datetime, limits: Limits, fractions: tuple[float, float, float]):
    """Necessary conditions for a step to be due (the stage starts no earlier than these columns),
    so the scan reads only orders near or past a limit; `_stage` decides exactly."""
    remind = fractions[0]
    longest_sla = db.session.scalar(select(func.max(Category.sla_hours))) or 0
    return or_(
        and_(Order.status == OrderStatus.ORDERED,
             Order.created_at <= now - timedelta(hours=remind * limits.smallest("dispatch"))),
        and_(Order.status == OrderStatus.DISPATCHED,
             Order.dispatched_at <= now - timedelta(hours=remind * limits.smallest("accept"))),
        and_(Order.status.in_((OrderStatus.ACCEPTED, OrderStatus.IN_SERVICE)),
             Order.due_at <= now + timedelta(hours=max(1 - remind, 0) * longest_sla)),
    )


def _stage(row, limits: Limits) -> Stage:
    name = STAGE_OF[OrderStatus(row.status)]
    if name == "service":
        limit, deadline = float(row.sla_hours), row.due_at
    else:
        limit = limits.hours(name, row.path)
        start = row.dispatched_at if name == "accept" and row.dispatched_at else row.started_at
        deadline = start + timedelta(hours=limit)
    return Stage(row.id, name, deadline, limit, int(row.steps_done or 0), row.path)


def _staff_chain(area_path: str, staffed: set[int]) -> list[int]:
    """The areas with staff at or above the order's area, nearest first."""
    return [area_id for area_id in reversed(path_ids(area_path)) if area_id in staffed]


def _staffed_areas() -> set[int]:
    return set(db.session.scalars(select(RoleGrant.area_id).where(RoleGrant.role.in_(STAFF_ROLES)).distinct()))


def _target(stage: Stage, step: int, chain: list[int]) -> tuple[str, int | None]:
    """Who answers at this step: ("team", None) or ("area", the area whose staff are told)."""
    if stage.name != "dispatch":
        if step == 0:
            return "team", None
        step -= 1
    return "area", chain[step] if step < len(chain) else None


def _take_steps(order: Order, stage: Stage, steps: list[int], staffed: set[int], now: datetime) -> int:
    chain = _staff_chain(stage.area_path, staffed)
    names = {area_id: name for area_id, name in db.session.execute(
        select(Area.id, Area.name).where(Area.id.in_(chain)))} if chain else {}
    label = STAGE_LABELS[stage.name]
    for step in steps:
        target, area_id = _target(stage, step, chain)
        if step == 0:
            action = "remind"
            state = "已超时" if stage.deadline <= now else "即将到期"
            who = "服务队" if target == "team" else f"{names.get(area_id, '')}工作人员"
            note = f"催办：{label}{state}，已提醒{who}"
        else:
            action = "escalate"
            who = f"，已通知{names[area_id]}工作人员" if area_id in names else "，无更上级工作人员可通知"
            note = f"督办：{label}已超时{who}"
        system_event(order, action, note, stage=stage.name, level=step, deadline=stage.deadline.isoformat(),
                     target=target, area_id=area_id, area_name=names.get(area_id, ""))
    return len(steps)


def supervise_order(order_id: int, limits: Limits, staffed: set[int], now: datetime) -> tuple[int, int]:
    """Take the order's due ladder steps (flushed: the caller's transaction, one per order, commits them);
    returns (reminders, escalations).

    The order row is locked first (FOR UPDATE on PostgreSQL; SQLite's writers are serialised) and
    its stage read again, so a concurrent action or another worker cannot make a step happen twice.
    """
    order = db.session.scalars(select(Order).where(Order.id == order_id).with_for_update()
                               .execution_options(populate_existing=True)).first()
    row = db.session.execute(_stage_select().where(Order.id == order_id)).first()
    if order is None or row is None:
        return 0, 0
    stage = _stage(row, limits)
    steps = stage.due_steps(now, _fractions())
    if not steps:
        return 0, 0
    _take_steps(order, stage, steps, staffed, now)
    db.session.flush()
    return int(0 in steps), len([s for s in steps if s > 0])


def run_ladder(now: datetime | None = None) -> tuple[int, int]:
    """One pass of the ladder over every open order near or past a limit; returns (reminders, escalations)."""
    now = now or clock.now()
    limits, fractions = Limits.load(), _fractions()
    scan = _stage_select().where(_near_limits(now, limits, fractions)).order_by(Order.id)
    due = [stage.order_id for stage in (_stage(row, limits) for row in db.session.execute(scan))
           if stage.due_steps(now, fractions)]
    staffed = _staffed_areas()
    # The worker's own transactions (it has no request to end them): the scan ends before the orders are
    # taken, then one transaction per order, so that a lock is held only while its order's steps are written.
    db.session.commit()
    reminded = escalated = 0
    for order_id in due:
        try:
            r, e = supervise_order(order_id, limits, staffed, now)
            db.session.commit()
        except Exception:  # one bad order must not stop the others
            db.session.rollback()
            log.exception("supervision of order %s failed", order_id)
            continue
        reminded, escalated = reminded + r, escalated + e
    return reminded, escalated


def close_unrated(now: datetime | None = None) -> int:
    """Close completed orders left unrated for AUTO_CLOSE_DAYS; returns how many."""
    now = now or clock.now()
    days = int(current_app.config["AUTO_CLOSE_DAYS"])
    ids = list(db.session.scalars(select(Order.id).where(
        Order.status == OrderStatus.COMPLETED, Order.completed_at <= now - timedelta(days=days))
        .order_by(Order.id).limit(AUTO_CLOSE_BATCH)))
    # The worker's own transactions, as in run_ladder: the scan, then one per order. An order that moved
    # meanwhile (system_close refused it before writing) ends its transaction with nothing written.
    db.session.commit()
    closed = 0
    for order_id in ids:
        order = db.session.get(Order, order_id, populate_existing=True)
        if order is not None and order.status == OrderStatus.COMPLETED \
                and system_close(order, f"服务完成后{days}天未评价，系统自动关闭"):
            closed += 1
        db.session.commit()
    return closed


def supervise(now: datetime | None = None) -> dict:
    """One supervision pass: the ladder, then closing unrated orders."""
    reminded, escalated = run_ladder(now)
    return {"reminded": reminded, "escalated": escalated, "closed": close_unrated(now)}
