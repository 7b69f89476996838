"""Tell the people a call is blown for: outbox rows (in-app message + subscribe message) written
through app.notifications in the call's own transaction."""
from sqlalchemy import select

from app.calls.models import Call, CallRecipient
from app.calls.signals import call_changed
from app.extensions import db
from app.notifications.service import local_time, notify

CALL_PAGE = "packageVolunteer/pages/call-detail/index?id={id}"


@call_changed.connect
def on_call_published(call: Call, action: str, viewer=None, **_) -> None:
    """A new 吹哨 reaches everyone it was blown for (not the staff member who blew it)."""
    if action != "publish" or call.kind != "call":
        return
    recipients = set(db.session.scalars(select(CallRecipient.user_id).where(CallRecipient.call_id == call.id)))
    if viewer is not None:
        recipients.discard(viewer.id)
    body = (f"{call.area.name}吹哨：{call.title}。时间：{local_time(call.starts_at)}，地点：{call.place}，"
            f"限{call.quota}人，请尽快报名。")
    notify(recipients, "call", "社区吹哨报到", body, page=CALL_PAGE.format(id=call.id),
           template_data={"thing1": call.title, "time2": call.starts_at, "thing3": call.place})

