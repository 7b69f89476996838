"""Notifications: who is told what about an order, written to the outbox in the change's transaction,
and the in-app messages (消息中心) a user reads.

A receiver of `order_changed` adds one outbox row per recipient to the session of the change, so the
change, its event and its notifications commit together or not at all. The worker
(app/notifications/delivery.py) turns each row into an in-app message and a WeChat subscribe message.
"""
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from app import clock
from app.auth.viewer import STAFF_ROLES, Viewer
from app.errors import NotFound
from app.extensions import db
from app.notifications.models import Message, Notification
from app.orders.models import Order, OrderEvent
from app.orders.signals import order_changed
from app.teams.models import TeamMember
from app.users.models import RoleGrant

TZ = ZoneInfo("Asia/Shanghai")
ORDER_PAGE = "pages/orders/detail/index?id={id}"

# Which configured subscribe-message template carries each kind of notification. The templates
# chosen in the mini-program's console must have these keys (the number is the field's position):
#   DISPATCHED   thing1 服务项目, thing2 服务地点 (the area), time3 派单时间, thing4 温馨提示
#   ACCEPTED     thing1 服务项目, name2 接单人, time3 接单时间
#   COMPLETED    thing1 服务项目, time2 完成时间, thing3 温馨提示 (请评价)
#   REMINDER     thing1 服务项目, time2 办理时限, thing3 督办事项 (催办 and 督办 share it)
#   FOLLOWED_UP  thing1 服务项目, thing2 回访内容, time3 回访时间
#   CALL         thing1 吹哨事项, time2 集合时间, thing3 集合地点 (written by app/calls)
TEMPLATE_SETTINGS = {
    "dispatched": "WECHAT_TEMPLATE_DISPATCHED",
    "accepted": "WECHAT_TEMPLATE_ACCEPTED",
    "completed": "WECHAT_TEMPLATE_COMPLETED",
    "remind": "WECHAT_TEMPLATE_REMINDER",
    "escalate": "WECHAT_TEMPLATE_REMINDER",
    "followed_up": "WECHAT_TEMPLATE_FOLLOWED_UP",
    "call": "WECHAT_TEMPLATE_CALL",
}
KIND_LABELS = {"dispatched": "派单通知", "redispatched": "改派通知", "accepted": "接单通知", "completed": "服务完成",
               "remind": "催办", "escalate": "督办", "followed_up": "评价回访", "call": "吹哨报到",
               "call_closed": "活动结束", "call_confirmed": "到场确认"}
STAGE_LABELS = {"dispatch": "派单", "accept": "接单", "service": "办结"}
STAGE_HINTS = {"dispatch": "请尽快派单", "accept": "请尽快接单", "service": "请尽快完成服务"}

# WeChat's limits on subscribe-message values, by the key's type (thing1 → thing).
VALUE_LIMITS = {"thing": 20, "name": 10, "phrase": 5, "character_string": 32, "number": 32, "letter": 32,
                "symbol": 5, "car_number": 8, "phone_number": 17, "amount": 11}


# --- writing to the outbox ----------------------------------------------------------------------

def local_time(moment: datetime) -> str:
    """A moment as WeChat's `time` values show it, in Shanghai: 2024年5月1日 09:00."""
    local = moment.astimezone(TZ)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def fit_value(key: str, value) -> str:
    """A template value cut to the limit of its key's type (thing ≤ 20 characters …)."""
    text = local_time(value) if isinstance(value, datetime) else " ".join(str(value).split())
    limit = VALUE_LIMITS.get(key.rstrip("0123456789"))
    if not text:
        return "无"
    if limit and len(text) > limit:
        return text[:limit - 1] + "…"
    return text


def notify(user_ids: Iterable[int], kind: str, title: str, body: str, *, page: str = "",
           template_data: dict | None = None, order_id: int | None = None,
           event_id: int | None = None) -> int:
    """Queue a notification to each user in the caller's transaction (the worker delivers them); how many.

    One INSERT for all of them (an executemany), however many are told: a 吹哨 may call a whole town."""
    now = clock.now()
    data = {key: fit_value(key, value) for key, value in (template_data or {}).items()}
    rows = [{"user_id": user_id, "kind": kind, "title": title[:32], "body": body[:500], "page": page[:200],
             "template_data": data, "order_id": order_id, "event_id": event_id, "status": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for user_id in sorted(set(user_ids))]
    if rows:
        db.session.execute(insert(Notification), rows)
    return len(rows)


def team_member_ids(team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    return set(db.session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


def staff_ids_of_area(area_id: int | None) -> set[int]:
    """Users with a staff or admin grant on exactly this area."""
    if area_id is None:
        return set()
    return set(db.session.scalars(select(RoleGrant.user_id).where(
        RoleGrant.area_id == area_id, RoleGrant.role.in_(STAFF_ROLES))))


def _dispatched(order: Order, event: OrderEvent):
    body = f"{order.area.name}的工单「{order.title}」已派给{order.team.name}，请尽快接单。"
    data = {"thing1": order.title, "thing2": order.area.name, "time3": event.created_at, "thing4": "请尽快接单"}
    return team_member_ids(order.team_id), "新工单待接单", body, data


def _redispatched(order: Order, event: OrderEvent):
    """改派: the members of the team the order was taken from (those also in the new team hear of it as new)."""
    previous = event.data.get("previous_team_id")
    if previous is None:
        return None
    body = f"{order.area.name}的工单「{order.title}」已由社区改派给其他队伍，您的服务队无需再接单。"
    # In-app only (no template: a subscribe message is not spent on "nothing to do"), and not linked to the
    # order, which is out of their sight now (404); the event id traces it.
    return team_member_ids(previous) - team_member_ids(order.team_id), "工单已改派给其他队伍", body, {}, False


def _accepted(order: Order, event: OrderEvent):
    name = order.assignee.display_name if order.assignee else "志愿者"
    body = f"您的工单「{order.title}」已由志愿者{name}接单，请保持电话畅通。"
    data = {"thing1": order.title, "name2": name, "time3": event.created_at}
    return {order.requester_id}, "工单已接单", body, data


def _completed(order: Order, event: OrderEvent):
    body = f"您的工单「{order.title}」已完成服务，请对本次服务进行评价。"
    data = {"thing1": order.title, "time2": event.created_at, "thing3": "服务已完成，请您评价"}
    return {order.requester_id}, "服务已完成，请评价", body, data


def _followed_up(order: Order, event: OrderEvent):
    # Not the note itself: staff's follow-up notes are for staff (app/orders/scope.py, sees_staff_notes).
    body = f"工作人员已回访您对工单「{order.title}」的评价。"
    data = {"thing1": order.title, "thing2": "社区工作人员已回访您的评价", "time3": event.created_at}
    return {order.requester_id}, "评价已回访", body, data


def _supervised(order: Order, event: OrderEvent):
    """A ladder step (催办 / 督办): its target is the team or one area's staff (see app/supervision)."""
    stage = event.data.get("stage", "service")
    deadline = datetime.fromisoformat(event.data["deadline"])
    label, when = STAGE_LABELS.get(stage, "办理"), local_time(deadline)
    if event.data.get("target") == "team":
        recipients = {order.assignee_id} if order.assignee_id else team_member_ids(order.team_id)
    else:
        recipients = staff_ids_of_area(event.data.get("area_id"))
    if event.action == "remind":
        title = "催办提醒"
        hint = STAGE_HINTS.get(stage, "请尽快处理")
        state = f"{label}已超时（时限{when}）" if deadline <= event.created_at else f"应于{when}前完成{label}"
        body = f"{order.area.name}的工单「{order.title}」{state}，{hint}。"
    else:
        title = "督办通知"
        hint = f"{label}已超时，请督办"
        body = f"督办：{order.area.name}的工单「{order.title}」{label}已超时（时限{when}），请督促办理。"
    data = {"thing1": order.title, "time2": deadline, "thing3": hint}
    return recipients, title, body, data


# What each order event tells whom: (kind, builder) in order. A builder returns (recipients, title, body,
# template data[, linked]) — linked (the default): the message opens the order — or None when the event is
# not its business.
ORDER_NOTICES = {
    "dispatch": (("dispatched", _dispatched), ("redispatched", _redispatched)),
    "accept": (("accepted", _accepted),),
    "complete": (("completed", _completed),),
    "review": (("followed_up", _followed_up),),
    "remind": (("remind", _supervised),),
    "escalate": (("escalate", _supervised),),
}


@order_changed.connect
def on_order_changed(order: Order, event: OrderEvent, viewer: Viewer | None = None, **_) -> None:
    """Queue the notifications an order event causes, in the event's transaction."""
    for kind, build in ORDER_NOTICES.get(event.action, ()):
        notice = build(order, event)
        if notice is None:
            continue
        recipients, title, body, data, *linked = notice
        recipients.discard(event.actor_id)  # nobody is told of what they did themselves
        recipients.discard(None)
        link = not linked or linked[0]
        notify(recipients, kind, title, body, page=ORDER_PAGE.format(id=order.id) if link else "",
               template_data=data, order_id=order.id if link else None, event_id=event.id)


# --- the in-app messages ------------------------------------------------------------------------

def list_messages(viewer: Viewer, args: dict, cursor_id: int | None) -> list[Message]:
    """One page of my messages, newest first."""
    query = (select(Message).where(Message.user_id == viewer.id)
             .order_by(Message.id.desc()).limit(args["limit"] + 1))
    if args.get("unread"):
        query = query.where(Message.read_at.is_(None))
    if cursor_id:
        query = query.where(Message.id < cursor_id)
    return list(db.session.scalars(query))


def unread_count(viewer: Viewer) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.user_id == viewer.id, Message.read_at.is_(None))) or 0


def mark_read(viewer: Viewer, message_id: int) -> Message:
    """Mark one of my messages read; anyone else's is 404."""
    message = db.session.scalars(select(Message).where(
        Message.id == message_id, Message.user_id == viewer.id)).first()
    if message is None:
        raise NotFound("找不到该消息")
    if message.read_at is None:
        message.read_at = clock.now()
        db.session.flush()
    return message


def mark_all_read(viewer: Viewer) -> int:
    """Mark every unread message of mine read; returns how many."""
    changed = db.session.execute(
        update(Message).where(Message.user_id == viewer.id, Message.read_at.is_(None))
        .values(read_at=clock.now()).execution_options(synchronize_session=False)
    ).rowcount
    return changed
