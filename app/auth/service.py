"""Console tickets (扫码登录): the console shows one, the mini-program approves it.

A ticket is bound to the browser that made it: creation returns a `poll_secret` along with the ticket id, and
only a poll carrying it (header X-Ticket-Secret) is answered — the QR code shows the id alone, so whoever sees
or photographs the code cannot collect the staff member's token. A ticket lives TICKET_TTL from its creation,
approved or not; the token is handed out once; old rows are pruned when new tickets are made. The operations flush;
the request commits at its end (app/database.py, `end_request_transaction`).
"""
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, update

from app import clock
from app.auth.tokens import issue_token
from app.auth.viewer import Viewer
from app.database import changed_one
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.users.models import ConsoleTicket, User

TICKET_TTL = timedelta(seconds=120)
KEEP_EXPIRED = timedelta(hours=1)  # expired tickets are deleted after this (they answer "expired" until then)

# (name shown, pattern with the major version) in the order they must be tried: Edge and the Chinese browsers
# carry "Chrome" too, and Chrome carries "Safari".
BROWSERS = [("企业微信", r"wxwork/(\d+)"), ("微信", r"MicroMessenger/(\d+)"), ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
            ("QQ浏览器", r"QQBrowser/(\d+)"), ("360浏览器", r"QIHU 360SE()"), ("搜狗浏览器", r"MetaSr ?(\d*)"),
            ("Firefox", r"Firefox/(\d+)"), ("Chrome", r"Chrome/(\d+)"), ("Safari", r"Version/(\d+).*Safari/")]
SYSTEMS = [("Windows", r"Windows"), ("macOS", r"Mac OS X"), ("Android", r"Android"), ("iOS", r"iPhone|iPad"),
           ("Linux", r"Linux")]


def browser_of(user_agent: str | None) -> str:
    """A short description of the browser for the approval screen, e.g. "Chrome 131（Windows）"."""
    agent = user_agent or ""
    name = next((f"{label} {m.group(1)}".strip() for label, pattern in BROWSERS
                 if (m := re.search(pattern, agent))), "未知浏览器")
    system = next((label for label, pattern in SYSTEMS if re.search(pattern, agent)), None)
    return (f"{name}（{system}）" if system else name)[:64]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_ticket(ip: str | None, user_agent: str | None) -> dict:
    """A new ticket and the secret its browser polls with (returned here only, stored hashed)."""
    now = clock.now()
    db.session.execute(delete(ConsoleTicket).where(ConsoleTicket.expires_at < now - KEEP_EXPIRED))
    poll_secret = secrets.token_urlsafe(32)
    ticket = ConsoleTicket(id=secrets.token_urlsafe(24), created_at=now, expires_at=now + TICKET_TTL,
                           poll_secret_hash=_hash(poll_secret), ip=(ip or "")[:64], browser=browser_of(user_agent))
    db.session.add(ticket)
    db.session.flush()
    return {"ticket": ticket.id, "poll_secret": poll_secret, "status": ticket.status, "expires_at": ticket.expires_at}


def _ticket(ticket_id: str) -> ConsoleTicket:
    ticket = db.session.get(ConsoleTicket, ticket_id) if len(ticket_id) <= 64 else None
    if ticket is None:
        raise NotFound("二维码无效，请刷新后重新扫码")
    return ticket


def _require_staff(viewer: Viewer) -> None:
    if not viewer.is_staff:
        raise Forbidden("只有社区工作人员和管理员可以登录工作台")


def ticket_info(viewer: Viewer, ticket_id: str) -> ConsoleTicket:
    """Where the login request comes from, for the approval screen (staff and admins)."""
    _require_staff(viewer)
    return _ticket(ticket_id)


def approve_ticket(viewer: Viewer, ticket_id: str) -> ConsoleTicket:
    """A staff member or admin confirms the console login on their phone."""
    _require_staff(viewer)
    ticket = _ticket(ticket_id)
    now = clock.now()
    if ticket.expires_at <= now:
        raise Conflict("二维码已过期，请在电脑上刷新后重新扫码")
    changed_one(update(ConsoleTicket)
                .where(ConsoleTicket.id == ticket_id, ConsoleTicket.status == "pending", ConsoleTicket.expires_at > now)
                .values(status="approved", user_id=viewer.id), Conflict("该二维码已被使用"))
    db.session.refresh(ticket)
    return ticket


def poll_ticket(ticket_id: str, poll_secret: str | None) -> dict:
    """The ticket's state for the browser that made it (404 for anyone else); the token is handed out exactly
    once, on the first poll after approval and before the ticket expires."""
    ticket = db.session.get(ConsoleTicket, ticket_id) if len(ticket_id) <= 64 else None
    if ticket is None or not poll_secret or not hmac.compare_digest(_hash(poll_secret), ticket.poll_secret_hash):
        raise NotFound("二维码无效，请刷新后重新扫码")
    now = clock.now()
    if ticket.status in ("pending", "approved") and ticket.expires_at <= now:
        return {"status": "expired"}
    if ticket.status != "approved":
        return {"status": ticket.status}
    handed = db.session.execute(
        update(ConsoleTicket)
        .where(ConsoleTicket.id == ticket_id, ConsoleTicket.status == "approved", ConsoleTicket.expires_at > now)
        .values(status="consumed")
    ).rowcount  # the row stays locked until the request's end commits: a second poll then finds it consumed
    if handed != 1:
        return {"status": "consumed"}
    user = db.session.get(User, ticket.user_id)
    token, ttl = issue_token(user)
    return {"status": "approved", "access_token": token, "token_type": "Bearer", "expires_in": ttl}
