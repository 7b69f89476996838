"""Tell people about calls: outbox rows (in-app message, and a subscribe message where a template is
configured) written through app.notifications in the call's own transaction."""
from sqlalchemy import select

from app.calls.models import KIND_LABELS, Call, CallRecipient, CallSignup
from app.calls.signals import call_changed
from app.extensions import db
from app.notifications.service import local_time, notify

CALL_PAGE = "packageVolunteer/pages/call-detail/index?id={id}"


@call_changed.connect
def on_call_changed(call: Call, action: str, viewer=None, signup=None, **_) -> None:
    """A new 吹哨 reaches everyone it was blown for; closing reaches those still signed up; a confirmed
    check-in reaches the volunteer (never the staff member who acted)."""
    page = CALL_PAGE.format(id=call.id)
    if action == "publish" and call.kind == "call":
        recipients = set(db.session.scalars(select(CallRecipient.user_id).where(CallRecipient.call_id == call.id)))
        recipients.discard(viewer.id if viewer is not None else None)
        body = (f"{call.area.name}吹哨：{call.title}。时间：{local_time(call.starts_at)}，地点：{call.place}，"
                f"限{call.quota}人，请尽快报名。")
        notify(recipients, "call", "社区吹哨报到", body, page=page,
               template_data={"thing1": call.title, "time2": call.starts_at, "thing3": call.place})
    elif action == "close":
        waiting = set(db.session.scalars(select(CallSignup.user_id).where(
            CallSignup.call_id == call.id, CallSignup.status.in_(("signed_up", "checked_in")))))
        waiting.discard(viewer.id if viewer is not None else None)
        notify(waiting, "call_closed", f"{KIND_LABELS[call.kind]}已结束",
               f"您报名的「{call.title}」已由社区结束。已到场的，社区工作人员确认后积分会记入您的账户。", page=page)
    elif action == "confirm" and signup is not None:
        points = f"，获得 {call.points} 积分" if call.points > 0 else ""
        notify([signup.user_id], "call_confirmed", "到场已确认",
               f"您参加的「{call.title}」已确认到场{points}。感谢您的志愿服务！", page=page)
