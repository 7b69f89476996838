"""Points (志愿者积分激励): awarded inside the transaction of the order change that earns them.

The ledger is append-only: a reopened order gets reversing entries rather than deleted ones, and a
balance or a leaderboard is always a sum over the entries.

- rate: the category's points to the assignee, plus POINTS_GOOD_RATING_BONUS for 4 or 5 stars;
- close (unrated for AUTO_CLOSE_DAYS, or by staff): the category's points, without a bonus;
- reopen: an entry reversing what each user still holds from the order;
- nothing when the requester and the assignee are the same person.
Points spent in the 积分超市 (app/rewards) are entries too: `redeem` (negative) and `refund` when a
redemption is cancelled. They count in a balance, never in what was earned (leaderboards, figures).
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import desc, func, insert, select

from app import clock
from app.areas.service import require_area
from app.auth.viewer import Viewer, subtree_ids_select
from app.extensions import db
from app.orders.models import Order, OrderEvent
from app.orders.signals import order_changed
from app.points.models import PointsEntry
from app.users.models import User

TZ = ZoneInfo("Asia/Shanghai")
PERIODS = ("week", "month", "year", "all")
PERIOD_LABELS = {"week": "本周", "month": "本月", "year": "今年", "all": "全部"}
REASON_LABELS = {
    "order_rated": "志愿服务获评",
    "rating_bonus": "好评奖励",
    "order_closed": "志愿服务办结",
    "order_reopened": "工单重新办理，积分冲回",
    "call_checkin": "参加吹哨或志愿活动",
    "redeem": "积分兑换",
    "refund": "取消兑换，积分退回",
}
# Entries of points spent (and given back), not earned.
SPENDING_REASONS = ("redeem", "refund")


def entry(user_id: int, area_id: int, amount: int, reason: str, *, order_id: int | None = None,
          call_id: int | None = None, note: str = "", at: datetime | None = None) -> dict:
    """One ledger entry's values, for `award_all`."""
    return {"user_id": user_id, "area_id": area_id, "amount": amount, "reason": reason, "order_id": order_id,
            "call_id": call_id, "note": note[:200], "created_at": at or clock.now()}


def award_all(entries: list[dict]) -> None:
    """Append entries to the ledger in the caller's transaction, with one INSERT (nothing for 0 points)."""
    rows = [row for row in entries if row["amount"]]
    if rows:
        db.session.execute(insert(PointsEntry), rows)


def award(user_id: int, area_id: int, amount: int, reason: str, **details) -> None:
    """Append one entry to the ledger in the caller's transaction (nothing for 0 points)."""
    award_all([entry(user_id, area_id, amount, reason, **details)])


def _award_service(order: Order, event: OrderEvent, reason: str, bonus: bool) -> None:
    if order.assignee_id is None or order.assignee_id == order.requester_id:
        return
    details = {"order_id": order.id, "note": order.title, "at": event.created_at}
    entries = [entry(order.assignee_id, order.area_id, order.category.points, reason, **details)]
    if bonus:
        entries.append(entry(order.assignee_id, order.area_id, int(current_app.config["POINTS_GOOD_RATING_BONUS"]),
                             "rating_bonus", **details))
    award_all(entries)


def _reverse(order: Order, event: OrderEvent) -> None:
    """Take back what each user still holds from this order."""
    held = db.session.execute(
        select(PointsEntry.user_id, PointsEntry.area_id, func.sum(PointsEntry.amount))
        .where(PointsEntry.order_id == order.id).group_by(PointsEntry.user_id, PointsEntry.area_id))
    award_all([entry(user_id, area_id, -int(total or 0), "order_reopened", order_id=order.id, note=order.title,
                     at=event.created_at) for user_id, area_id, total in held])


@order_changed.connect
def on_order_changed(order: Order, event: OrderEvent, viewer: Viewer | None = None, **_) -> None:
    """Award or reverse points in the transaction of the order change."""
    if event.action == "rate":
        _award_service(order, event, "order_rated", bonus=int(event.data.get("stars") or 0) >= 4)
    elif event.action == "close":
        _award_service(order, event, "order_closed", bonus=False)
    elif event.action == "reopen":
        _reverse(order, event)


# --- reading ------------------------------------------------------------------------------------

def balance(user_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.user_id == user_id)) or 0)


def entries(viewer: Viewer, limit: int, cursor_id: int | None) -> list[PointsEntry]:
    """One page of my ledger, newest first."""
    query = (select(PointsEntry).where(PointsEntry.user_id == viewer.id)
             .order_by(PointsEntry.id.desc()).limit(limit + 1))
    if cursor_id:
        query = query.where(PointsEntry.id < cursor_id)
    return list(db.session.scalars(query))


def period_start(period: str, now: datetime) -> datetime | None:
    """The start of the current Shanghai week (Monday), month or year; None for all time."""
    local = now.astimezone(TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        start = midnight - timedelta(days=midnight.weekday())
    elif period == "month":
        start = midnight.replace(day=1)
    elif period == "year":
        start = midnight.replace(month=1, day=1)
    else:
        return None
    return start.astimezone(now.tzinfo)


def leaderboard(area_id: int | None, period: str, limit: int, now: datetime) -> list[dict]:
    """Who earned the most points in the period on orders and calls of the area's subtree; one query."""
    total = func.sum(PointsEntry.amount).label("points")
    query = (select(PointsEntry.user_id, User.nickname, total)
             .join(User, User.id == PointsEntry.user_id)
             .where(PointsEntry.reason.not_in(SPENDING_REASONS))
             .group_by(PointsEntry.user_id, User.nickname)
             .having(func.sum(PointsEntry.amount) > 0)
             .order_by(desc(total), PointsEntry.user_id).limit(limit))
    if area_id is not None:
        area = require_area(area_id)
        query = query.where(PointsEntry.area_id.in_(subtree_ids_select([area.path])))
    start = period_start(period, now)
    if start is not None:
        query = query.where(PointsEntry.created_at >= start)
    return [{"rank": rank, "user_id": user_id, "nickname": nickname or f"用户{user_id}", "points": int(points)}
            for rank, (user_id, nickname, points) in enumerate(db.session.execute(query), start=1)]
