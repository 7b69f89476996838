"""Console tickets (扫码登录): the console shows one, the mini-program approves it."""
import secrets
from datetime import timedelta

from sqlalchemy import update

from app import clock
from app.auth.tokens import issue_token
from app.auth.viewer import Viewer
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.users.models import ConsoleTicket, User

TICKET_TTL = timedelta(minutes=5)


def create_ticket() -> ConsoleTicket:
    ticket = ConsoleTicket(id=secrets.token_urlsafe(24), expires_at=clock.now() + TICKET_TTL)
    db.session.add(ticket)
    db.session.commit()
    return ticket


def _live_ticket(ticket_id: str) -> ConsoleTicket:
    ticket = db.session.get(ConsoleTicket, ticket_id)
    if ticket is None:
        raise NotFound("二维码无效，请刷新后重新扫码")
    return ticket


def approve_ticket(viewer: Viewer, ticket_id: str) -> ConsoleTicket:
    """A staff member or admin confirms the console login on their phone."""
    if not viewer.is_staff:
        raise Forbidden("只有社区工作人员和管理员可以登录工作台")
    ticket = _live_ticket(ticket_id)
    if ticket.expires_at <= clock.now():
        raise Conflict("二维码已过期，请在电脑上刷新后重新扫码")
    claimed = db.session.execute(
        update(ConsoleTicket)
        .where(ConsoleTicket.id == ticket_id, ConsoleTicket.status == "pending")
        .values(status="approved", user_id=viewer.id)
    ).rowcount
    if claimed != 1:
        raise Conflict("该二维码已被使用")
    db.session.commit()
    db.session.refresh(ticket)
    return ticket


def poll_ticket(ticket_id: str) -> dict:
    """The ticket's state; the token is handed out exactly once, on the first poll after approval."""
    ticket = _live_ticket(ticket_id)
    if ticket.status == "pending" and ticket.expires_at <= clock.now():
        return {"status": "expired"}
    if ticket.status != "approved":
        return {"status": ticket.status}
    handed = db.session.execute(
        update(ConsoleTicket)
        .where(ConsoleTicket.id == ticket_id, ConsoleTicket.status == "approved")
        .values(status="consumed")
    ).rowcount
    db.session.commit()
    if handed != 1:
        return {"status": "consumed"}
    user = db.session.get(User, ticket.user_id)
    token, ttl = issue_token(user)
    return {"status": "approved", "access_token": token, "token_type": "Bearer", "expires_in": ttl}
