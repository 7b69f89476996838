"""/auth: WeChat login, logout and console tickets."""
from flask import current_app, request
from flask_smorest import Blueprint

from app.auth import current_viewer, service
from app.auth.tokens import issue_token
from app.auth.viewer import load_viewer
from app.extensions import limiter
from app.schema import EmptySchema, Schema, Text, fields
from app.users import service as users
from app.users.schemas import MeSchema

blp = Blueprint("auth", __name__, description="登录：微信登录与工作台扫码登录")


class LoginSchema(Schema):
    code = Text(256, required=True, min_length=1, metadata={"description": "wx.login code (dev mode: dev:<openid>)"})


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    user = fields.Nested(MeSchema)


class TicketSchema(Schema):
    ticket = fields.String(attribute="id")
    status = fields.String()
    expires_at = fields.DateTime()


class NewTicketSchema(Schema):
    ticket = fields.String(metadata={"description": "shown in the QR code"})
    poll_secret = fields.String(metadata={"description": "kept by this browser only; send as X-Ticket-Secret"})
    status = fields.String()
    expires_at = fields.DateTime()


class TicketInfoSchema(Schema):
    created_at = fields.DateTime()
    ip = fields.String(metadata={"description": "the address of the computer that asks to log in"})
    browser = fields.String(metadata={"description": "its browser and system, e.g. Chrome 131（Windows）"})


class TicketPollSchema(Schema):
    status = fields.String(metadata={"description": "pending, approved (token included, once), consumed, expired"})
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def console_ticket_limit() -> str:
    return current_app.config["RATELIMIT_CONSOLE_TICKET"]


@blp.route("/auth/wechat-login", methods=["POST"])
@limiter.limit(login_limit)
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.doc(security=[])
def wechat_login(body):
    """Log in with a wx.login code; the user is created at first login."""
    user = users.login_with_code(body["code"])
    token, ttl = issue_token(user)
    viewer = load_viewer(user.id, user.token_version)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": users.profile(viewer)}


@blp.route("/auth/logout", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(204)
def logout(_body):
    """Revoke every token issued to me so far (all devices)."""
    users.revoke_tokens(current_viewer().user)
    return None


@blp.route("/auth/console-tickets", methods=["POST"])
@limiter.limit(console_ticket_limit)
@blp.response(201, NewTicketSchema)
@blp.doc(security=[])
def create_console_ticket():
    """A new 扫码登录 ticket for the staff console's QR code, with the secret this browser polls it with."""
    return service.create_ticket(request.remote_addr, request.headers.get("User-Agent"))


@blp.route("/auth/console-tickets/<ticket>", methods=["GET"])
@blp.response(200, TicketPollSchema)
@blp.doc(security=[], parameters=[{"in": "header", "name": "X-Ticket-Secret", "required": True,
                                   "schema": {"type": "string"}, "description": "the ticket's poll_secret"}])
def poll_console_ticket(ticket):
    """The console's poll (with X-Ticket-Secret; 404 without it): the token comes back once, after approval."""
    return service.poll_ticket(ticket, request.headers.get("X-Ticket-Secret"))


@blp.route("/auth/console-tickets/<ticket>/info", methods=["GET"])
@blp.response(200, TicketInfoSchema)
def console_ticket_info(ticket):
    """When and from which computer and browser a console login was asked for (staff and admins)."""
    return service.ticket_info(current_viewer(), ticket)


@blp.route("/auth/console-tickets/<ticket>/approve", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, TicketSchema)
def approve_console_ticket(_body, ticket):
    """Approve a console login from the mini-program (staff and admins)."""
    return service.approve_ticket(current_viewer(), ticket)
